// Integration: the in-process EVM network + an in-process Bitcoin devnet (Esplora on 127.0.0.1, free port), the real
// runner loop (runOracleService with the committee, committing reserve rounds) feeding the monitor, and a webhook
// receiver on 127.0.0.1 that records every POST.
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { network } from "hardhat";

import type { RunningDevnet } from "../../src/bitcoin/devnet/server.js";
import { startDevnet } from "../../src/bitcoin/devnet/server.js";
import { DevnetWallet } from "../../src/bitcoin/devnet/wallet.js";
import { EsploraClient } from "../../src/bitcoin/esplora.js";
import { CONTRACTS, MODULE_ID, deploymentOf } from "../../src/deployments.js";
import { UserInputError } from "../../src/errors.js";
import type { Alert } from "../../src/monitor/alerts.js";
import type { MonitorConfig } from "../../src/monitor/config.js";
import { parseMonitorConfig } from "../../src/monitor/config.js";
import { monitorForConnection, sinksFor } from "../../src/monitor/context.js";
import { Monitor } from "../../src/monitor/monitor.js";
import { MonitorLoop, RoundMonitor } from "../../src/monitor/service.js";
import { LocalCommittee } from "../../src/oracle/committee.js";
import type { OracleContext } from "../../src/oracle/context.js";
import { OracleMetrics, RUNNER_LOG_EVENTS, runOracleService } from "../../src/oracle/service.js";
import type { TypedDataSigner } from "../../src/oracle/signing.js";
import { committeeWallets } from "../../src/oracle/signing.js";
import { renderPass } from "../../tasks/monitor/render.js";
import { bindAndFundAliceAndBob, deployOracleSystem } from "../helpers/oracle.js";
import type { WebhookReceiver } from "./helpers.js";
import { captureLogger, startReceiver } from "./helpers.js";

const connection = await network.create();
const MIN_BOND = 10n ** 16n;
const CONFIRMATIONS = 3; // ORACLE_TEST_PARAMETERS.minConfirmations
const CHAIN_ID = 31337n;

/** An operator whose signing service is down. */
function offline(wallet: TypedDataSigner): TypedDataSigner {
  return { address: wallet.address, signTypedData: () => Promise.reject(new Error("connection refused")) };
}

/** kind/status of alerts, for compact assertions. */
const brief = (alerts: readonly Alert[]) => alerts.map((a) => `${a.kind}:${a.status}`);

