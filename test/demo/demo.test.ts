import { expect } from "chai";
import { network } from "hardhat";

import type { DemoReport } from "../../src/demo/run.js";
import { DEMO_EXPECTED, describeAnswer, evaluateChecks, runDemo, satisfies } from "../../src/demo/run.js";
import { QUERY_NAMES } from "../../src/query/types.js";
import { renderDemo } from "../../tasks/demo/demo.action.js";
import { hardhat } from "../helpers/cli.js";

const ALICE_ATTESTED = "alice: attested sats (150,000 − 120,000 spent)";

describe("demo", function () {
  this.timeout(180_000);
  let report: DemoReport;
  const progress: string[] = [];

  before(async function () {
    report = await runDemo(await network.create(), { progress: (m) => progress.push(m) });
  });

  it("computes the verdict from the checks, each with expected and actual", function () {
    expect(report.checks.map((c) => c.name)).to.deep.equal(Object.keys(DEMO_EXPECTED));
    for (const check of report.checks) {
      expect(check.expected).to.equal(DEMO_EXPECTED[check.name]);
      expect(check.ok).to.equal(satisfies(check.expected, check.actual));
    }
    expect(report.verdict).to.equal(report.checks.every((c) => c.ok) ? "pass" : "fail");
  });

  it("checks the scripted history: balances, burns, the dispute, yield and reserves", function () {
    expect(report.checks.filter((c) => !c.ok)).to.deep.equal([]);
    expect(report.verdict).to.equal("pass");
    expect(report.queries.every((q) => q.available)).to.equal(true);
    const actual = (name: string) => report.checks.find((c) => c.name === name)?.actual;
    expect(actual(ALICE_ATTESTED)).to.equal("30000");
    expect(actual("emergency burn of dave: reason")).to.equal("FEE_EXHAUSTED");
    expect(actual("dispute on bob: status")).to.equal("rejected");
    expect(actual("proof of reserves: rounds committed")).to.equal("3");
    expect(BigInt(actual("yield: alice claimed (reward units)") ?? "0")).to.be.greaterThan(0n);
  });

  it("fails when an expectation does not match the history", function () {
    const mutated = evaluateChecks(report.observations, { ...DEMO_EXPECTED, [ALICE_ATTESTED]: "1" });
    expect(mutated.verdict).to.equal("fail");
    expect(mutated.checks.find((c) => c.name === ALICE_ATTESTED)).to.deep.equal({
      name: ALICE_ATTESTED,
      expected: "1",
      actual: "30000",
      ok: false,
    });
    const missing = evaluateChecks(report.observations, { "never observed": "1" });
    expect(missing.checks[0]).to.include({ actual: "(not observed)", ok: false });
  });

  it("times each of the eight realtime queries and fails an unavailable one", function () {
    expect(report.queries.map((q) => q.name)).to.deep.equal([...QUERY_NAMES]);
    for (const query of report.queries) {
      expect(query.latencyMs).to.be.a("number").and.at.least(0);
      const check = report.checks.find((c) => c.name === `query ${query.name}: answered`);
      expect(check?.ok).to.equal(query.available);
      if (query.detail.startsWith("unavailable")) expect(query.available).to.equal(false);
    }
    const unavailable = describeAnswer({ available: false, reason: "DisputeManager is not deployed" });
    expect(unavailable).to.deep.equal({
      available: false,
      detail: "unavailable: DisputeManager is not deployed",
    });
    const observations = {
      ...report.observations,
      "query disputes: answered": String(unavailable.available),
    };
    const failed = evaluateChecks(observations);
    expect(failed.verdict).to.equal("fail");
    expect(failed.checks.filter((c) => !c.ok).map((c) => c.name)).to.deep.equal(["query disputes: answered"]);
  });

  it("reports components and the live metrics", function () {
    expect(report.components.map((c) => c.name)).to.include.members([
      "bitcoin devnet (Esplora)",
      "oracle",
      "disputeManager",
      "proofOfReserves",
      "yieldPool",
      "oracle committee",
      "realtime queries (rpc)",
      "reserves audit",
    ]);
    const m = report.metrics;
    expect(Object.keys(m.balances)).to.deep.equal(["alice", "bob", "carol", "dave"]);
    expect(m.balances.alice?.attestedSats).to.equal(30_000n);
    expect(m.burns).to.deep.equal({
      normalBurnedSats: 120_000n,
      emergency: 1,
      byReason: { FEE_EXHAUSTED: 1 },
    });
    expect(m.disputes).to.deep.equal({ open: 0, upheld: 0, rejected: 1, expired: 0 });
    expect(m.yieldParticipants).to.deep.equal({ holders: 3n, liquidityProviders: 1n });
    expect(m.monitoredAddresses).to.equal(4);
    expect(m.isFullyBacked).to.equal(true);
    expect(m.transactionCount).to.be.greaterThan(30);
    expect(progress.some((line) => line.startsWith("query proof-of-reserves:"))).to.equal(true);
  });

  it("runs the committee as three operator nodes on loopback, each signing every request", function () {
    expect(report.committee.nodes).to.have.length(3);
    for (const node of report.committee.nodes) {
      expect(node.url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(node).to.include({ refused: 0, failed: 0 });
      expect(node.signed).to.be.at.least(10);
    }
    expect(new Set(report.committee.nodes.map((n) => n.operator)).size).to.equal(3);
  });

  it("renders every section of the system report", function () {
    const text = renderDemo(report);
    for (const section of [
      "components:",
      "operator nodes (requests signed / refused / failed):",
      "rounds:",
      "balances (sats):",
      "realtime queries",
      "live metrics:",
      "checks",
    ]) {
      expect(text).to.include(section);
    }
    expect(text).to.match(
      new RegExp(`verdict: ${report.verdict.toUpperCase()} — \\d+ of ${report.checks.length}`),
    );
  });

  it("says what each duration of the verdict measured", function () {
    const run = `${(report.durationMs / 1000).toFixed(1)} s`;
    expect(renderDemo(report).split("\n").at(-1)).to.match(
      new RegExp(`checks hold; the scenario and its checks ran in ${run}$`),
    );
    expect(renderDemo(report, { compileMs: 50_210, totalMs: 74_040 }).split("\n").at(-1)).to.match(
      new RegExp(
        `checks hold; the scenario and its checks ran in ${run}; compiling took 50\\.2 s; the whole demo 74\\.0 s$`,
      ),
    );
  });
});

describe("demo (task)", function () {
  this.timeout(180_000);

  it("prints one JSON report on stdout, progress on stderr, and exits by the verdict", async function () {
    const { code, stdout, stderr } = await hardhat(["demo", "--json"]);
    // Nothing but the document on stdout (no blank lines from the build before it).
    expect(stdout).to.match(/^\{\n/);
    const json = JSON.parse(stdout) as {
      verdict: string;
      checks: unknown[];
      queries: unknown[];
      metrics: object;
    };
    expect(json.checks).to.have.length(Object.keys(DEMO_EXPECTED).length);
    expect(json.queries).to.have.length(8);
    expect(json.metrics).to.have.keys([
      "balances",
      "backingRatio",
      "isFullyBacked",
      "burns",
      "disputes",
      "yieldParticipants",
      "monitoredAddresses",
      "transactionCount",
    ]);
    expect(stderr).to.include("… bound alice's p2wpkh");
    expect(json.verdict).to.equal("pass");
    expect(code).to.equal(0);
  });
});
