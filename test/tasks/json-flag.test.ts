import { readFile } from "node:fs/promises";
import path from "node:path";

import { expect } from "chai";
import { ArgumentType } from "hardhat/types/arguments";

import { tasks } from "../../tasks/index.js";

const ROOT = path.join(import.meta.dirname, "../..");

describe("every task takes --json (README.md, docs/operations.md)", function () {
  it("registers a --json flag on every task of tasks/index.ts", function () {
    const without = tasks
      .filter((t) => "options" in t)
      .filter((t) => {
        const json = (t.options as Record<string, { type: ArgumentType } | undefined>).json;
        return json?.type !== ArgumentType.FLAG;
      })
      .map((t) => t.id.join(" "));
    expect(tasks.length).to.be.greaterThan(30);
    expect(without).to.deep.equal([]);
  });

  it("says so in the README, with what --json means for the long-running tasks", async function () {
    const readme = await readFile(path.join(ROOT, "README.md"), "utf8");
    expect(readme).to.include("Every task takes `--json`");
    for (const longRunning of [
      "oracle:run",
      "oracle:operator",
      "monitor:run",
      "btc:devnet",
      "realtime:serve",
    ]) {
      expect(readme).to.match(
        new RegExp(`Every task takes \`--json\`[^\\n]*(\\n[^\\n]+)*\`${longRunning}\``),
      );
    }
  });
});
