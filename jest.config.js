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
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,integrations}/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      // Checks against material outside the repository: npm run test:conformance (test/conformance/jest.config.js).
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/conformance/'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      setupFilesAfterEnv: ['<rootDir>/test/support/jest-setup.ts'],
    },
  ],
};
