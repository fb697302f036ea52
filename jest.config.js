/** Tests are transformed by @swc/jest (type-checking is the separate `tsc --noEmit` in `npm test`). */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["@swc/jest", { jsc: { parser: { syntax: "typescript" }, target: "es2022" }, module: { type: "commonjs" } }] },
  moduleNameMapper: { "^cdktf-ml-platform$": "<rootDir>/lib/index.ts" },
  // Terraform plans run in child processes; two workers match the two cores.
  maxWorkers: 2,
  testTimeout: 240000,
};
