/** Jest runs TypeScript through swc (type checking is `npm run typecheck`). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  // The AWS emulator tests (python3 + moto + terraform, minutes) run in their own stage: npm run test:emulator (jest.emulator.config.js).
  testPathIgnorePatterns: ['/node_modules/', '\\.emulator\\.test\\.ts$'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }] },
  setupFilesAfterEnv: ['<rootDir>/__tests__/helpers/setup.ts'],
  // cdktf's Testing helpers leave cdktf.outdir.* folders in the temp dir: keep them in .tmp/ and remove them after the run.
  globalSetup: '<rootDir>/__tests__/helpers/global-setup.js',
  globalTeardown: '<rootDir>/__tests__/helpers/global-teardown.js',
  testTimeout: 60000,
};
