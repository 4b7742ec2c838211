/**
 * The committee as real processes: three `hardhat oracle:operator` nodes (each its own key, its own Bitcoin backend
 * — a proxy in front of the devnet that a test can make lie, stall or fail — its own slashing-protection record and
 * a bearer-token allow-list) and the aggregator `hardhat oracle:bind|sync --operators …`, against a `hardhat node` on
 * a free port and the Bitcoin devnet. Covers an honest round, a node down, a lying backend, a malicious aggregator, a
 * node SIGKILLed mid-signing and restarted (its record refuses a conflicting re-proposal), a conflicting reserve
 * round, and moving a record to another machine (export / import).
 */
import type { ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { parseEther } from "ethers";
import { network } from "hardhat";
import type { NetworkConnection } from "hardhat/types/network";

import { startDevnet } from "../../../src/bitcoin/devnet/server.js";
import type { RunningDevnet } from "../../../src/bitcoin/devnet/server.js";
import { DevnetWallet } from "../../../src/bitcoin/devnet/wallet.js";
import { bindAddress, pendingBindingMessage } from "../../../src/oracle/bind.js";
import type { BindJson, RoundJson } from "../../../src/oracle/commands.js";
import { LocalCommittee } from "../../../src/oracle/committee.js";
import type { ProtectionInterchange } from "../../../src/oracle/operator/protection.js";
import { SlashingProtection } from "../../../src/oracle/operator/protection.js";
import type { Refusal } from "../../../src/oracle/refusals.js";
import { blockHashToBytes32 } from "../../../src/oracle/reports.js";
import { ReserveTree } from "../../../src/oracle/reserve-tree.js";
import { committeeWallets, hardhatWallet } from "../../../src/oracle/signing.js";
import { hardhat, startHardhat } from "../../helpers/cli.js";
import type { HardhatResult } from "../../helpers/cli.js";
import type { FaultProxy, RunningNode } from "./helpers.js";
import { deployTo, removeDeployments, startFaultProxy, startHardhatNode } from "./helpers.js";

type Log = Record<string, unknown> & { event?: string };

/** Hardhat accounts 10, 11, 12: the users of this file. */
const ALICE = hardhatWallet(10).address;
const BOB = hardhatWallet(11).address;
const ALICE_BTC = new DevnetWallet("alice").address("p2wpkh").address;
const BOB_BTC = new DevnetWallet("bob").address("p2wpkh").address;
const OUTSIDE = new DevnetWallet("outside").address("p2wpkh").address;
/** The aggregators allowed by every node, and the token this file's aggregator presents. */
const TOKEN = "aggregator-test-token-0123456789";

/** An Esplora `/utxo` answer with the first output `sats` larger (a backend that lies about one address). */
function inflateFirstUtxo(body: string, sats: number): string {
  return JSON.stringify(
    (JSON.parse(body) as Array<{ value: number }>).map((u, i) =>
      i === 0 ? { ...u, value: u.value + sats } : u,
    ),
  );
}

function jsonOf<T>(result: HardhatResult, what: string): T {
  expect(result.code, `${what} exited ${result.code}: ${result.stderr}`).to.equal(0);
  const start = result.stdout.search(/^\{$/m);
  expect(start, `${what} printed no JSON: ${result.stdout}`).to.be.at.least(0);
  return JSON.parse(result.stdout.slice(start)) as T;
}

interface OperatorProcess {
  index: number;
  url: string;
  signer: string;
  child: ChildProcess;
  logs: Log[];
  done: Promise<HardhatResult>;
}

describe("operator nodes as processes (hardhat node + Bitcoin devnet)", function () {
  this.timeout(300_000);

  let node: RunningNode;
  let connection: NetworkConnection;
  let devnet: RunningDevnet;
  let system: Awaited<ReturnType<typeof deployTo>>;
  let env: NodeJS.ProcessEnv;
  let dataRoot: string;
  /** Each node's own Bitcoin backend: a proxy in front of the devnet. */
  const backends: FaultProxy[] = [];
  const operators: Array<OperatorProcess | undefined> = [];

  /** Starts operator node `index` (Hardhat account index + 1) and waits for its `listening` log line. */
  async function startOperator(index: number, port = 0): Promise<OperatorProcess> {
    const logs: Log[] = [];
    let listening: ((log: Log) => void) | undefined;
    const ready = new Promise<Log>((resolve) => (listening = resolve));
    const { child, done } = startHardhat(
      [
        "oracle:operator",
        "--network",
        "localhost",
        "--json",
        "--port",
        String(port),
        "--bitcoin",
        (backends[index] as FaultProxy).url,
        "--data-dir",
        path.join(dataRoot, `operator-${index}`),
      ],
      {
        env: {
          ...env,
          ORACLE_OPERATOR_KEY: hardhatWallet(index + 1).privateKey,
          OPERATOR_API_TOKENS: `test:${TOKEN}`,
        },
        onLine: (line) => {
          if (!line.startsWith("{")) return;
          const log = JSON.parse(line) as Log;
          logs.push(log);
          if (log.event === "listening") listening?.(log);
        },
      },
    );
    const first = await Promise.race([
      ready,
      done.then((r) => {
        throw new Error(`operator ${index} exited (${r.code}) before listening: ${r.stderr}${r.stdout}`);
      }),
    ]);
    const operator = { index, url: first.url as string, signer: first.signer as string, child, logs, done };
    operators[index] = operator;
    return operator;
  }

  async function stopOperator(index: number, signal: NodeJS.Signals = "SIGTERM"): Promise<HardhatResult> {
    const operator = operators[index];
    if (operator === undefined) throw new Error(`operator ${index} is not running`);
    operators[index] = undefined;
    operator.child.kill(signal);
    return operator.done;
  }

  const urls = () => operators.map((o) => o?.url ?? "http://127.0.0.1:9").join(",");

  async function aggregator<T>(task: string, args: string[], bitcoin = devnet.url): Promise<T> {
    const result = await hardhat(
      [
        task,
        "--network",
        "localhost",
        "--operators",
        urls(),
        ...(task === "oracle:sync" ? ["--bitcoin", bitcoin] : []),
        "--json",
        ...args,
      ],
      { env: { ...env, ORACLE_OPERATOR_TOKENS: TOKEN }, timeoutMs: 120_000 },
    );
    return jsonOf<T>(result, task);
  }

  /** POSTs a signing request straight to a node, with the aggregators' token. */
  async function post(
    index: number,
    route: string,
    body: unknown,
  ): Promise<{ status: number; json: Record<string, unknown> }> {
    const response = await fetch(`${operators[index]?.url}${route}`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  }

  async function chainTime(): Promise<bigint> {
    return BigInt((await connection.ethers.provider.getBlock("latest"))?.timestamp ?? 0);
  }

  before(async function () {
    [node, devnet] = await Promise.all([startHardhatNode(), startDevnet({ port: 0 })]);
    connection = await network.create({ network: "localhost", override: { url: node.url } });
    system = await deployTo(connection, { minConfirmations: 1 });
    env = { ...process.env, LOCALHOST_RPC_URL: node.url, RESERVEBTC_DEPLOYMENTS_DIR: system.deploymentsRoot };
    delete env.ORACLE_OPERATORS;
    delete env.ORACLE_OPERATOR_KEYS;
    dataRoot = await mkdtemp(path.join(tmpdir(), "reservebtc-operator-test-"));
    for (let i = 0; i < 3; i++) backends.push(await startFaultProxy(devnet.url));
    await Promise.all([0, 1, 2].map((i) => startOperator(i)));
    for (const user of [ALICE, BOB]) {
      await (await system.feeVault.depositETH(user, { value: parseEther("0.05") })).wait();
    }
  });

  after(async function () {
    for (const operator of operators) operator?.child.kill("SIGKILL");
    await Promise.all(operators.filter((o) => o !== undefined).map((o) => o.done));
    await Promise.all(backends.map((b) => b.close()));
    await connection?.close();
    await node?.stop();
    await devnet?.close();
    await removeDeployments();
    if (dataRoot !== undefined) await rm(dataRoot, { recursive: true, force: true });
  });

  it("starts each node with one key, reports its seat and Bitcoin tip, and refuses a caller without a token", async function () {
    for (const [i, operator] of operators.entries()) {
      expect(operator?.signer).to.equal(hardhatWallet(i + 1).address);
      const health = (await (await fetch(`${operator?.url}/healthz`)).json()) as Record<string, unknown>;
      expect(health).to.include({
        status: "ok",
        signer: operator?.signer,
        onCommittee: true,
        chainId: "31337",
      });
      expect(health.bitcoin).to.include({ tipHeight: devnet.chain.tipHeight });
    }
    const anonymous = await fetch(`${operators[0]?.url}/v1/sign/sync-batch`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(anonymous.status).to.equal(401);
    expect(((await anonymous.json()) as { error: { code: string } }).error.code).to.equal("UNAUTHORIZED");
  });

  it("binds and syncs through the three nodes: every node verifies and signs, the total is minted", async function () {
    const bound = await aggregator<BindJson & { kind: string }>("oracle:bind", [
      "--user",
      ALICE,
      "--devnet-wallet",
      "alice",
    ]);
    expect(bound).to.include({ kind: "bound", btcAddress: ALICE_BTC, proofKind: "bip322-simple" });
    // Bob is bound in this process (a binding the committee's keys sign directly): one CLI start less.
    const bobWallet = new DevnetWallet("bob");
    const message = await pendingBindingMessage(system.oracle, BOB, BOB_BTC);
    await bindAddress(system.oracle, new LocalCommittee(committeeWallets(3), 2), {
      user: BOB,
      btcAddress: BOB_BTC,
      signature: bobWallet.signMessage("p2wpkh", message).signature,
      network: "regtest",
    });
    devnet.chain.fund(ALICE_BTC, 150_000n);
    devnet.chain.fund(BOB_BTC, 30_000n);
    devnet.chain.mine(1);

    const round = await aggregator<RoundJson>("oracle:sync", []);
    expect(round).to.include({ mintedSats: "180000", changed: 2 });
    expect(round.committee).to.include({ remoteOperators: 3, localOperators: 0 });
    expect(round.dropped).to.deep.equal([]);
    expect(round.refusals).to.deep.equal([]);
    expect(round.reserves).to.include({ committed: true, attestedSats: "180000" });
    expect(round.committee.tallies.map((t) => [t.operator, t.signed, t.refused, t.failed])).to.deep.equal(
      operators.map((o) => [o?.signer, 2, 0, 0]), // the batch and the reserve round
    );
    for (const operator of operators) {
      const metrics = await (await fetch(`${operator?.url}/metrics`)).text();
      expect(metrics).to.match(/reservebtc_operator_signed_total\{kind="binding"\} 1/);
      expect(metrics).to.match(/reservebtc_operator_signed_total\{kind="sync-batch"\} 1/);
      expect(metrics).to.match(/reservebtc_operator_signed_total\{kind="reserve-round"\} 1/);
      expect(
        operator?.logs.some((l) => l.event === "signed" && l.kind === "sync-batch" && l.client === "test"),
      ).to.equal(true);
    }
    expect(await system.rbtc.freeBalanceOf(ALICE)).to.equal(150_000n);
  });

  it("reaches the threshold with one node down (SIGTERM: it stops cleanly)", async function () {
    const stopped = await stopOperator(2);
    expect(stopped.code).to.equal(0);
    expect(stopped.stdout).to.match(/"event":"stop"/);
    devnet.chain.fund(BOB_BTC, 5_000n);
    devnet.chain.mine(1);
    const round = await aggregator<RoundJson>("oracle:sync", []);
    expect(round).to.include({ mintedSats: "5000" });
    const down = round.committee.tallies[2];
    expect(down?.failed).to.equal(2);
    expect(await system.rbtc.freeBalanceOf(BOB)).to.equal(35_000n);
    await startOperator(2);
  });

  it("a node whose backend lies refuses, naming the users; the other two sign the true totals", async function () {
    const liar = backends[1] as FaultProxy;
    liar.transform = (url, body) => (/\/utxo$/.test(url) ? inflateFirstUtxo(body, 50_000) : body);
    try {
      devnet.chain.fund(ALICE_BTC, 10_000n);
      devnet.chain.mine(1);
      const round = await aggregator<RoundJson>("oracle:sync", []);
      expect(round).to.include({ mintedSats: "10000" });
      expect(round.dropped).to.deep.equal([]);
      const fromLiar = (round.refusals ?? []).filter((r) => r.operator === operators[1]?.signer);
      expect(
        fromLiar.map((r) => [r.kind, r.user, r.field, r.reason, r.proposed, r.observed]),
      ).to.deep.include(["sync-batch", ALICE, "newTotalSats", "TOTAL_MISMATCH", "160000", "210000"]);
      expect(fromLiar.some((r) => r.kind === "reserve-round")).to.equal(true);
      const logged = operators[1]?.logs.filter((l) => l.event === "refused" && l.kind === "sync-batch") ?? [];
      expect((logged.at(-1)?.refusals as Refusal[]).map((r) => r.user)).to.deep.equal([ALICE]);
      expect(await system.rbtc.freeBalanceOf(ALICE)).to.equal(160_000n);
      expect(round.reserves).to.include({ committed: true });
    } finally {
      liar.transform = (_url, body) => body;
    }
  });

  it("a malicious aggregator's inflated proposal is refused by every node: nothing is minted, each refusal logged", async function () {
    const inflating = await startFaultProxy(devnet.url);
    inflating.transform = (url, body) =>
      url === `/address/${ALICE_BTC}/utxo` ? inflateFirstUtxo(body, 50_000) : body;
    try {
      devnet.chain.fund(BOB_BTC, 1_000n);
      devnet.chain.mine(1);
      const before = await system.rbtc.totalSupply();
      const round = await aggregator<RoundJson>("oracle:sync", [], inflating.url);
      expect(round.dropped.map((d) => d.user)).to.deep.equal([ALICE]);
      expect(round.dropped[0]?.refusals.map((r) => [r.operator, r.reason])).to.deep.equal(
        operators.map((o) => [o?.signer, "TOTAL_MISMATCH"]),
      );
      expect(round).to.include({ mintedSats: "1000" }); // bob's honest report, proposed again without alice's
      expect(round.reserves).to.include({ committed: false });
      expect(await system.rbtc.freeBalanceOf(ALICE)).to.equal(160_000n);
      expect(await system.rbtc.totalSupply()).to.equal(before + 1_000n);
      for (const operator of operators) {
        const refused = operator?.logs.filter((l) => l.event === "refused" && l.kind === "sync-batch").at(-1);
        expect((refused?.refusals as Refusal[])[0]).to.include({ user: ALICE, reason: "TOTAL_MISMATCH" });
      }
    } finally {
      await inflating.close();
    }
  });

  it("a node SIGKILLed mid-signing and restarted refuses a conflicting re-proposal for the same sequence", async function () {
    const state = await system.oracle.userState(ALICE);
    const sequence = state.sequence + 1n;
    const reportOf = (total: bigint) => ({
      user: ALICE,
      newTotalSats: total.toString(),
      btcHeight: String(devnet.chain.tipHeight),
      btcBlockHash: blockHashToBytes32(devnet.chain.tipHash),
      sequence: sequence.toString(),
    });
    devnet.chain.fund(ALICE_BTC, 2_000n);
    devnet.chain.mine(1);
    const deadline = ((await chainTime()) + 600n).toString();
    // Node 0 signs alice's next report (162,000 sats); that batch is never submitted.
    const signed = await post(0, "/v1/sign/sync-batch", { reports: [reportOf(162_000n)], deadline });
    expect(signed.status).to.equal(200);
    // Node 0's backend stalls; bob's report is being verified when the node is SIGKILLed.
    const slow = backends[0] as FaultProxy;
    let stalled = 0;
    slow.rule = async (): Promise<"forward"> => {
      stalled += 1;
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      return "forward";
    };
    const bobState = await system.oracle.userState(BOB);
    const inFlight = post(0, "/v1/sign/sync-batch", {
      reports: [
        {
          user: BOB,
          newTotalSats: "36000",
          btcHeight: String(devnet.chain.tipHeight),
          btcBlockHash: blockHashToBytes32(devnet.chain.tipHash),
          sequence: (bobState.sequence + 1n).toString(),
        },
      ],
      deadline,
    }).catch((error: unknown) => error);
    for (const until = Date.now() + 30_000; stalled === 0 && Date.now() < until;) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(stalled).to.be.greaterThan(0);
    const killed = await stopOperator(0, "SIGKILL");
    expect(killed.signal).to.equal("SIGKILL");
    expect(await inFlight).to.be.instanceOf(Error);
    slow.rule = () => "forward";

    // More BTC arrives; the next round re-proposes alice's sequence with the new (higher) total.
    await startOperator(0);
    devnet.chain.fund(ALICE_BTC, 3_000n);
    devnet.chain.mine(1);
    const conflicting = await post(0, "/v1/sign/sync-batch", { reports: [reportOf(165_000n)], deadline });
    expect(conflicting.status).to.equal(422);
    expect((conflicting.json.refusals as Refusal[])[0]).to.include({
      user: ALICE,
      sequence: sequence.toString(),
      field: "newTotalSats",
      reason: "CONFLICTING_SIGNATURE",
      proposed: "165000",
      observed: "162000",
    });
    // A drop is never held back: alice spends, the lower total for the same sequence is signed at once.
    devnet.chain.spend(ALICE_BTC, OUTSIDE, 5_000n);
    devnet.chain.mine(1);
    const lower = await post(0, "/v1/sign/sync-batch", { reports: [reportOf(160_000n)], deadline });
    expect(lower.status).to.equal(200);

    // The next round proposes alice's true total 161,000 for that sequence: node 0 refuses it (it signed 160,000 for
    // the sequence, still valid), nodes 1 and 2 never signed anything for it and reach the threshold.
    devnet.chain.fund(ALICE_BTC, 1_000n);
    devnet.chain.mine(1);
    const round = await aggregator<RoundJson>("oracle:sync", []);
    expect(round).to.include({ mintedSats: "1000" });
    expect(
      (round.refusals ?? [])
        .filter((r) => r.kind === "sync-batch")
        .map((r) => [r.operator, r.user, r.reason, r.proposed, r.observed]),
    ).to.deep.equal([[operators[0]?.signer, ALICE, "CONFLICTING_SIGNATURE", "161000", "160000"]]);
    expect(await system.rbtc.freeBalanceOf(ALICE)).to.equal(161_000n);
  });

  it("exports the record as JSON and a node restored elsewhere from it still refuses the conflict", async function () {
    const file = path.join(dataRoot, "operator-0.json");
    const result = await hardhat(
      [
        "oracle:protection",
        "--network",
        "localhost",
        "--export",
        file,
        "--signer",
        operators[0]?.signer ?? "",
        "--db",
        path.join(dataRoot, "operator-0", "protection.sqlite"),
        "--json",
      ],
      { env, timeoutMs: 120_000 },
    );
    const exported = jsonOf<{ records: { syncReports: number } }>(result, "oracle:protection --export");
    expect(exported.records.syncReports).to.be.at.least(3);
    const document = JSON.parse(await readFile(file, "utf8")) as ProtectionInterchange;
    expect(document.metadata).to.include({
      interchange_format: "reservebtc-slashing-protection",
      chain_id: "31337",
    });
    const alice = document.data[0]?.sync_reports.filter((r) => r.user === ALICE) ?? [];
    expect(alice.map((r) => r.new_total_sats)).to.include.members(["162000", "160000"]);

    const restoredDb = path.join(dataRoot, "restored", "protection.sqlite");
    const imported = await hardhat(
      ["oracle:protection", "--network", "localhost", "--import", file, "--db", restoredDb, "--json"],
      { env, timeoutMs: 120_000 },
    );
    expect(
      jsonOf<{ records: { syncReports: number } }>(imported, "oracle:protection --import").records
        .syncReports,
    ).to.equal(exported.records.syncReports);
    const restored = await SlashingProtection.open(restoredDb, {
      chainId: 31337n,
      oracle: system.deployment.oracle,
      proofOfReserves: system.deployment.proofOfReserves,
      signer: operators[0]?.signer ?? "",
    });
    try {
      const latestSigned = alice.at(-1); // the highest sequence: the one of the SIGKILL test
      const conflicts = restored.syncConflicts(
        [
          {
            user: ALICE,
            newTotalSats: 999_999n,
            btcHeight: BigInt(latestSigned?.btc_height ?? 0),
            btcBlockHash: latestSigned?.btc_block_hash ?? "",
            sequence: BigInt(latestSigned?.sequence ?? 0),
          },
        ],
        0n,
      );
      expect(conflicts.map((c) => c.signed)).to.deep.equal(["160000"]);
    } finally {
      restored.close();
    }
  });

  it("refuses a second, different reserve round for the same round id while the first is valid", async function () {
    const roundId = (await system.proofOfReserves.latestRoundId()) + 1n;
    const deadline = ((await chainTime()) + 600n).toString();
    const body = async () => {
      const tree = new ReserveTree([
        { user: ALICE, btcAddress: ALICE_BTC, sats: devnet.chain.balance(ALICE_BTC, 1) },
        { user: BOB, btcAddress: BOB_BTC, sats: devnet.chain.balance(BOB_BTC, 1) },
      ]);
      return {
        roundId: roundId.toString(),
        merkleRoot: tree.root,
        attestedSats: tree.totalSats.toString(),
        btcHeight: String(devnet.chain.tipHeight),
        deadline,
      };
    };
    const first = await post(1, "/v1/sign/reserve-round", await body());
    expect(first.status, JSON.stringify(first.json)).to.equal(200);
    devnet.chain.fund(BOB_BTC, 4_000n);
    devnet.chain.mine(1);
    const second = await post(1, "/v1/sign/reserve-round", await body());
    expect(second.status).to.equal(422);
    expect((second.json.refusals as Refusal[]).map((r) => [r.field, r.reason])).to.deep.equal([
      ["merkleRoot", "CONFLICTING_SIGNATURE"],
    ]);
    // Another node, which signed neither, signs the second one: its view agrees.
    expect((await post(2, "/v1/sign/reserve-round", await body())).status).to.equal(200);
  });

  it("answers 503 and signs nothing while its Bitcoin backend is unavailable", async function () {
    const backend = backends[2] as FaultProxy;
    backend.rule = () => "fail";
    try {
      const state = await system.oracle.userState(BOB);
      const answer = await post(2, "/v1/sign/sync-batch", {
        reports: [
          {
            user: BOB,
            newTotalSats: "40000",
            btcHeight: String(devnet.chain.tipHeight),
            btcBlockHash: blockHashToBytes32(devnet.chain.tipHash),
            sequence: (state.sequence + 1n).toString(),
          },
        ],
        deadline: ((await chainTime()) + 600n).toString(),
      });
      expect(answer.status).to.equal(503);
      expect(answer.json.error).to.include({ code: "BITCOIN_UNAVAILABLE" });
      const health = await fetch(`${operators[2]?.url}/healthz`);
      expect(health.status).to.equal(503);
    } finally {
      backend.rule = () => "forward";
    }
  });
});
