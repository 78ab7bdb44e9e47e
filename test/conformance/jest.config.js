/**
 * `npm run test:conformance`: checks against material kept outside the repository (../shared or SHARED_DIR):
 * real captured payloads and the official МЭДО schema. Not part of `npm test`; `.ci/run` runs both.
 */
const path = require('node:path');
const { pathsToModuleNameMapper } = require('ts-jest');
const { compilerOptions } = require('../../tsconfig.json');

const rootDir = path.resolve(__dirname, '../..');

module.exports = {
  rootDir,
  displayName: 'conformance',
  preset: 'ts-jest',
  testEnvironment: 'node',
  moduleNameMapper: pathsToModuleNameMapper(compilerOptions.paths, { prefix: '<rootDir>/' }),
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  testMatch: ['<rootDir>/test/conformance/**/*.test.ts'],
  globalSetup: '<rootDir>/test/conformance/global-setup.ts',
  // The fake servers some checks talk to listen on loopback, which outbound connections refuse unless allowed.
  setupFilesAfterEnv: ['<rootDir>/test/support/loopback-fakes.ts'],
  // Schema validation in WebAssembly takes a moment per document, and some tests validate dozens.
  testTimeout: 120_000,
};
