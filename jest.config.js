/**
 * Two projects:
 * - unit: everything under test/ except test/moto (no AWS, no network; CDK assertion tests skip bundling);
 * - moto: the AWS adapters against a moto server (`npm run test:moto`); each file starts its own moto_server;
 * - artifact: the synthesized cloud assembly's bundles under their template roles, on moto (`npm run test:artifact`).
 * @middy/* ships ESM only, so node_modules/@middy is transformed too (swc handles .js as well as .ts).
 */
const transform = { '^.+\\.(t|j)sx?$': ['@swc/jest'] };
const transformIgnorePatterns = ['/node_modules/(?!(@middy)/)'];

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 30000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '/test/moto/', '\\.artifact\\.test\\.ts$'],
      transform,
      transformIgnorePatterns,
    },
    {
      displayName: 'moto',
      testEnvironment: 'node',
      roots: ['<rootDir>/test'],
      testMatch: ['<rootDir>/test/moto/**/*.test.ts'],
      transform,
      transformIgnorePatterns,
    },
    {
      displayName: 'artifact',
      testEnvironment: 'node',
      roots: ['<rootDir>/test'],
      testMatch: ['<rootDir>/test/artifact/**/*.artifact.test.ts'],
      transform,
      transformIgnorePatterns,
    },
  ],
};
