// The subgraph's AssemblyScript mappings linted with type information, against the bindings `graph codegen` wrote to
// subgraph/generated/ and AssemblyScript's standard library types (subgraph/tsconfig.json). The project's lint
// (eslint.config.js) checks them without types, since the bindings exist only after codegen; the subgraph checks
// (test-subgraph/subgraph.test.ts) run this one right after their codegen + build.
import tseslint from "typescript-eslint";

import base, { SUBGRAPH_MAPPINGS } from "./eslint.config.js";

const typeChecked = tseslint.configs.recommendedTypeChecked.map((config) => ({
  ...config,
  files: [SUBGRAPH_MAPPINGS],
}));

export default [
  ...base,
  ...typeChecked,
  {
    files: [SUBGRAPH_MAPPINGS],
    languageOptions: {
      parserOptions: {
        projectService: false,
        project: ["./subgraph/tsconfig.json"],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      "@typescript-eslint/switch-exhaustiveness-check": [
        "error",
        { considerDefaultExhaustiveForUnions: true },
      ],
      // AssemblyScript (graph-cli's asc 0.19) has no `import type`.
      "@typescript-eslint/consistent-type-imports": "off",
    },
  },
];
