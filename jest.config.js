/**
 * Unit tests sit beside the code; integration and e2e tests live in test/ and use real Postgres and Redis.
 * Nothing here reads outside the repository: the conformance suite (test/conformance) does, on its own config.
 */
const { pathsToModuleNameMapper } = require('ts-jest');
const { compilerOptions } = require('./tsconfig.json');

const common = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  moduleNameMapper: pathsToModuleNameMapper(compilerOptions.paths, { prefix: '<rootDir>/' }),
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
};

module.exports = {
  // Three test files at a time, whatever the machine: the integration and e2e files mostly wait (on Postgres,
  // Redis, Chromium, fake channel servers, timers), so with two at once CI's 2 idle cores were busy only about
  // half the run (7 December 2026: jest's processes and Postgres together ≈ 830 s of CPU in 811 s of wall).
  // Each file holds up to ~30 Postgres connections (api, worker and test pools): three stay under the server's
  // max_connections of 100, a fourth would not. Measured in README, "Running the tests".
  maxWorkers: 3,
  testSequencer: '<rootDir>/test/support/sequencer.js',
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,integrations,bench}/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      // Checks against material outside the repository: npm run test:conformance (test/conformance/jest.config.js).
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/conformance/'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/test/support/jest-setup.ts'],
    },
  ],
};
