/**
 * The oracle tasks as a user runs them: every step is a real `hardhat <task> --network localhost` process against a
 * `hardhat node` on a free port (LOCALHOST_RPC_URL) and a deployment through the real Ignition module
 * (RESERVEBTC_DEPLOYMENTS_DIR holds a `chain-31337` link to it), with the in-process Bitcoin devnet. Covers the
 * newcomer flow of docs/operations.md, `oracle:run` SIGKILLed mid-round and restarted, SIGTERM mid-round, and an
 * RPC endpoint that is down.
 */
import type { ChildProcess } from "node:child_process";

import { expect } from "chai";
import { network } from "hardhat";
import type { NetworkConnection } from "hardhat/types/network";

import { startDevnet } from "../../../src/bitcoin/devnet/server.js";
import type { RunningDevnet } from "../../../src/bitcoin/devnet/server.js";
import { DevnetWallet } from "../../../src/bitcoin/devnet/wallet.js";
import type { BindJson, RoundJson, UserStatusJson } from "../../../src/oracle/commands.js";
import { committeeWallets } from "../../../src/oracle/signing.js";
import { hardhat, startHardhat } from "../../helpers/cli.js";
import type { HardhatResult } from "../../helpers/cli.js";
import type { PopulatedUser } from "../../helpers/oracle-population.js";
import { bindUsers, fundUsers, syntheticUsers } from "../../helpers/oracle-population.js";
import type { RunningNode } from "./helpers.js";
import { deployTo, freePort, removeDeployments, rpc, startHardhatNode, startTcpRelay } from "./helpers.js";

/** The user of docs/operations.md §2 (Hardhat account 4). */
const USER = "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65";
const ALICE_BTC = new DevnetWallet("alice").address("p2wpkh").address;
const OUTSIDE = new DevnetWallet("outside").address("p2wpkh").address;
const FUNDED = 150_000n;
const SPENT = 40_000n;
/** 0.05 ETH deposited − the fee of a 150,000-sat mint (0.1% at 3e11 wei/sat + 0.00001 ETH fixed: 5.5e13 wei). */
const FEE_VAULT_AFTER_MINT = 50_000_000_000_000_000n - 55_000_000_000_000n;

const POPULATION = 300;
const BATCH = 25;
/** What population user i is funded with first: every tenth user holds no BTC (no report, sequence 0). */
const fundedSats = (i: number): bigint => (i % 10 === 9 ? 0n : BigInt(20_000 + i * 101));
/** The sum of the first funding: 270 users. */
const firstFunding = (): bigint =>
  Array.from({ length: POPULATION }, (_, i) => fundedSats(i)).reduce((a, b) => a + b, 0n);

type Log = Record<string, unknown> & { event?: string; submit?: { kind?: string } };

/** The JSON document a task printed (pretty-printed, after anything a first-run compile may have written). */
function jsonOf<T>(result: HardhatResult, what: string): T {
  expect(result.code, `${what} exited ${result.code}: ${result.stderr}`).to.equal(0);
  const start = result.stdout.search(/^\{$/m);
  expect(start, `${what} printed no JSON: ${result.stdout}`).to.be.at.least(0);
  return JSON.parse(result.stdout.slice(start)) as T;
}

/** The pino lines of a runner's stdout. */
function logsOf(stdout: string): Log[] {
  return stdout
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Log);
}

