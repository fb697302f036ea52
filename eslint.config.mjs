// ESLint (flat config) for the library, its stacks, examples, scripts and tests: `npm run lint`.
// Rules the code meets today. The binding one: provider packages are imported by deep path only
// (`@cdktf/provider-aws/lib/eks-cluster`); the package root loads every binding (16x slower synth,
// 14x the memory; test/imports.test.ts also catches require() and import()).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const NODE_GLOBALS = Object.fromEntries(
  ["require", "module", "exports", "process", "__dirname", "__filename", "console", "Buffer", "setTimeout", "clearTimeout"].map((g) => [g, "readonly"]),
);

export default tseslint.config(
  { ignores: ["node_modules/", "dist/", ".scratch/", "**/cdktf.out/", "**/.gen/", "test/fixtures/", "coverage/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: NODE_GLOBALS },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "^@cdktf/provider-[a-z0-9-]+$",
              message: "Import provider bindings by deep path (e.g. @cdktf/provider-aws/lib/eks-cluster): the package root loads every binding.",
            },
          ],
        },
      ],
      // `_name` marks a value left out on purpose (destructuring a field away, an unused callback parameter).
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", ignoreRestSiblings: true }],
    },
  },
  {
    // The constructs' code has no `any`. The tools read Terraform JSON, plans and Kubernetes objects of
    // open shape, and tests assert on parsed JSON: `any` stays allowed there (narrowing them to
    // `unknown` is worth doing file by file, not in one sweep).
    files: ["lib/policy/**", "lib/review/**", "lib/terraform/**", "scripts/**", "test/**"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    // CommonJS entry points (the CLI shim, the TypeScript loader, jest's config).
    files: ["**/*.js"],
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
