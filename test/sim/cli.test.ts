import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import hre from "hardhat";

import simRunAction from "../../tasks/sim/run.action.js";
import { hardhat } from "../helpers/cli.js";

describe("sim:run (task)", function () {
  this.timeout(120_000);
  let dir = "";

  before(async function () {
    dir = await mkdtemp(path.join(tmpdir(), "sim-cli-"));
  });

  after(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  it("exits 1 with --json naming the failed expectation", async function () {
    const file = path.join(dir, "failing.json");
    await writeFile(
      file,
      JSON.stringify({
        name: "failing",
        users: [{ id: "alice" }],
        steps: [
          { btc: "fund", user: "alice", sats: 1000 },
          { btc: "mine" },
          { oracle: "sync" },
          { expect: { rbtcFree: { alice: "999" } } },
        ],
      }),
    );
    const { code, stdout } = await hardhat(["sim:run", "--scenario", file, "--json"]);
    expect(code).to.equal(1);
    const report = JSON.parse(stdout) as {
      passed: boolean;
      failures: string[];
      steps: { gasUsed: string }[];
    };
    expect(report.passed).to.equal(false);
    expect(report.failures).to.deep.equal(["step 3: rbtcFree of alice: expected 999, actual 1000"]);
    expect(BigInt(report.steps[2]?.gasUsed ?? "0")).to.be.greaterThan(0n);
  });

  it("prints progress on stderr and only the report on stdout, in table mode too (in process)", async function () {
    const file = path.join(dir, "tiny.json");
    await writeFile(
      file,
      JSON.stringify({ name: "tiny", users: [{ id: "alice", bind: false }], steps: [{ btc: "mine" }] }),
    );
    const [stdout, stderr]: [string[], string[]] = [[], []];
    const [log, error] = [console.log, console.error];
    console.log = (...args: unknown[]) => stdout.push(args.join(" "));
    console.error = (...args: unknown[]) => stderr.push(args.join(" "));
    try {
      await simRunAction({ scenario: file, deploymentChainId: "", deploymentDir: "", json: false }, hre);
    } finally {
      console.log = log;
      console.error = error;
    }
    expect(stdout).to.have.length(1);
    expect(stdout[0])
      .to.include("scenario")
      .and.match(/^PASS: 1\/1 steps/m);
    expect(stdout[0]).to.not.include("…");
    expect(stderr.some((line) => line.startsWith("… deployed on chain"))).to.equal(true);
    expect(stderr.some((line) => line.startsWith("… ok   step 0: btc mine 1"))).to.equal(true);
  });

  it("exits 2 before running anything when the scenario is invalid", async function () {
    const file = path.join(dir, "invalid.json");
    await writeFile(file, JSON.stringify({ name: "x", users: [{ id: "a" }], steps: [{ do: "teleport" }] }));
    const { code, stdout, stderr } = await hardhat(["sim:run", "--scenario", file]);
    expect(code).to.equal(2);
    expect(stdout).to.not.include("deployed");
    expect(stderr.trim()).to.equal(
      'error: step 0: unknown do action "teleport" (expected wrap, redeem, transfer, depositFee, withdrawFee, ' +
        "advanceTime, executeQueuedMint, cancelQueuedMint, dispute, resolve, expireDispute, fundDisputeRewards, " +
        "joinYield, leaveYield, claimYield, stakeWrBTC, unstakeWrBTC, depositLiquidity, fundRewards)",
    );
  });
});