describe("monitor: alerts over a scripted history", function () {
  this.timeout(180_000);
  let devnet: RunningDevnet;
  let receiver: WebhookReceiver;
  let dir: string;

  beforeEach(async function () {
    devnet = await startDevnet({ port: 0 });
    receiver = await startReceiver();
    dir = await mkdtemp(path.join(tmpdir(), "reservebtc-monitor-"));
  });

  afterEach(async function () {
    await receiver.close();
    await devnet.close();
    await rm(dir, { recursive: true, force: true });
  });

  /**
   * Alice (150,000 sats) and Bob (80,000 sats) bound, funded and synced by one runner round with the full committee;
   * a monitor config whose webhook is the local receiver (fast retries) and whose state file is in a temp folder.
   */
  async function setup(configDoc: Record<string, unknown> = {}) {
    const s = await deployOracleSystem(connection);
    const deployment = await deploymentOf(CHAIN_ID, s);
    const esplora = new EsploraClient({ baseUrl: devnet.url, network: "regtest" });
    const wallets = committeeWallets(3);
    const operators = wallets.map((w) => w.address);
    const outside = new DevnetWallet("outside-mon", "regtest").address("p2wpkh").address;
    const { aliceBtc, bobBtc } = await bindAndFundAliceAndBob(s, devnet.chain, "mon", CONFIRMATIONS);

    const runnerLog = captureLogger();
    /** One `oracle:run` round (the real service loop) with the given operators, its outcome fed to `observer`. */
    const runRound = async (
      observer?: (o: Parameters<Monitor["observeRound"]>[0]) => void,
      signers: readonly TypedDataSigner[] = wallets,
    ) => {
      const ctx: OracleContext = {
        chainId: CHAIN_ID,
        deployment,
        system: s,
        submitter: s.admin,
        submitterAddress: s.admin.address,
        committee: new LocalCommittee(signers, 2, 2_000),
        operators,
        threshold: 2,
        localOperators: operators,
        remoteOperators: [],
        keySource: "hardhat-default-accounts",
      };
      return runOracleService(ctx, esplora, {
        intervalMs: 1,
        maxRounds: 1,
        logger: runnerLog.logger,
        metrics: new OracleMetrics(),
        signal: new AbortController().signal,
        ...(observer !== undefined ? { onRound: observer } : {}),
      });
    };
    expect((await runRound()).failures).to.equal(0);

    const config: MonitorConfig = parseMonitorConfig(
      {
        stateFile: path.join(dir, "state.json"),
        webhook: { url: receiver.url, retries: 2, retryDelayMs: 10, timeoutMs: 2_000 },
        ...configDoc,
      },
      CHAIN_ID,
    );
    const log = captureLogger();
    /** A monitor instance on the shared state file (a new instance = a restarted process). */
    const open = (overrides: Partial<MonitorConfig> = {}) => {
      const c = { ...config, ...overrides };
      return Monitor.open({
        contracts: s,
        chainId: CHAIN_ID,
        config: c,
        sinks: sinksFor(c, log.logger),
        logger: log.logger,
        bitcoin: esplora,
      });
    };
    return { s, esplora, wallets, aliceBtc, bobBtc, outside, runRound, runnerLog, config, log, open };
  }

  it("gives every runner log line an event the runbook lists; a sent sync transaction is event submit", async function () {
    const { runnerLog } = await setup();
    const events = runnerLog.lines.map((line) => line.event);
    expect(events).to.include.members(["start", "submit", "round", "stop"]);
    const listed: readonly unknown[] = RUNNER_LOG_EVENTS;
    expect(events.filter((event) => !listed.includes(event))).to.deep.equal([]);
    const sent = runnerLog.lines.find(
      (line) => (line.submit as { kind?: string } | undefined)?.kind === "sent",
    );
    expect(sent).to.include({ event: "submit", msg: "submit: sent", round: 1 });
    // docs/operations.md §4 names every event in its "Logs:" item.
    const runbook = await readFile(path.join(import.meta.dirname, "../../docs/operations.md"), "utf8");
    const logsItem = /^- Logs: [\s\S]*?(?=^- |^$)/m.exec(
      runbook.slice(runbook.indexOf("## 4. Run continuously")),
    )?.[0];
    expect(logsItem, "the Logs item of docs/operations.md §4").to.be.a("string");
    for (const event of RUNNER_LOG_EVENTS) expect(logsItem).to.include(`\`${event}\``);
  });

  it("raises each alert exactly once, sends nothing after a restart, and one resolved alert per condition", async function () {
    const { s, wallets, aliceBtc, outside, runRound, open } = await setup();
    let monitor = await open();

    // Baseline: everything healthy; the runner's outcomes are not known yet.
    let pass = await monitor.runOnce();
    expect(brief(pass.alerts)).to.deep.equal([]);
    expect(pass.conditions.map((c) => [c.kind, c.state])).to.deep.equal([
      ["backing-deficit", "ok"],
      ["oracle-lag", "ok"],
      ["oracle-stalled", "ok"],
      ["round-failed", "unknown"],
      ["operators-low", "unknown"],
    ]);

    // A wrapped holder whose wrBTC moved away spends BTC: BACKING_LOST burn, 40,000 sats of wrBTC uncovered.
    await s.wrbtc.connect(s.alice).wrap(50_000n);
    await s.wrbtc.connect(s.alice).transfer(s.bob.address, 50_000n);
    devnet.chain.spend(aliceBtc, outside, 140_000n);
    devnet.chain.mine(CONFIRMATIONS);
    await runRound((o) => monitor.observeRound(o));
    pass = await monitor.runOnce();
    expect(brief(pass.alerts)).to.deep.equal(["emergency-burn:firing", "backing-deficit:firing"]);
    const [burn, deficit] = pass.alerts;
    expect(burn?.details).to.deep.include({
      user: s.alice.address,
      amountSats: "140000",
      reason: "BACKING_LOST",
    });
    expect(burn?.severity).to.equal("critical");
    expect(deficit?.details).to.deep.include({
      uncoveredSats: "40000",
      attestedSats: "90000",
      liabilitiesSats: "130000",
      deficitSats: "40000",
    });
    expect(pass.conditions.find((c) => c.kind === "operators-low")?.state).to.equal("ok");

    // A challenger disputes Bob's balance.
    const opened = await s.disputeManager
      .connect(s.carol)
      .openDispute(s.bob.address, 1n, "ipfs://evidence", { value: MIN_BOND });
    const receipt = await opened.wait();
    pass = await monitor.runOnce();
    expect(brief(pass.alerts)).to.deep.equal(["dispute-opened:firing"]);
    const dispute = pass.alerts[0];
    const disputeManager = await s.disputeManager.getAddress();
    const log = receipt?.logs.find((l) => l.address === disputeManager);
    expect(dispute?.id).to.equal(`dispute-opened:${receipt?.hash}:${log?.index}`);
    expect(dispute?.details).to.deep.include({
      disputeId: "1",
      user: s.bob.address,
      challenger: s.carol.address,
      claimedSats: "1",
      attestedSats: "80000",
      evidenceURI: "ipfs://evidence",
    });

    // Operator 3 goes offline: rounds still succeed with 2 of 3, below threshold + 1.
    await runRound((o) => monitor.observeRound(o), [wallets[0]!, wallets[1]!, offline(wallets[2]!)]);
    pass = await monitor.runOnce();
    expect(brief(pass.alerts)).to.deep.equal(["operators-low:firing"]);
    expect(pass.alerts[0]?.details).to.deep.include({ live: 2, operators: 3, threshold: 2, needed: 3 });

    // Operator 2 too: rounds fail (only 1 of 3 signs); the second failure in a row alerts.
    const broken = [wallets[0]!, offline(wallets[1]!), offline(wallets[2]!)];
    await runRound((o) => monitor.observeRound(o), broken);
    pass = await monitor.runOnce();
    expect(brief(pass.alerts)).to.deep.equal([]);
    await runRound((o) => monitor.observeRound(o), broken);
    pass = await monitor.runOnce();
    expect(brief(pass.alerts)).to.deep.equal(["round-failed:firing"]);
    expect(pass.alerts[0]?.details).to.deep.include({ failuresInRow: 2, lastFailureKind: "committee" });

    // Bitcoin moves on without a sync: 10 blocks > 6.
    devnet.chain.mine(10);
    pass = await monitor.runOnce();
    expect(brief(pass.alerts)).to.deep.equal(["oracle-lag:firing"]);
    expect(pass.alerts[0]?.details).to.deep.include({ lagBlocks: 10, maxLagBlocks: 6 });

    // No round for more than 300 s.
    await s.networkHelpers.time.increase(301);
    pass = await monitor.runOnce();
    expect(brief(pass.alerts)).to.deep.equal(["oracle-stalled:firing"]);

    // Still true on the next pass: nothing new.
    pass = await monitor.runOnce();
    expect(brief(pass.alerts)).to.deep.equal([]);
    expect(pass.active).to.deep.equal([
      "backing-deficit",
      "oracle-lag",
      "oracle-stalled",
      "round-failed",
      "operators-low",
    ]);
    const sentBeforeRestart = receiver.accepted.length;
    expect(sentBeforeRestart).to.equal(7);

    // Restart: a new instance on the same state file resends nothing (events and firing conditions are recorded).
    monitor = await open();
    pass = await monitor.runOnce();
    expect(brief(pass.alerts)).to.deep.equal([]);
    expect(receiver.accepted.length).to.equal(sentBeforeRestart);

    // The committee is back: one successful round resolves lag, stall, failed rounds and operators, once each.
    await runRound((o) => monitor.observeRound(o));
    pass = await monitor.runOnce();
    expect(brief(pass.alerts)).to.deep.equal([
      "oracle-lag:resolved",
      "oracle-stalled:resolved",
      "round-failed:resolved",
      "operators-low:resolved",
    ]);
    pass = await monitor.runOnce();
    expect(brief(pass.alerts)).to.deep.equal([]);
    expect(pass.active).to.deep.equal(["backing-deficit"]);

    // The webhook received each alert exactly once, as JSON.
    expect(brief(receiver.accepted)).to.deep.equal([
      "emergency-burn:firing",
      "backing-deficit:firing",
      "dispute-opened:firing",
      "operators-low:firing",
      "round-failed:firing",
      "oracle-lag:firing",
      "oracle-stalled:firing",
      "oracle-lag:resolved",
      "oracle-stalled:resolved",
      "round-failed:resolved",
      "operators-low:resolved",
    ]);
    expect(new Set(receiver.accepted.map((a) => a.id)).size).to.equal(11);
    expect(receiver.attempts).to.equal(11);
    const resolvedLag = receiver.accepted.find((a) => a.id.startsWith("oracle-lag:resolved"));
    expect(resolvedLag?.details.firingAlertId).to.equal(receiver.accepted[5]?.id);
  });

  it("retries a webhook that is down, logs the failure without crashing, and delivers it once when it is back", async function () {
    const { s, open, log } = await setup();
    const monitor = await open();
    await monitor.runOnce();
    receiver.mode = "down";
    await s.disputeManager.connect(s.carol).openDispute(s.bob.address, 1n, "", { value: MIN_BOND });

    const failed = await monitor.runOnce();
    expect(brief(failed.alerts)).to.deep.equal(["dispute-opened:firing"]);
    expect(receiver.attempts).to.equal(3); // the first POST and 2 retries
    expect(failed.failedDeliveries).to.equal(1);
    expect(failed.pending).to.equal(1);
    expect(log.events("alert-delivery-retry")).to.have.length(3);
    expect(log.events("alert-delivery-failed")[0]).to.deep.include({
      sink: "webhook",
      alertId: failed.alerts[0]?.id,
    });
    expect(log.events("alert")).to.have.length(1); // the log sink has it
    expect(monitor.state.pending.map((p) => [p.sink, p.alert.id, p.lastError])).to.deep.equal([
      ["webhook", failed.alerts[0]?.id, `webhook http://${new URL(receiver.url).host}/…: HTTP 503`],
    ]);

    // Back up: the pending alert goes out once, and nothing else is raised again.
    receiver.mode = "up";
    const recovered = await (await open()).runOnce();
    expect(recovered.alerts).to.deep.equal([]);
    expect(recovered.pending).to.equal(0);
    expect(receiver.accepted.map((a) => a.id)).to.deep.equal([failed.alerts[0]?.id]);
    expect(log.events("alert-delivered-late")).to.have.length(1);
    await (await open()).runOnce();
    expect(receiver.accepted).to.have.length(1);
  });

  it("gives up on a silent webhook after its timeout and keeps running passes", async function () {
    const { s, open, log } = await setup({
      webhook: { url: receiver.url, retries: 1, retryDelayMs: 1, timeoutMs: 200, maxPendingPasses: 2 },
    });
    const monitor = await open();
    receiver.mode = "silent";
    await s.disputeManager.connect(s.carol).openDispute(s.bob.address, 1n, "", { value: MIN_BOND });
    const first = await monitor.runOnce();
    expect(first.failedDeliveries).to.equal(1);
    expect(String(log.events("alert-delivery-failed")[0]?.error)).to.match(/no answer within 200 ms$/);
    // The second failed pass reaches maxPendingPasses: dropped with an error log.
    const second = await monitor.runOnce();
    expect(second.pending).to.equal(0);
    expect(log.events("alert-dropped")).to.have.length(1);
    expect(receiver.attempts).to.equal(4);
  });

  it("scans blocks in ranges of logRangeBlocks from the persisted cursor and resumes after it", async function () {
    const { s, open } = await setup({ logRangeBlocks: 2 });
    const monitor = await open();
    const head = await connection.ethers.provider.getBlockNumber();
    const first = await monitor.runOnce();
    expect(first.range).to.deep.equal({ fromBlock: 0, toBlock: head });
    expect(monitor.state.cursor).to.equal(head);

    await s.disputeManager.connect(s.carol).openDispute(s.bob.address, 1n, "", { value: MIN_BOND });
    await s.networkHelpers.mine(4);
    const next = await (await open()).runOnce();
    expect(next.range).to.deep.equal({ fromBlock: head + 1, toBlock: head + 5 });
    expect(next.events.map((e) => [e.kind, e.block])).to.deep.equal([["dispute-opened", head + 1]]);
    expect(await monitor.check(head + 2, head + 5)).to.deep.equal([]);
    const saved = JSON.parse(await readFile(path.join(dir, "state.json"), "utf8")) as { cursor: number };
    expect(saved.cursor).to.equal(head + 5);
  });

  it("writes the state file atomically and refuses one of another deployment", async function () {
    const { open, config } = await setup();
    await (await open()).runOnce();
    expect(await readdir(dir)).to.deep.equal(["state.json"]); // no temp file left behind
    const state = JSON.parse(await readFile(config.stateFile, "utf8")) as Record<string, unknown>;
    expect(state).to.include({ version: 1, chainId: "31337" });
    await writeFile(
      config.stateFile,
      JSON.stringify({ ...state, oracle: "0x0000000000000000000000000000000000000001" }),
    );
    let error: unknown;
    try {
      await open();
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(UserInputError);
    expect((error as Error).message).to.match(/belongs to chain 31337 \/ Oracle 0x0+1/);
  });

  it("inside oracle:run, runs a pass after every round without overlapping and stops when the runner stops", async function () {
    const { runRound, open, log } = await setup();
    const rounds = new RoundMonitor(await open(), log.logger);
    await runRound(rounds.onRound);
    await runRound(rounds.onRound);
    await rounds.drain();
    expect(rounds.passes).to.be.within(1, 2);
    expect(rounds.failedPasses).to.equal(0);
    expect(rounds.last?.conditions.find((c) => c.kind === "round-failed")?.state).to.equal("ok");
    expect(rounds.last?.conditions.find((c) => c.kind === "operators-low")?.value).to.equal("3 of 3 live");
  });

  it("monitor:run --once builds the monitor from the address book and prints what the pass found", async function () {
    const { s } = await setup();
    // The Ignition address book of the deployment, in a folder of its own (never deploy/deployments/chain-31337).
    const root = path.join(dir, "deployments");
    await mkdir(path.join(root, "chain-31337"), { recursive: true });
    const book: Record<string, string> = {};
    for (const [key, name] of Object.entries(CONTRACTS)) {
      book[`${MODULE_ID}#${name}`] = await s[key as keyof typeof CONTRACTS].getAddress();
    }
    await writeFile(path.join(root, "chain-31337", "deployed_addresses.json"), JSON.stringify(book));
    await s.disputeManager.connect(s.carol).openDispute(s.bob.address, 1n, "", { value: MIN_BOND });

    const log = captureLogger();
    const { monitor, config } = await monitorForConnection(
      connection,
      "",
      { stateFile: path.join(dir, "task-state.json"), bitcoin: devnet.url, webhook: receiver.url },
      log.logger,
      { deploymentsRoot: root },
    );
    expect(config.webhook?.url).to.equal(receiver.url);
    const pass = await monitor.runOnce();
    expect(brief(receiver.accepted)).to.deep.equal(["dispute-opened:firing"]);
    const text = renderPass(pass);
    expect(text).to.match(
      /^backing-deficit ok {7}ratio 1\.000000, uncovered 0 sats\s+ratio ≥ 1, uncovered 0$/m,
    );
    expect(text).to.match(/^oracle-lag {6}ok {7}0 blocks\s+≤ 6 blocks$/m);
    expect(text).to.match(/^round-failed {4}unknown {2}no runner outcome \(standalone\)/m);
    expect(text).to.include(`  dispute-opened block ${pass.head}: dispute 1 opened on ${s.bob.address}`);
    expect(text).to.include(`  [warning] firing dispute-opened: dispute 1 opened on ${s.bob.address}`);
  });

  it("standalone, passes every interval until aborted", async function () {
    const { open, log } = await setup();
    const stop = new AbortController();
    const loop = new MonitorLoop(await open(), { intervalMs: 20, logger: log.logger, signal: stop.signal });
    const running = loop.run();
    await new Promise((resolve) => setTimeout(resolve, 300));
    stop.abort();
    const result = await running;
    expect(result.passes).to.be.greaterThan(1);
    expect(result.failedPasses).to.equal(0);
    expect(log.events("monitor-stop")).to.have.length(1);
  });
});
