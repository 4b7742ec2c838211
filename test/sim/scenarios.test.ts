import { readFile, readdir } from "node:fs/promises";
import path from "node:path";

import { expect } from "chai";
import { network } from "hardhat";
import type { NetworkConnection } from "hardhat/types/network";

import { runScenario } from "../../src/sim/engine.js";
import type { SimReport } from "../../src/sim/engine.js";
import { ScenarioError, parseScenario, usesYield } from "../../src/sim/scenario.js";
import { ensureMappingsBuilt } from "../../src/subgraph/mappings.js";
import { ROOT, expectStoreAgrees, readAbi, scenarioRun } from "../helpers/store.js";

/** Every scenario in scenarios/ (top level; the 1,000-user one lives in scenarios/bench/ and runs in `npm run bench`). */
const SCENARIO_DIR = "scenarios";
const files = (await readdir(SCENARIO_DIR)).filter((f) => f.endsWith(".json")).sort();

async function runDocument(document: unknown, connection?: NetworkConnection): Promise<SimReport> {
  return runScenario(parseScenario(document), connection ?? (await network.create()));
}

/** A one-user scenario: alice gets 150,000 sats confirmed and synced, then `steps`. */
function withAlice(steps: unknown[]): unknown {
  return {
    name: "inline",
    users: [{ id: "alice" }],
    steps: [{ btc: "fund", user: "alice", sats: 150000 }, { btc: "mine" }, { oracle: "sync" }, ...steps],
  };
}

describe("sim:run scenarios", function () {
  this.timeout(120_000);

  // The store check of every scenario runs the subgraph's compiled mappings: build them once (graph-cli, minutes on
  // a loaded machine; cached under subgraph/build-runtime/ while the mappings do not change).
  before(async function () {
    this.timeout(1_800_000);
    await ensureMappingsBuilt({ root: ROOT, readAbi });
  });

  it("finds at least ten scenarios", function () {
    expect(files.length).to.be.at.least(10);
  });

  for (const file of files) {
    it(`passes ${file}`, async function () {
      const document: unknown = JSON.parse(await readFile(path.join(SCENARIO_DIR, file), "utf8"));
      const connection = await network.create();
      const report = await runDocument(document, connection);
      expect(report.failures, report.failures.join("\n")).to.deep.equal([]);
      expect(report.passed).to.equal(true);
      expect(report.steps.every((s) => s.ok)).to.equal(true);
      // The subgraph's compiled mappings over the same events: entities equal the contracts' state and the
      // postgres source answers the eight queries as the chain does (test/helpers/store.ts).
      await expectStoreAgrees(await scenarioRun(file, connection, report));
    });
  }
});

