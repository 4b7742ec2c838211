// The dashboard's honesty: the monitor's rules colour its lights and list its alerts, and backing is shown both as the
// chain says it and as the Bitcoin-side audit (reserves:check) finds it. A fresh system on the in-process network,
// a Bitcoin devnet on a free 127.0.0.1 port, committee-signed rounds, `realtime:serve`'s server, and the page in
// Debian's headless Chromium. Every wait is on a condition, with generous bounds.
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { network } from "hardhat";
import { chromium } from "playwright-core";
import type { Browser, Page } from "playwright-core";

import { startDevnet } from "../../src/bitcoin/devnet/server.js";
import type { RunningDevnet } from "../../src/bitcoin/devnet/server.js";
import { DevnetWallet } from "../../src/bitcoin/devnet/wallet.js";
import { EsploraClient } from "../../src/bitcoin/esplora.js";
import type { DashboardStatus } from "../../src/dashboard/types.js";
import { deploymentOf } from "../../src/deployments.js";
import { DEFAULT_THRESHOLDS } from "../../src/monitor/config.js";
import { emptyState, saveState } from "../../src/monitor/state.js";
import { LocalCommittee } from "../../src/oracle/committee.js";
import { runSyncRound } from "../../src/oracle/round.js";
import { committeeWallets } from "../../src/oracle/signing.js";
import { RpcSource } from "../../src/query/rpc.js";
import { ChainEventStream } from "../../src/query/stream.js";
import { startRealtimeServer } from "../../src/realtime/serve.js";
import type { RealtimeServer } from "../../src/realtime/serve.js";
import { bindAndFundAliceAndBob, deployOracleSystem } from "../helpers/oracle.js";
import type { OracleSystem } from "../helpers/oracle.js";

const CHROMIUM = "/usr/bin/chromium";
const ARTIFACTS = "test-artifacts";
const CHAIN_ID = 31337n;
const CONFIRMATIONS = 3; // ORACLE_TEST_PARAMETERS.minConfirmations
const WAIT_MS = 90_000;

const connection = await network.create();

