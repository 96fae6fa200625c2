// The SDK warns about Node 20 on every client; the README says why Node 20 is still fine here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: '<rootDir>/test/support/engine-environment.ts',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.[tj]s$': ['ts-jest', { tsconfig: { allowJs: true, isolatedModules: true }, diagnostics: false }] },
  // middy, jose and temporal-polyfill (the on-call tests' reference) ship ESM only: let ts-jest compile it like our own code.
  transformIgnorePatterns: ['/node_modules/(?!(@middy|jose|openid-client|oauth4webapi|temporal-polyfill|temporal-utils)/)'],
  setupFiles: ['<rootDir>/test/support/env.ts'],
  testTimeout: 120000,
  maxWorkers: 2,
};