describe("runScenario", function () {
  this.timeout(60_000);

  context("when an expectation does not hold", function () {
    it("fails naming the step, the field, the user, expected and actual", async function () {
      const report = await runDocument(
        withAlice([{ expect: { rbtcFree: { alice: "1" }, attested: { alice: "150000" } } }]),
      );
      expect(report.passed).to.equal(false);
      expect(report.failures).to.deep.equal(["step 3: rbtcFree of alice: expected 1, actual 150000"]);
      const step = report.steps[3];
      expect(step?.ok).to.equal(false);
      expect(step?.failures[0]).to.include({
        step: 3,
        field: "rbtcFree",
        user: "alice",
        expected: "1",
        actual: "150000",
      });
    });

    it("checks a bound ({gt}) the same way", async function () {
      const report = await runDocument(
        withAlice([{ expect: { feeVaultWei: { alice: { gt: "100000000000000000" } } } }]),
      );
      expect(report.passed).to.equal(false);
      expect(report.failures[0]).to.match(
        /^step 3: feeVaultWei of alice: expected gt 100000000000000000, actual \d+$/,
      );
    });
  });

  context("when a step carries expectError", function () {
    it("fails when the step succeeds", async function () {
      const report = await runDocument(
        withAlice([{ do: "wrap", user: "alice", sats: 1000, expectError: "paused" }]),
      );
      expect(report.passed).to.equal(false);
      expect(report.failures[0]).to.equal(
        'step 3 (do wrap alice 1000): expected an error containing "paused", but the step succeeded',
      );
    });

    it("fails when the error is a different one", async function () {
      const report = await runDocument(
        withAlice([{ do: "wrap", user: "alice", sats: 150001, expectError: "EnforcedPause" }]),
      );
      expect(report.passed).to.equal(false);
      expect(report.failures[0]).to.include('expected an error containing "EnforcedPause", got:');
      expect(report.failures[0]).to.include("RBTCInsufficientFree");
    });

    it("passes when the error matches case-insensitively and nothing changed", async function () {
      const report = await runDocument(
        withAlice([
          { do: "wrap", user: "alice", sats: 150001, expectError: "rbtcinsufficientfree" },
          { expect: { rbtcFree: { alice: "150000" }, wrbtc: { alice: "0" } } },
        ]),
      );
      expect(report.failures).to.deep.equal([]);
    });
  });

  context("when a step fails unexpectedly", function () {
    it("reports the error and skips the remaining steps", async function () {
      const report = await runDocument(
        withAlice([{ do: "redeem", user: "alice", sats: 5 }, { expect: { rbtcFree: { alice: "150000" } } }]),
      );
      expect(report.passed).to.equal(false);
      expect(report.steps[3]?.error).to.include("WrBTCInsufficientEscrow");
      expect(report.steps[4]?.error).to.equal("skipped: an earlier step failed");
    });
  });

  context(
    "when a dispute, emergency-burn, proof-of-reserves or yield expectation does not hold",
    function () {
      it("fails naming the step, the field, expected and actual", async function () {
        const report = await runDocument({
          name: "inline",
          users: [{ id: "alice" }, { id: "bob", bind: false }],
          steps: [
            { btc: "fund", user: "alice", sats: 150000 },
            { btc: "mine" },
            { oracle: "sync" },
            { do: "joinYield", user: "alice" },
            { do: "dispute", challenger: "bob", user: "alice", claimedSats: 1, bondEth: "0.01" },
            {
              expect: {
                yieldClaimed: { alice: { gt: "0" } },
                disputes: { open: 2 },
                proofOfReserves: { isFullyBacked: false, rootMatches: true },
                emergencyBurns: 1,
                yield: { rateBps: 1, holders: 1 },
                emergencyBurnReasons: { alice: ["BACKING_LOST"] },
              },
            },
          ],
        });
        expect(report.deployment.yieldPool).to.match(/^0x[0-9a-fA-F]{40}$/);
        expect(report.failures).to.deep.equal([
          "step 5: yieldClaimed of alice: expected gt 0, actual 0",
          "step 5: disputes.open: expected 2, actual 1",
          "step 5: proofOfReserves.isFullyBacked: expected false, actual true",
          "step 5: emergencyBurns: expected 1, actual 0",
          "step 5: yield.rateBps: expected 1, actual 500",
          'step 5: emergencyBurnReasons of alice: expected ["BACKING_LOST"], actual []',
        ]);
        expect(report.steps[5]?.failures[1]).to.deep.equal({
          step: 5,
          field: "disputes.open",
          user: "",
          expected: "2",
          actual: "1",
          message: "step 5: disputes.open: expected 2, actual 1",
        });
      });
    },
  );

  it("reports gas and timing per step", async function () {
    const report = await runDocument(withAlice([]));
    const sync = report.steps[2];
    expect(sync?.label).to.equal("oracle sync");
    expect(sync?.gasUsed).to.be.greaterThan(0n);
    expect(sync?.details.mintedSats).to.equal("150000");
    expect(report.setup.bindings).to.equal(1);
    expect(report.gasUsed).to.equal(report.setup.gasUsed + report.steps.reduce((s, r) => s + r.gasUsed, 0n));
  });
});

