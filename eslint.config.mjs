import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/**", "out/**", "policies/node_modules/**", "**/*.js", "**/*.mjs"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
      "no-restricted-imports": "off",
    },
  },
  {
    files: ["build/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["@pulumi/*"], message: "build/ runs without Pulumi" },
            {
              group: ["**/components/**", "**/stacks/**", "**/cli/**", "**/policies/**"],
              message: "build/ sits below components/, stacks/ and cli/",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["plan/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [{ group: ["*"], message: "plan/ holds plain types and imports nothing" }] },
      ],
    },
  },
  {
    files: ["runtime/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["@pulumi/*"], message: "runtime/ never imports Pulumi" },
            {
              group: ["**/components/**", "**/stacks/**", "**/cli/**"],
              message: "runtime/ is the bottom layer",
            },
          ],
        },
      ],
    },
  },
);
