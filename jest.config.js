// Tests expect UTC wherever local time shows (s3-index ls prints local times like the AWS CLI); workers inherit it.
process.env.TZ = 'UTC';

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }] },
  // the browse page's assets, built from src/ui/client/ as the bundles build them (scripts/ui-assets.js)
  moduleNameMapper: { '^virtual:ui-assets$': '<rootDir>/test/helpers/ui-assets.js' },
  testTimeout: 30000,
  maxWorkers: 2,
  // A worker holding ~500 MB of garbage from the suites it ran takes 0.5-2 s for Node to tear down after its exit
  // event, with no handle left open (measured); jest's default 500 ms then reports a failed graceful exit.
  workerGracefulExitTimeout: 5000,
};
