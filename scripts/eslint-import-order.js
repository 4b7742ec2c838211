// The project's import-order rule for ESLint (eslint.config.js), used because no import plugin is installed
// (eslint-plugin-import / import-x would be the library choice); ESLint's own `sort-imports` sorts the names inside
// one import but orders declarations by their syntax, not their source.
//
// The order: Node built-ins (`node:…`), then packages, then relative modules; one blank line between these groups and
// none inside one; within a group by module specifier (code-point order, so `../` comes before `./`); an import keeps
// its place among imports of the same module (`import type` next to its value import). `--fix` rewrites the block
// when no comment sits between its imports.

/** 0: Node built-in, 1: package, 2: relative module. */
function groupOf(source) {
  if (source.startsWith("node:")) return 0;
  return source.startsWith(".") ? 2 : 1;
}

const GROUP_NAMES = ["Node built-in", "package", "relative"];

/** @type {import("eslint").Rule.RuleModule} */
const importOrder = {
  meta: {
    type: "layout",
    docs: {
      description: "Node built-ins, packages, relative modules; sorted by specifier within each group",
    },
    fixable: "code",
    schema: [],
    messages: {
      group: "{{source}} ({{group}}) must come before the {{previous}} imports",
      sorted: "{{source}} must come before {{previous}} (imports are sorted by module within a group)",
      blankBetween: "one blank line between the {{previous}} imports and the {{group}} imports",
      blankInside: "no blank line between imports of the same group ({{group}})",
    },
  },
  create(context) {
    const sourceCode = context.sourceCode;
    return {
      Program(program) {
        const imports = program.body.filter((node) => node.type === "ImportDeclaration");
        if (imports.length < 2) return;
        const problems = [];
        for (let i = 1; i < imports.length; i += 1) {
          const previous = imports[i - 1];
          const current = imports[i];
          const [pg, cg] = [groupOf(previous.source.value), groupOf(current.source.value)];
          const gap = current.loc.start.line - previous.loc.end.line - 1;
          if (cg < pg) {
            problems.push({
              node: current,
              messageId: "group",
              data: { source: current.source.value, group: GROUP_NAMES[cg], previous: GROUP_NAMES[pg] },
            });
          } else if (cg === pg && current.source.value < previous.source.value) {
            problems.push({
              node: current,
              messageId: "sorted",
              data: { source: current.source.value, previous: previous.source.value },
            });
          } else if (cg !== pg && gap !== 1) {
            problems.push({
              node: current,
              messageId: "blankBetween",
              data: { group: GROUP_NAMES[cg], previous: GROUP_NAMES[pg] },
            });
          } else if (cg === pg && gap > 0) {
            problems.push({ node: current, messageId: "blankInside", data: { group: GROUP_NAMES[cg] } });
          }
        }
        if (problems.length === 0) return;
        // One fix for the whole block: the imports sorted (stable) and regrouped, unless the block holds anything
        // but imports (comments or other statements between them would be lost or moved).
        const first = imports[0];
        const last = imports[imports.length - 1];
        const contiguous = program.body.indexOf(last) - program.body.indexOf(first) === imports.length - 1;
        const commented = sourceCode
          .getAllComments()
          .some((comment) => comment.range[0] > first.range[0] && comment.range[1] < last.range[1]);
        const fix =
          contiguous && !commented
            ? (fixer) => {
                const sorted = imports
                  .map((node, index) => ({ node, index, group: groupOf(node.source.value) }))
                  .sort(
                    (a, b) =>
                      a.group - b.group ||
                      (a.node.source.value < b.node.source.value
                        ? -1
                        : a.node.source.value > b.node.source.value
                          ? 1
                          : a.index - b.index),
                  );
                const text = sorted
                  .map(
                    (entry, i) =>
                      (i > 0 && sorted[i - 1].group !== entry.group ? "\n" : "") +
                      sourceCode.getText(entry.node),
                  )
                  .join("\n");
                return fixer.replaceTextRange([first.range[0], last.range[1]], text);
              }
            : undefined;
        problems.forEach((problem, i) =>
          context.report(i === 0 && fix !== undefined ? { ...problem, fix } : problem),
        );
      },
    };
  },
};

export default { rules: { "import-order": importOrder } };