describe("oracle tasks as processes (hardhat node + Bitcoin devnet)", function () {
  this.timeout(240_000);

  let node: RunningNode;
  let connection: NetworkConnection;
  let devnet: RunningDevnet;
  let system: Awaited<ReturnType<typeof deployTo>>;
  /** The children's environment: this process's, with the test's node and deployment. */
  let env: NodeJS.ProcessEnv;

  before(async function () {
    [node, devnet] = await Promise.all([startHardhatNode(), startDevnet({ port: 0 })]);
    connection = await network.create({ network: "localhost", override: { url: node.url } });
    system = await deployTo(connection, { minConfirmations: 1 });
    env = { ...process.env, LOCALHOST_RPC_URL: node.url, RESERVEBTC_DEPLOYMENTS_DIR: system.deploymentsRoot };
  });

  after(async function () {
    await connection?.close();
    await node?.stop();
    await devnet?.close();
    await removeDeployments();
  });

  /** `hardhat <task> --network localhost --json …` with the test's node and deployment. */
  async function oracleTask<T>(name: string, args: string[]): Promise<T> {
    const result = await hardhat([name, "--network", "localhost", "--json", ...args], {
      env,
      timeoutMs: 90_000,
    });
    return jsonOf<T>(result, name);
  }

  /** `hardhat btc:<task> --url <devnet> --json …` against the running devnet. */
  async function btcTask<T>(name: string, args: string[]): Promise<T> {
    const result = await hardhat([name, "--url", devnet.url, "--json", ...args], { timeoutMs: 90_000 });
    return jsonOf<T>(result, name);
  }

  describe("the newcomer flow of docs/operations.md", function () {
    it("binds, funds, syncs and shows the rBTC; a spend is burned on the next sync", async function () {
      // §2: bind with the devnet wallet.
      const bound = await oracleTask<BindJson & { kind: string }>("oracle:bind", [
        "--user",
        USER,
        "--devnet-wallet",
        "alice",
        "--address-type",
        "p2wpkh",
      ]);
      expect(bound).to.include({
        kind: "bound",
        user: USER,
        btcAddress: ALICE_BTC,
        btcNetwork: "regtest",
        proofKind: "bip322-simple",
        nonce: "0",
        signedBy: "2 of 3 operators",
      });
      expect(await system.oracle.addressesOf(USER)).to.deep.equal([ALICE_BTC]);

      // §3: fund and confirm on the devnet, prepay fees (independent of each other).
      const [funded, deposit] = await Promise.all([
        btcTask<{ address: string; sats: string }>("btc:fund", [
          "--address",
          ALICE_BTC,
          "--sats",
          `${FUNDED}`,
        ]).then(async (f) => {
          const mined = await btcTask<{ blocks: number; mempoolSize: number }>("btc:mine", ["--blocks", "1"]);
          expect(mined).to.include({ blocks: 1, mempoolSize: 0 });
          return f;
        }),
        oracleTask<{ user: string; depositedWei: string; balanceWei: string }>("oracle:deposit-fee", [
          "--user",
          USER,
          "--eth",
          "0.05",
        ]),
      ]);
      expect(funded).to.include({ address: ALICE_BTC, sats: `${FUNDED}` });
      expect(deposit).to.include({
        user: USER,
        depositedWei: "50000000000000000",
        balanceWei: "50000000000000000",
      });

      const bitcoin = ["--bitcoin", devnet.url];
      const dry = await oracleTask<RoundJson>("oracle:sync", ["--dry-run", ...bitcoin]);
      // A dry run lists the reports; minted/burned count what was applied (nothing).
      expect(dry).to.deep.include({
        dryRun: true,
        usersChecked: 1,
        changed: 1,
        mintedSats: "0",
        batches: [],
      });
      expect(dry.reports).to.deep.equal([
        { ...dry.reports[0], user: USER, previousSats: "0", newTotalSats: `${FUNDED}` },
      ]);
      expect(await system.rbtc.freeBalanceOf(USER)).to.equal(0n);

      const first = await oracleTask<RoundJson>("oracle:sync", bitcoin);
      expect(first).to.deep.include({
        dryRun: false,
        chainId: "31337",
        oracle: system.deployment.oracle,
        minConfirmations: 1,
        usersChecked: 1,
        changed: 1,
        mintedSats: `${FUNDED}`,
        burnedSats: "0",
        deferred: [],
        skipped: [],
      });
      expect(first.reports).to.have.length(1);
      expect(first.reports[0]).to.include({
        user: USER,
        previousSats: "0",
        newTotalSats: `${FUNDED}`,
        sequence: "1",
      });
      expect(first.batches).to.have.length(1);

      const status = await oracleTask<UserStatusJson>("oracle:status", ["--user", USER]);
      expect(status).to.deep.equal({
        user: USER,
        btcAddresses: [ALICE_BTC],
        attestedSats: `${FUNDED}`,
        rbtcFree: `${FUNDED}`,
        rbtcEscrow: "0",
        wrbtc: "0",
        deferredSats: "0",
        queuedSats: "0",
        sequence: "1",
        btcHeight: first.reports[0]?.btcHeight,
        feeVaultWei: `${FEE_VAULT_AFTER_MINT}`,
      });

      // Spend part of the BTC (docs §3, last step), confirm it, sync: the difference is burned.
      const spent = await btcTask<{ sats: string; changeSats: string }>("btc:spend", [
        "--from",
        ALICE_BTC,
        "--to",
        OUTSIDE,
        "--sats",
        `${SPENT}`,
      ]);
      expect(spent).to.include({ sats: `${SPENT}`, changeSats: `${FUNDED - SPENT}` });
      await btcTask("btc:mine", ["--blocks", "1"]);
      const second = await oracleTask<RoundJson>("oracle:sync", bitcoin);
      expect(second).to.deep.include({ changed: 1, mintedSats: "0", burnedSats: `${SPENT}`, deferred: [] });
      expect(second.reports[0]).to.include({
        user: USER,
        previousSats: `${FUNDED}`,
        newTotalSats: `${FUNDED - SPENT}`,
        sequence: "2",
      });
      expect(await system.rbtc.freeBalanceOf(USER)).to.equal(FUNDED - SPENT);
      // Burns never charge a fee.
      expect(await system.feeVault.balanceOf(USER)).to.equal(FEE_VAULT_AFTER_MINT);
    });
  });

  describe(`oracle:run over ${POPULATION} users, ${BATCH} reports per transaction`, function () {
    let users: PopulatedUser[];
    /** Bound users besides the population (the newcomer, when that test ran first). */
    let others: string[];

    before(async function () {
      users = syntheticUsers(POPULATION, "cli-runner");
      others = [...(await system.oracle.usersSlice(0n, await system.oracle.usersLength()))];
      await bindUsers(system, connection.ethers.provider, committeeWallets(2), users, { feeEth: "0.01" });
      fundUsers(devnet.chain, users, fundedSats);
      devnet.chain.mine(1);
    });

    /** Transactions wait in the mempool for up to `ms` (the next block), as on a real chain. */
    async function intervalMining(ms: number): Promise<void> {
      await rpc(node.url, "evm_setAutomine", [false]);
      await rpc(node.url, "evm_setIntervalMining", [ms]);
    }

    /** Back to one block per transaction, with whatever waits in the mempool mined. */
    async function automine(): Promise<void> {
      await rpc(node.url, "evm_setIntervalMining", [0]);
      await rpc(node.url, "evm_setAutomine", [true]);
      await rpc(node.url, "evm_mine");
    }

    /** Every user's state on chain, in one view call. */
    async function statesOf(list: readonly PopulatedUser[]) {
      return system.oracle.userStates(list.map((u) => u.user));
    }

    /** An `oracle:run` process; `onLog` sees each of its JSON log lines as it arrives. */
    function runner(
      extra: string[],
      onLog?: (log: Log, child: ChildProcess) => void,
      extraEnv: Record<string, string> = {},
    ): Promise<HardhatResult> {
      const run = startHardhat(
        [
          "oracle:run",
          "--network",
          "localhost",
          "--bitcoin",
          devnet.url,
          "--batch-size",
          `${BATCH}`,
          "--json",
          ...extra,
        ],
        {
          env: { ...env, ...extraEnv },
          timeoutMs: 120_000,
          onLine: (line) => {
            if (onLog !== undefined && line.startsWith("{")) onLog(JSON.parse(line) as Log, run.child);
          },
        },
      );
      return run.done;
    }

    /** Sends `signal` to the runner at its first `submit: sent` log line (the round's first batch is in flight). */
    function atFirstSend(signal: NodeJS.Signals): (log: Log, child: ChildProcess) => void {
      let sent = false;
      return (log, child) => {
        if (sent || log.submit?.kind !== "sent") return;
        sent = true;
        child.kill(signal);
      };
    }

    /** The newcomer's rBTC after the first test (110,000 sats), when it ran before these. */
    const newcomer = (): bigint => (others.includes(USER) ? FUNDED - SPENT : 0n);

    /**
     * `oracle:run --interval 1` sent `signal` at its first `submit: sent`, on a node that mines a block a second (the
     * round's batches wait in the mempool, as on a real chain); afterwards what is left in the mempool is mined.
     */
    async function signalledMidRound(signal: NodeJS.Signals): Promise<HardhatResult> {
      await intervalMining(1_000);
      try {
        return await runner(["--interval", "1"], atFirstSend(signal));
      } finally {
        await automine();
      }
    }

    /** Confirmed BTC (≥ 1 confirmation) of every address bound to `user`. */
    async function confirmedSats(user: string): Promise<bigint> {
      const addresses = await system.oracle.addressesOf(user);
      return addresses.reduce((sum, a) => sum + devnet.chain.balance(a, 1), 0n);
    }

    /**
     * Every population user's rBTC equals their confirmed BTC, and `totalSupply()` equals the confirmed BTC of every
     * bound user (the population and the others): nothing minted twice, nobody skipped. Returns that total.
     */
    async function expectInSync(): Promise<bigint> {
      const balances = await Promise.all(users.map((u) => system.rbtc.freeBalanceOf(u.user)));
      const wrong = users.filter((u, i) => balances[i] !== devnet.chain.balance(u.btcAddress, 1));
      expect(wrong.map((u) => u.user)).to.deep.equal([]);
      const confirmed = await Promise.all([...users.map((u) => u.user), ...others].map(confirmedSats));
      const total = confirmed.reduce((a, b) => a + b, 0n);
      expect(await system.rbtc.totalSupply()).to.equal(total);
      return total;
    }

    it("SIGKILLed mid-round and restarted: every balance right, nothing minted twice or skipped", async function () {
      const funded = users.filter((_, i) => fundedSats(i) > 0n).length;
      expect(funded).to.equal(270);
      // The batches sent before the kill stay in the mempool and are mined (a crash after sending).
      const killed = await signalledMidRound("SIGKILL");
      expect(killed.signal).to.equal("SIGKILL");
      expect(logsOf(killed.stdout).filter((l) => l.event === "round")).to.deep.equal([]);

      const partial = await statesOf(users);
      const minted = partial.filter((s) => s.sequence === 1n);
      // Partly synced: the batches sent before the kill landed, not the round's 11.
      expect(minted.length).to.be.greaterThan(0).and.lessThan(funded);
      expect(partial.filter((s) => s.sequence > 1n)).to.deep.equal([]);
      for (const [i, s] of partial.entries()) {
        if (s.sequence === 1n)
          expect(s.attestedSats).to.equal(devnet.chain.balance(users[i]?.btcAddress ?? "", 1));
      }

      const restarted = await runner(["--interval", "1", "--max-rounds", "1"]);
      expect(restarted.code, restarted.stderr).to.equal(0);
      const rounds = logsOf(restarted.stdout).filter((l) => l.event === "round");
      expect(rounds).to.have.length(1);
      expect(rounds[0]).to.include({
        usersChecked: POPULATION + others.length,
        changed: funded - minted.length,
        deferred: 0,
      });
      expect(rounds[0]?.skipped).to.deep.equal([]);

      expect(await expectInSync()).to.equal(firstFunding() + newcomer());
      // One report per funded user, ever: the restarted round re-sent nothing the killed one had applied.
      const states = await statesOf(users);
      expect(states.map((s) => s.sequence)).to.deep.equal(
        users.map((_, i) => (fundedSats(i) > 0n ? 1n : 0n)),
      );
    });

    it("SIGTERM mid-round: the round finishes (every user synced), then the runner logs stop and exits 0", async function () {
      // Every user receives 1,000 sats more: one report each.
      fundUsers(devnet.chain, users, () => 1_000n);
      devnet.chain.mine(1);
      const states = await statesOf(users);
      const before = states.map((s) => s.sequence);
      // 300 × 1,000 sats after the test above; more when this test runs alone (the first funding not synced yet).
      const toMint = users.reduce(
        (sum, u, i) => sum + devnet.chain.balance(u.btcAddress, 1) - (states[i]?.attestedSats ?? 0n),
        0n,
      );

      const stopped = await signalledMidRound("SIGTERM");
      expect(stopped.signal).to.equal(null);
      expect(stopped.code, stopped.stderr).to.equal(0);
      const logs = logsOf(stopped.stdout);
      const events = logs.map((l) => l.event).filter((e) => e === "signal" || e === "round" || e === "stop");
      expect(events).to.deep.equal(["signal", "round", "stop"]);
      expect(logs.find((l) => l.event === "signal")).to.include({ signal: "SIGTERM" });
      expect(logs.find((l) => l.event === "round")).to.include({
        round: 1,
        changed: POPULATION,
        mintedSats: `${toMint}`,
        burnedSats: "0",
      });
      expect(logs.find((l) => l.event === "stop")).to.include({ rounds: 1, failures: 0 });

      expect(await expectInSync()).to.equal(firstFunding() + BigInt(POPULATION) * 1_000n + newcomer());
      const after = (await statesOf(users)).map((s) => s.sequence);
      expect(after).to.deep.equal(before.map((s) => s + 1n));
    });
    it("the node unreachable between rounds: a round fails (kind chain), the runner carries on and catches up", async function () {
      const relay = await startTcpRelay(node.url);
      const alice = users[0];
      if (alice === undefined) throw new Error("no users");
      let stage: "first round" | "down" | "back up" | "stopping" = "first round";
      let result: HardhatResult;
      try {
        result = await runner(
          ["--interval", "1"],
          (log, child) => {
            if (stage === "first round" && log.event === "round") {
              stage = "down";
              void relay.down();
            } else if (stage === "down" && log.event === "round-failed") {
              stage = "back up";
              devnet.chain.fund(alice.btcAddress, 2_000n);
              devnet.chain.mine(1);
              void relay.up();
            } else if (stage === "back up" && log.event === "round" && log.changed === 1) {
              // A round that read Bitcoin before the funding may still succeed with nothing changed (a loaded
              // machine can run one before this callback): wait for the round that catches up.
              stage = "stopping";
              child.kill("SIGTERM");
            }
          },
          { LOCALHOST_RPC_URL: relay.url },
        );
      } finally {
        await relay.close();
      }
      expect(result.code, result.stderr).to.equal(0);
      const logs = logsOf(result.stdout);
      const events = logs
        .map((l) => l.event)
        .filter((e) => e === "round" || e === "round-failed" || e === "stop");
      // Rounds after the first may fail more than once while the relay is down; then a round catches up.
      expect(events[0]).to.equal("round");
      expect(events.slice(-2)).to.deep.equal(["round", "stop"]);
      const failed = logs.filter((l) => l.event === "round-failed");
      expect(failed.length).to.be.at.least(1);
      expect(failed.map((l) => l.kind)).to.deep.equal(failed.map(() => "chain"));
      expect(String(failed[0]?.error)).to.match(/HHE703: Cannot connect to the network "localhost"/);
      // The catching-up round mints the 2,000 sats funded while the node was unreachable; a round the runner had
      // already started when it was told to stop may follow it, with nothing left to change.
      const afterFailures = logs
        .slice(logs.findLastIndex((l) => l.event === "round-failed"))
        .filter((l) => l.event === "round");
      const caughtUp = afterFailures.filter((l) => l.changed === 1);
      expect(caughtUp, JSON.stringify(afterFailures)).to.have.length(1);
      expect(caughtUp[0]).to.include({ mintedSats: "2000", burnedSats: "0" });
      for (const round of afterFailures) expect(round.changed === 0 || round === caughtUp[0]).to.equal(true);
      expect(logs.find((l) => l.event === "stop")).to.include({ failures: failed.length });
      await expectInSync();
    });
  });

  describe("with the RPC endpoint down", function () {
    it("oracle:sync, oracle:status and oracle:run print one line naming the URL and exit 2", async function () {
      const url = `http://127.0.0.1:${await freePort()}`;
      const down = { ...env, LOCALHOST_RPC_URL: url };
      const line =
        `error: the JSON-RPC endpoint of network "localhost" at ${url} refused the connection: ` +
        "start `npx hardhat node --hostname 127.0.0.1`, or set LOCALHOST_RPC_URL to the node's URL";
      const [sync, status, run] = await Promise.all([
        hardhat(["oracle:sync", "--network", "localhost", "--json"], { env: down, timeoutMs: 60_000 }),
        hardhat(["oracle:status", "--network", "localhost", "--user", USER], {
          env: down,
          timeoutMs: 60_000,
        }),
        hardhat(["oracle:run", "--network", "localhost", "--interval", "1"], {
          env: down,
          timeoutMs: 60_000,
        }),
      ]);
      for (const result of [sync, status, run]) {
        expect(result.code, result.stderr + result.stdout).to.equal(2);
        expect(result.stderr).to.equal(`${line}\n`);
      }
      expect(sync.stdout).to.equal("");
      expect(status.stdout).to.equal("");
      // The runner also logs the failure: without --json as one line for people (time, level, message, fields).
      expect(logsOf(run.stdout)).to.deep.equal([]);
      const fatal = run.stdout.trimEnd().split("\n");
      expect(fatal).to.have.length(1);
      expect(fatal[0]).to.match(
        /^\d{4}-\d\d-\d\dT[\d:.]+Z FATAL oracle runner cannot start {2}event=fatal error="/,
      );
      expect(fatal[0]).to.include(JSON.stringify(line.slice("error: ".length)));
    });

    it("the query and audit tasks print the same line and exit 2 (one place reports every task's error)", async function () {
      const url = `http://127.0.0.1:${await freePort()}`;
      const down = { ...env, LOCALHOST_RPC_URL: url };
      const results = await Promise.all([
        hardhat(["reserves:check", "--network", "localhost"], { env: down, timeoutMs: 60_000 }),
        hardhat(["realtime:balances", "--network", "localhost", "--user", USER, "--json"], {
          env: down,
          timeoutMs: 60_000,
        }),
      ]);
      for (const result of results) {
        expect(result.code, result.stderr + result.stdout).to.equal(2);
        expect(result.stderr).to.equal(
          `error: the JSON-RPC endpoint of network "localhost" at ${url} refused the connection: ` +
            "start `npx hardhat node --hostname 127.0.0.1`, or set LOCALHOST_RPC_URL to the node's URL\n",
        );
      }
    });
  });
});
