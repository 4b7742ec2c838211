import js from "@eslint/js";
import tseslint from "typescript-eslint";

import importOrder from "./scripts/eslint-import-order.js";

/**
 * The subgraph's AssemblyScript mappings import the bindings `graph codegen` writes to subgraph/generated/, which do
 * not exist on a fresh clone before the contracts are compiled: here they are linted without type information, and
 * the subgraph checks lint them type-aware once codegen has run (eslint.subgraph.config.js).
 */
export const SUBGRAPH_MAPPINGS = "subgraph/src/**/*.ts";

export default tseslint.config(
  {
    ignores: [
      "node_modules/",
      "artifacts/",
      "cache/",
      "types/",
      "dist/",
      "coverage/",
      "dashboard/dist/",
      "subgraph/node_modules/",
      "subgraph/generated/",
      "subgraph/build/",
      "subgraph/build-runtime/",
      "deploy/deployments/",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      // Each file is checked with the program of its nearest tsconfig.json (the project's, dashboard/'s).
      parserOptions: {
        project: ["./tsconfig.json", "./dashboard/tsconfig.json"],
        tsconfigRootDir: import.meta.dirname,
      },
    },
  },
  {
    plugins: { reservebtc: importOrder },
    rules: {
      "reservebtc/import-order": "error",
      // Declarations are ordered by reservebtc/import-order; this sorts the names inside one import.
      "sort-imports": ["error", { ignoreDeclarationSort: true }],
    },
  },
  {
    files: ["**/*.ts"],
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      // A switch over a union lists every member or says what the others do in a `default:` branch.
      "@typescript-eslint/switch-exhaustiveness-check": [
        "error",
        { considerDefaultExhaustiveForUnions: true },
      ],
      // Off on purpose: our `async` functions without `await` implement Promise-returning contracts (Fastify handlers,
      // task actions, source and store interfaces), where `async` turns a throw into a rejection; dropping it would
      // change how errors travel, and wrapping returns in Promise.resolve adds nothing.
      "@typescript-eslint/require-await": "off",
    },
  },
  {
    files: ["**/*.js", "**/*.mjs"],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { process: "readonly", console: "readonly", URL: "readonly" },
    },
  },
  {
    files: [SUBGRAPH_MAPPINGS],
    ...tseslint.configs.disableTypeChecked,
    // AssemblyScript (graph-cli's asc 0.19) has no `import type`.
    rules: {
      ...tseslint.configs.disableTypeChecked.rules,
      "@typescript-eslint/consistent-type-imports": "off",
    },
  },
);
