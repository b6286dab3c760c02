/**
 * The AWS emulator stage (npm run test:emulator, bin/test-emulator.js): tests
 * that start the project's emulator (tools/emulator/launcher.py, moto) and run
 * Terraform against it. Slow (minutes), so kept out of `npm run test:unit`.
 */
const base = require('./jest.config.js');

module.exports = {
  ...base,
  testMatch: ['**/*.emulator.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  // Terraform applies take minutes; a test states its own budget where it matters.
  testTimeout: 15 * 60 * 1000,
  // Each test file starts its own emulator and runs Terraform: two at a time on a 2-core machine, the long ones first.
  maxWorkers: 2,
  testSequencer: '<rootDir>/__tests__/helpers/emulator-sequencer.js',
  // test.concurrent cases (the stage's configs) at once per file: the provider waits a lot (KMS keys about 8 s,
  // SQS queue policies about 50 s, by design), so three configs keep two cores busy (up to 6 Terraform
  // processes, about 480 MB each).
  maxConcurrency: 3,
};
