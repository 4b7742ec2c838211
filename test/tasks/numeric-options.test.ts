import { spawnSync } from "node:child_process";

import { expect } from "chai";
import { ArgumentType } from "hardhat/types/arguments";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { TaskDefinitionType } from "hardhat/types/tasks";
import type { NewTaskDefinition, TaskArguments } from "hardhat/types/tasks";

import { tasks } from "../../tasks/index.js";

/** The registered definition of a task (as hardhat.config.ts registers it). */
function definition(id: string): NewTaskDefinition & { action: NonNullable<NewTaskDefinition["action"]> } {
  const found = tasks.find((t) => t.type === TaskDefinitionType.NEW_TASK && t.id.join(" ") === id);
  if (found === undefined || found.type !== TaskDefinitionType.NEW_TASK || found.action === undefined) {
    throw new Error(`no task ${id}`);
  }
  return found;
}

/** Runs a registered task's action as Hardhat would, with stderr and the exit code captured. */
async function run(id: string, args: TaskArguments) {
  const errors: string[] = [];
  const [error, exitCode] = [console.error, process.exitCode];
  console.error = (...parts: unknown[]) => errors.push(parts.join(" "));
  try {
    const { default: action } = await definition(id).action();
    await action(args, {} as HardhatRuntimeEnvironment);
    return { errors, exitCode: process.exitCode };
  } finally {
    console.error = error;
    process.exitCode = exitCode;
  }
}

describe("numeric task options (tasks/shared/numeric-options.ts)", function () {
  it("declares every INT, BIGINT and FLOAT option to Hardhat as a string, defaults as text", function () {
    const options = tasks.flatMap((t) =>
      t.type === TaskDefinitionType.NEW_TASK ? Object.values(t.options) : [],
    );
    expect(
      options.filter((o) => [ArgumentType.INT, ArgumentType.BIGINT, ArgumentType.FLOAT].includes(o.type)),
    ).to.deep.equal([]);
    expect(definition("btc:mine").options.blocks).to.include({
      type: ArgumentType.STRING,
      defaultValue: "1",
    });
  });

  context("when a value is not plain non-negative decimal", function () {
    it("prints one line naming the flag and exits 2 before the action runs", async function () {
      const url = "http://127.0.0.1:1"; // never reached: the value is refused first
      for (const [id, args, line] of [
        ["btc:fund", { address: "x", sats: "-5", url }, 'error: --sats: "-5" is not a non-negative integer'],
        ["btc:mine", { blocks: "1.5", url }, 'error: --blocks: "1.5" is not a non-negative integer'],
        ["btc:mine", { blocks: "0x10", url }, 'error: --blocks: "0x10" is not a non-negative integer'],
        [
          "btc:balance",
          { address: "x", minConf: "1e3", url },
          'error: --min-conf: "1e3" is not a non-negative integer',
        ],
        [
          "oracle:sync",
          { operatorTimeout: "soon" },
          'error: --operator-timeout: "soon" is not a non-negative number',
        ],
      ] as const) {
        const out = await run(id, { json: false, ...args });
        expect(out.errors, `${id} ${JSON.stringify(args)}`).to.deep.equal([line]);
        expect(out.exitCode, id).to.equal(2);
      }
    });
  });

  context("when run as a user runs it", function () {
    it("rewords Hardhat's own argument error: one line, exit 2", function () {
      this.timeout(120_000);
      const result = spawnSync("npx", ["hardhat", "btc:fund", "--address", "x", "--sats", "-5"], {
        encoding: "utf8",
        env: { ...process.env, FORCE_COLOR: "0" },
      });
      expect(result.stderr.trim()).to.equal('error: --sats: "-5" is not a non-negative integer');
      expect(result.stdout.trim()).to.equal("");
      expect(result.status).to.equal(2);
    });
  });
});