/** Polls `read` until `ok` holds (bounded); returns the value that satisfied it. */
async function waitFor<T>(what: string, read: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  let last: T | undefined;
  for (;;) {
    last = await read();
    if (ok(last)) return last;
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last).slice(0, 2_000)}`);
    }
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const condition = (s: DashboardStatus, kind: string) => s.alerts.conditions.find((c) => c.kind === kind);

describe("dashboard: the monitor's rules and the Bitcoin-side audit", function () {
  this.timeout(300_000);
  let devnet: RunningDevnet;
  let s: OracleSystem;
  let server: RealtimeServer;
  let browser: Browser | undefined;
  let dir: string;
  let runnerState: string;
  let sync: () => Promise<unknown>;
  let aliceBtc: string;
  let oracleAddress: string;
  const outside = new DevnetWallet("outside-dash", "regtest").address("p2wpkh").address;

  const status = async (): Promise<DashboardStatus> => {
    const res = await fetch(`${server.url}/api/dashboard/status`);
    expect(res.status).to.equal(200);
    return (await res.json()) as DashboardStatus;
  };
  /** The next status computed at or after the current chain head that satisfies `ok`. */
  const statusWhen = async (what: string, ok: (s: DashboardStatus) => boolean) => {
    const head = await connection.ethers.provider.getBlockNumber();
    return waitFor(what, status, (x) => (x.chain.head?.block ?? -1) >= head && ok(x));
  };
  /** Waits for an audit that started after now to finish (the Bitcoin side read after the caller's last change). */
  const freshAudit = async () => {
    const auditor = server.dashboard.reserveAuditor;
    if (auditor === undefined) throw new Error("no auditor");
    const t0 = Date.now();
    auditor.trigger();
    await waitFor(
      "a fresh audit",
      async () => auditor.snapshot(),
      (a) => a.configured && a.lastAttemptAt !== null && a.lastAttemptAt >= t0 && !a.running,
    );
  };

  const newPage = async (): Promise<Page> => {
    browser ??= await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox"] });
    const page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
    page.setDefaultTimeout(WAIT_MS);
    return page;
  };

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: install Debian's chromium (npm test does it)`);
    }
    await mkdir(ARTIFACTS, { recursive: true });
    dir = await mkdtemp(path.join(tmpdir(), "reservebtc-dashboard-"));
    runnerState = path.join(dir, "runner-state.json");
    devnet = await startDevnet({ port: 0 });
    s = await deployOracleSystem(connection);
    const deployment = await deploymentOf(CHAIN_ID, s);
    oracleAddress = deployment.oracle;
    const esplora = new EsploraClient({ baseUrl: devnet.url, network: "regtest" });
    const committee = new LocalCommittee(committeeWallets(3), 2);
    ({ aliceBtc } = await bindAndFundAliceAndBob(s, devnet.chain, "dash", CONFIRMATIONS));
    // One round of the runner: reports signed by the committee, then the reserve round.
    sync = () =>
      runSyncRound(s.oracle, s.rbtc, esplora, committee.batchSigner(s.oracle), {
        reserves: { contract: s.proofOfReserves, sign: committee.reserveSigner(s.proofOfReserves) },
      });
    await sync();

    const provider = connection.ethers.provider;
    const stream = new ChainEventStream(provider, deployment, 20);
    server = await startRealtimeServer({
      source: new RpcSource(provider, deployment, { head: () => stream.head() }),
      stream,
      chain: { provider, deployment },
      bitcoin: [devnet.url],
      host: "127.0.0.1",
      audit: { tipPollMs: 200, intervalMs: 30_000 },
      monitorStateFiles: [runnerState],
      refreshMs: 500,
    });
  });

  after(async function () {
    await browser?.close();
    await server?.close();
    await devnet?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it("healthy: every light green, no alert, and a committee that signed exactly the threshold is not amber", async function () {
    const x = await statusWhen(
      "a healthy status with a finished audit",
      (v) => v.audit.configured && v.audit.state === "ok",
    );
    expect(x.lights).to.deep.equal({
      backing: "ok",
      oracle: "ok",
      committee: "ok",
      bitcoin: "ok",
      chain: "ok",
      subgraph: "off",
    });
    expect(x.alerts.active).to.deep.equal([]);
    expect(x.alerts.conditions.map((c) => [c.kind, c.state])).to.deep.equal([
      ["backing-deficit", "ok"],
      ["oracle-lag", "ok"],
      ["oracle-stalled", "ok"],
      ["round-failed", "unknown"],
      ["operators-low", "unknown"],
    ]);
    expect(x.alerts.thresholds).to.deep.equal(DEFAULT_THRESHOLDS);
    if (!x.committee.available) throw new Error("committee unavailable");
    expect([x.committee.signersSeen, x.committee.threshold]).to.deep.equal([2, 2]);
    if (!x.audit.configured || x.audit.result === null) throw new Error("no audit result");
    expect(x.audit.result).to.deep.include({
      bitcoinSats: "230000",
      liabilitiesSats: "230000",
      deficitSats: "0",
      fullyBacked: true,
      discrepancyCount: 0,
    });
  });

  it("oracle-lag: a Bitcoin tip more than maxLagBlocks ahead of the attested height turns the Oracle amber", async function () {
    devnet.chain.mine(DEFAULT_THRESHOLDS.maxLagBlocks + 1);
    const x = await statusWhen("oracle-lag", (v) => condition(v, "oracle-lag")?.state === "active");
    expect(x.lights.oracle).to.equal("warn");
    const alert = x.alerts.active.find((a) => a.kind === "oracle-lag");
    expect(alert).to.deep.include({ severity: "warning", sinceSource: "server" });
    expect(alert?.summary).to.match(/^oracle lags Bitcoin by 7 blocks/);
    await sync();
    const y = await statusWhen("lag resolved", (v) => condition(v, "oracle-lag")?.state === "ok");
    expect(y.lights.oracle).to.equal("ok");
    expect(y.alerts.active).to.deep.equal([]);
  });

  it("backing-deficit from Bitcoin: BTC spent and no round since — the chain says 100 %, the audit says deficit and names the user", async function () {
    devnet.chain.spend(aliceBtc, outside, 100_000n);
    devnet.chain.mine(CONFIRMATIONS);
    await freshAudit();
    const x = await statusWhen("the audit's deficit", (v) => v.lights.backing === "down");
    // The chain alone still reads fully backed (no round has burned anything yet).
    expect(x.reserves).to.deep.include({ available: true, isFullyBacked: true, backingRatio: "1.000000" });
    if (!x.audit.configured || x.audit.result === null) throw new Error("no audit result");
    expect(x.audit.result).to.deep.include({
      bitcoinSats: "130000",
      liabilitiesSats: "230000",
      deficitSats: "100000",
      fullyBacked: false,
      deficitUsers: 1,
    });
    expect(x.audit.result.discrepancies.map((u) => [u.user, u.status, u.deficitSats])).to.deep.equal([
      [s.alice.address, "deficit", "100000"],
    ]);
    const alert = x.alerts.active.find((a) => a.kind === "backing-deficit");
    expect(alert).to.deep.include({ severity: "critical", source: "dashboard" });
    expect(alert?.summary).to.include("deficit 100000 sats").and.include(s.alice.address);
    expect(x.alerts.active[0]?.severity).to.equal("critical");
  });

  it("the page turns red on that deficit and lists the alert at the top", async function () {
    const page = await newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${server.url}/`);
    await page.locator('#alerts-bar[data-state="critical"]').waitFor();
    await page.locator('#alerts li[data-kind="backing-deficit"][data-severity="critical"]').waitFor();
    expect(await page.locator('#alerts li[data-kind="backing-deficit"]').textContent()).to.match(/since /);
    await page.locator('#backing[data-health="down"]').waitFor();
    await page.locator('#comp-backing[data-health="down"]').waitFor();
    expect(await page.locator("#backing-verdict").textContent()).to.match(/^DEFICIT/);
    expect(await page.locator("#backing").getAttribute("data-fully-backed")).to.equal("false");
    await page.locator(`#audit-users tr[data-user="${s.alice.address}"][data-status="deficit"]`).waitFor();
    expect(await page.locator("#audit-deficit").textContent()).to.equal("100,000 sats (0.00100000 BTC)");
    expect(await page.locator("#audit-deficit").getAttribute("class")).to.equal("alert");
    expect(errors).to.deep.equal([]);
    await page.screenshot({ path: path.join(ARTIFACTS, "dashboard-deficit.png"), fullPage: true });
    await page.close();
  });

  it("oracle-stalled: no reserve round for more than stallSeconds turns the Oracle light red, since the stall began", async function () {
    const page = await newPage();
    await page.goto(`${server.url}/`);
    await page.locator('#comp-oracle[data-health="ok"], #comp-oracle[data-health="warn"]').waitFor();
    const round = await s.proofOfReserves.round(await s.proofOfReserves.latestRoundId());
    // The runner is stopped: chain time moves on with no round.
    await connection.networkHelpers.time.increase(DEFAULT_THRESHOLDS.stallSeconds + 60);
    const x = await statusWhen("oracle-stalled", (v) => condition(v, "oracle-stalled")?.state === "active");
    expect(x.lights.oracle).to.equal("down");
    const alert = x.alerts.active.find((a) => a.kind === "oracle-stalled");
    expect(alert).to.deep.include({
      severity: "critical",
      sinceSource: "chain",
      since: (Number(round.committedAt) + DEFAULT_THRESHOLDS.stallSeconds) * 1000,
    });
    await page.locator('#comp-oracle[data-health="down"]').waitFor();
    await page.locator('#alerts li[data-kind="oracle-stalled"]').waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, "dashboard-stalled.png"), fullPage: true });
    await page.close();
  });

  it("the runner's next round clears the stall and, having burned what was spent, the deficit", async function () {
    await sync();
    await freshAudit();
    const x = await statusWhen(
      "all clear",
      (v) => v.alerts.active.length === 0 && v.lights.backing === "ok" && v.lights.oracle === "ok",
    );
    if (!x.audit.configured || x.audit.result === null) throw new Error("no audit result");
    expect(x.audit.result).to.deep.include({ bitcoinSats: "130000", deficitSats: "0", fullyBacked: true });
  });

  it("dispute-opened: an open dispute is a warning alert since it was opened", async function () {
    const tx = await s.disputeManager
      .connect(s.carol)
      .openDispute(s.bob.address, 1n, "ipfs://evidence", { value: 10n ** 16n });
    const block = await connection.ethers.provider.getBlock((await tx.wait())?.blockNumber ?? 0);
    const x = await statusWhen("dispute alert", (v) =>
      v.alerts.active.some((a) => a.kind === "dispute-opened"),
    );
    const alert = x.alerts.active.find((a) => a.kind === "dispute-opened");
    expect(alert).to.deep.include({
      severity: "warning",
      sinceSource: "chain",
      since: (block?.timestamp ?? 0) * 1000,
      summary: `dispute 1 opened on ${s.bob.address}: claims 1 sats, attested 80000`,
    });
  });

  it("round-failed and operators-low, known only to the runner's monitor, come from its state file", async function () {
    const state = emptyState(CHAIN_ID, oracleAddress);
    const since = "2026-01-01T00:00:00.000Z";
    state.conditions["round-failed"] = {
      alertId: "round-failed:firing:1",
      block: 1,
      since,
      summary: "2 oracle rounds failed in a row (bitcoin: connection refused)",
    };
    state.conditions["operators-low"] = {
      alertId: "operators-low:firing:1",
      block: 1,
      since,
      summary: "2 of 3 operators live; threshold 2, alert below 3",
    };
    await saveState(runnerState, state);
    const x = await statusWhen("runner conditions", (v) => condition(v, "round-failed")?.state === "active");
    expect(x.lights.oracle).to.equal("down");
    expect(x.lights.committee).to.equal("warn");
    expect(condition(x, "operators-low")).to.deep.include({
      state: "active",
      source: `monitor:${runnerState}`,
    });
    expect(x.alerts.active.find((a) => a.kind === "round-failed")).to.deep.include({
      severity: "critical",
      since: Date.parse(since),
      sinceSource: "monitor",
    });
    await rm(runnerState);
    await statusWhen("runner conditions gone", (v) => condition(v, "round-failed")?.state === "unknown");
  });
});
