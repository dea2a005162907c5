// Two projects: `unit` (pure code, no services) and `integration` (real Kafka, Postgres, Redis).
// Integration files end in `.int.spec.ts`; each isolates itself with its own topics, database
// (cloned from the migrated template) and Redis key prefix, so files can run in any order.
const swc = [
  '@swc/jest',
  {
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
  },
];
const moduleNameMapper = {
  '^@app/([a-z-]+)$': '<rootDir>/libs/$1/src',
  '^@app/([a-z-]+)/(.*)$': '<rootDir>/libs/$1/src/$2',
};
const common = {
  rootDir: __dirname,
  // content-disposition (under @fastify/static, used for /docs) ships ESM only; Node 20 requires
  // it natively, Jest needs it transformed to CommonJS.
  transform: { '^.+\\.ts$': swc, '/content-disposition/.+\\.js$': swc },
  transformIgnorePatterns: ['/node_modules/(?!(@fastify/static/node_modules/)?content-disposition/)'],
  moduleNameMapper,
  testEnvironment: 'node',
  modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/.local/'],
};
module.exports = {
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/{apps,libs,load-tests,scripts,infra}/**/*.spec.ts'],
      testPathIgnorePatterns: ['\\.int\\.spec\\.ts$', '/node_modules/'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs,load-tests,scripts,infra}/**/*.int.spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/libs/testing/src/integration-timeout.ts'],
      globalSetup: '<rootDir>/libs/testing/src/global-setup.ts',
      globalTeardown: '<rootDir>/libs/testing/src/global-teardown.ts',
    },
  ],
};
