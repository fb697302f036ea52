/**
 * Tests are transformed by @swc/jest (type-checking is the separate `tsc --noEmit` in `npm test`).
 * Two projects: "unit" (everything but test/integration/) and "integration" (test/integration/: real
 * MLflow, Feast, DVC, checkov, PostgreSQL, Redis, moto). `npm test` runs both;
 * `npm test -- --selectProjects unit` runs the fast one only.
 */
const shared = {
  testEnvironment: "node",
  transform: { "^.+\\.ts$": ["@swc/jest", { jsc: { parser: { syntax: "typescript" }, target: "es2022" }, module: { type: "commonjs" } }] },
  moduleNameMapper: {
    "^cdktf-ml-platform$": "<rootDir>/lib/index.ts",
    "^cdktf-ml-platform/policy$": "<rootDir>/lib/policy/index.ts",
    "^cdktf-ml-platform/review$": "<rootDir>/lib/review/index.ts",
    "^cdktf-ml-platform/testing$": "<rootDir>/lib/terraform/index.ts",
  },
};

module.exports = {
  projects: [
    {
      ...shared,
      displayName: "unit",
      roots: ["<rootDir>/test"],
      testMatch: ["**/*.test.ts"],
      testPathIgnorePatterns: ["/node_modules/", "<rootDir>/test/integration/"],
    },
    {
      ...shared,
      displayName: "integration",
      roots: ["<rootDir>/test/integration"],
      testMatch: ["**/*.test.ts"],
      // Builds the pinned Python venvs (test/support/python.ts) once, before the workers start.
      globalSetup: "<rootDir>/test/integration/global-setup.ts",
    },
  ],
  // Terraform plans and the integration servers run in child processes; two workers match the two cores.
  maxWorkers: 2,
  testTimeout: 240000,
};