describe("parseScenario", function () {
  const base = { name: "x", users: [{ id: "alice" }] };
  const reject = (document: unknown, message: string) =>
    expect(() => parseScenario(document)).to.throw(ScenarioError, message);

  it("applies the defaults of design.md", function () {
    const scenario = parseScenario({ ...base, steps: [{ oracle: "sync" }] });
    expect(scenario.network).to.deep.equal({ minConfirmations: 1, committee: 3, threshold: 2 });
    expect(scenario.users[0]).to.deep.equal({
      id: "alice",
      btcAddresses: ["p2wpkh"],
      feeVaultWei: 100_000_000_000_000_000n,
      bind: true,
    });
  });

  it("rejects an unknown step kind, naming it", function () {
    reject({ ...base, steps: [{ oracle: "sync" }, { mint: "now" }] }, 'step 1: unknown step kind "mint"');
  });

  it("rejects an unknown action", function () {
    reject({ ...base, steps: [{ btc: "burn" }] }, 'step 0: unknown btc action "burn"');
  });

  it("rejects an unknown expectation field, naming it", function () {
    reject(
      { ...base, steps: [{ expect: { balance: { alice: "1" } } }] },
      'unknown expectation field "balance"',
    );
  });

  it("rejects an unknown key on a step", function () {
    reject(
      { ...base, steps: [{ do: "wrap", user: "alice", sats: 1, amount: 2 }] },
      'step 0: unknown field "amount"',
    );
  });

  it("rejects an unknown user", function () {
    reject(
      { ...base, steps: [{ btc: "fund", user: "mallory", sats: 1 }] },
      'step 0.user: unknown user "mallory"',
    );
  });

  it("parses dispute and yield steps", function () {
    const scenario = parseScenario({
      name: "x",
      users: [{ id: "alice" }, { id: "bob" }],
      steps: [
        { do: "dispute", challenger: "bob", user: "alice", claimedSats: "1", bondEth: "0.01" },
        { do: "resolve", upheld: true, resolvedSats: 5 },
        { do: "depositLiquidity", user: "bob", tokens: "2.5" },
        { expect: { disputes: { upheld: 1 }, proofOfReserves: { rootMatches: true } } },
      ],
    });
    expect(scenario.steps.map((s) => s.action)).to.deep.equal([
      { do: "dispute", challenger: "bob", user: "alice", claimedSats: 1n, bondWei: 10n ** 16n },
      { do: "resolve", upheld: true, resolvedSats: 5n },
      { do: "depositLiquidity", user: "bob", units: 25n * 10n ** 17n },
      {
        expect: {
          perUser: {},
          global: [
            { field: "disputes.upheld", expected: { eq: 1n } },
            { field: "proofOfReserves.rootMatches", expected: true },
          ],
          burnReasons: new Map(),
        },
      },
    ]);
    expect(usesYield(scenario)).to.equal(true);
    expect(usesYield(parseScenario({ ...base, steps: [{ expect: { disputes: { open: 0 } } }] }))).to.equal(
      false,
    );
  });

  it("rejects an unknown key of a system-wide expectation, naming it", function () {
    reject(
      { ...base, steps: [{ expect: { yield: { rate: 1 } } }] },
      'step 0.expect.yield: unknown field "rate" (allowed: rateBps, scaleWad',
    );
    reject(
      { ...base, steps: [{ expect: { proofOfReserves: { isFullyBacked: "yes" } } }] },
      "step 0.expect.proofOfReserves.isFullyBacked: expected true or false",
    );
    reject(
      { ...base, steps: [{ expect: { emergencyBurnReasons: { alice: ["OOPS"] } } }] },
      "step 0.expect.emergencyBurnReasons.alice: expected a list of reason names (FEE_EXHAUSTED, BINDING_REVOKED",
    );
  });

  it("rejects an upheld resolution without the resolved total", function () {
    reject(
      { ...base, steps: [{ do: "resolve", upheld: true }] },
      "step 0.resolvedSats: an upheld dispute needs",
    );
  });

  it("rejects an operator outside the committee", function () {
    reject(
      { ...base, steps: [{ oracle: "kill-operator", operator: 3 }] },
      "no operator 3 in a committee of 3",
    );
  });

  it("parses the operator-fault steps and the refusedBy expectation", function () {
    const scenario = parseScenario({
      ...base,
      steps: [
        { oracle: "operator-lies", operator: 1, inflateSats: 50000 },
        { oracle: "operator-lags", operator: 2, blocks: 3 },
        { oracle: "operator-honest", operator: 1 },
        { oracle: "malicious-proposal", user: "alice", inflateSats: "50000" },
        { expect: { refusedBy: [2, 0], droppedReports: { alice: "1" } } },
      ],
    });
    expect(scenario.steps.map((s) => s.action)).to.deep.equal([
      { oracle: "operator-lies", operator: 1, inflateSats: 50_000n },
      { oracle: "operator-lags", operator: 2, blocks: 3 },
      { oracle: "operator-honest", operator: 1 },
      { oracle: "malicious-proposal", user: "alice", inflateSats: 50_000n },
      {
        expect: {
          perUser: { droppedReports: new Map([["alice", { eq: 1n }]]) },
          global: [],
          burnReasons: new Map(),
          refusedBy: [0, 2],
        },
      },
    ]);
  });

  it("rejects a fault step without its amount, or naming an operator outside the committee", function () {
    reject({ ...base, steps: [{ oracle: "operator-lies", operator: 1 }] }, "step 0.inflateSats");
    reject({ ...base, steps: [{ oracle: "operator-lags", operator: 3, blocks: 1 }] }, "no operator 3");
    reject({ ...base, steps: [{ expect: { refusedBy: [3] } }] }, "refusedBy: no operator 3");
    reject(
      { ...base, steps: [{ oracle: "malicious-proposal", user: "mallory", inflateSats: 1 }] },
      'unknown user "mallory"',
    );
  });

  it("rejects a threshold above the committee size", function () {
    reject(
      { ...base, network: { committee: 2, threshold: 3 }, steps: [{ oracle: "sync" }] },
      "threshold 3 exceeds",
    );
  });

  it("accepts the benchmark scenarios", async function () {
    for (const file of (await readdir(path.join(SCENARIO_DIR, "bench"))).filter((f) => f.endsWith(".json"))) {
      const document: unknown = JSON.parse(await readFile(path.join(SCENARIO_DIR, "bench", file), "utf8"));
      expect(parseScenario(document).users.length).to.be.greaterThan(0);
    }
  });

  it("generates users", function () {
    const scenario = parseScenario({
      name: "g",
      generateUsers: { count: 3, prefix: "u" },
      steps: [{ oracle: "sync" }],
    });
    expect(scenario.users.map((u) => u.id)).to.deep.equal(["u0", "u1", "u2"]);
  });
});
