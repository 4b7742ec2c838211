/**
 * The scenario engine: an in-process Bitcoin devnet plus the connected EVM network (in-process, `hardhat node`, or
 * a fork). It deploys the system through Ignition with the scenario's committee (or attaches to an existing
 * deployment on a fork), binds every user's HD-derived BTC addresses with real ownership proofs, prepays fees,
 * then runs the steps one by one and checks every expectation. See docs/simulations.md.
 */
import { ZeroAddress, getAddress, parseEther } from "ethers";
import type { ContractTransactionResponse, Signer } from "ethers";
import type { NetworkConnection } from "hardhat/types/network";

import ReserveBTCModule from "../../deploy/modules/ReserveBTC.js";
import YieldLocalModule from "../../deploy/modules/YieldLocal.js";
import { MockStable__factory } from "../../types/ethers-contracts/index.js";
import type { YieldScalesPool } from "../../types/ethers-contracts/index.js";
import type { RunningDevnet } from "../bitcoin/devnet/server.js";
import { startDevnet } from "../bitcoin/devnet/server.js";
import type { WalletAddressType } from "../bitcoin/devnet/wallet.js";
import { DevnetWallet } from "../bitcoin/devnet/wallet.js";
import { EsploraClient } from "../bitcoin/esplora.js";
import type { Deployment, SystemContracts } from "../deployments.js";
import { MODULE_ID, addressesOf, attachSystem, deploymentOf } from "../deployments.js";
import { redactUrl } from "../errors.js";
import { bindAddress, pendingBindingMessage } from "../oracle/bind.js";
import type { OperatorTally } from "../oracle/committee.js";
import { LoopbackCommittee } from "../oracle/operator/loopback.js";
import type { RoundSummary } from "../oracle/round.js";
import { runSyncRound } from "../oracle/round.js";
import { hardhatWallet } from "../oracle/signing.js";
import { checkReserves } from "../reserves/check.js";
import { FaultyBitcoinSource, inflatedView } from "./faults.js";
import type { Comparison, Expectations, GlobalExpectation, Scenario, Step, UserField } from "./scenario.js";
import {
  ALL_USERS,
  EMERGENCY_BURN_REASON_NAMES,
  compare,
  describeComparison,
  usesYield,
} from "./scenario.js";

/** Every scenario user's EVM account is topped up to this much ETH before the first step. */
export const USER_ETH = parseEther("100");
/** Users prepared (fee deposit + bindings) at once during setup. */
const SETUP_CONCURRENCY = 8;
/** Where spent BTC goes (an address outside the system). */
const OUTSIDE_WALLET = "sim:outside";
/** `IDisputeManager.Status.OPEN`. */
const DISPUTE_OPEN = 1;

/** The failure of a system-wide expectation, or undefined when it holds. */
function checkGlobal(
  index: number,
  expectation: GlobalExpectation,
  actual: bigint | boolean,
): ExpectFailure | undefined {
  const { field, expected } = expectation;
  if (typeof expected === "boolean") {
    return actual === expected ? undefined : globalFailure(index, field, String(expected), String(actual));
  }
  const value = typeof actual === "boolean" ? (actual ? 1n : 0n) : actual;
  return compare(expected, value)
    ? undefined
    : globalFailure(index, field, describeComparison(expected), value.toString());
}

// ------------------------------------------------------------------------------------------------ report shapes

/** One failed expectation: which step, field and user, what was expected and what the chain says. */
export interface ExpectFailure {
  step: number;
  field: string;
  user: string;
  expected: string;
  actual: string;
  message: string;
}

export interface StepReport {
  index: number;
  /** e.g. "btc fund alice[0] 150000", "oracle sync", "expect rbtcFree". */
  label: string;
  ok: boolean;
  gasUsed: bigint;
  durationMs: number;
  /** The error the step raised (when unexpected), or the expected error's message when `expectError` matched. */
  error?: string;
  failures: ExpectFailure[];
  /** What the step did (sync: reports/minted/burned/deferred; btc: txid, tip; …). */
  details: Record<string, string | number | boolean>;
}

export interface SimUserReport {
  id: string;
  evmAddress: string;
  btcAddresses: { type: WalletAddressType; address: string; bound: boolean }[];
}

export interface SimReport {
  scenario: string;
  network: {
    name: string;
    chainId: bigint;
    mode: "deploy" | "attach";
    forkedFrom?: string;
    forkBlock?: bigint;
  };
  /** Contract addresses by address-book key (`yieldPool` when the deployment has one). */
  deployment: ReturnType<typeof addressesOf>;
  committee: {
    operators: string[];
    threshold: number;
    minConfirmations: number;
    /** What each operator node did during the scenario (setup bindings included), by operator index. */
    nodes: Array<OperatorTally & { index: number }>;
  };
  bitcoin: { url: string; tipHeight: number };
  setup: { gasUsed: bigint; durationMs: number; bindings: number; deposits: number };
  users: SimUserReport[];
  steps: StepReport[];
  /** Every failure as one line (step index, field, user, expected, actual). */
  failures: string[];
  passed: boolean;
  gasUsed: bigint;
  durationMs: number;
}

export interface EngineOptions {
  /** Attach to this deployment instead of deploying (fork / existing node). */
  deployment?: Deployment;
  /** Use this devnet instead of starting one (it is not closed at the end). */
  devnet?: RunningDevnet;
  /** Ignition deployment id on http networks (default `sim-<chainId>-<time>`, so reruns never reuse a journal). */
  deploymentId?: string;
  onProgress?: (message: string) => void;
}

// ------------------------------------------------------------------------------------------------ internals

interface SimUser {
  id: string;
  address: string;
  signer: Signer;
  wallet: DevnetWallet;
  btc: { type: WalletAddressType; address: string }[];
}

/** The error's message with a decoded custom error when ethers found one. */
export function errorMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const e = error as Error & { shortMessage?: string; revert?: { name?: string; args?: unknown[] } };
  let message = e.shortMessage ?? e.message;
  if (e.revert?.name !== undefined) {
    const args = (e.revert.args ?? []).map((a) => String(a)).join(", ");
    message += ` ${e.revert.name}(${args})`;
  }
  if (
    e.shortMessage !== undefined &&
    e.message !== e.shortMessage &&
    !message.includes(e.message.split("\n")[0] ?? "")
  ) {
    message += ` — ${e.message.split("\n")[0]}`;
  }
  return message;
}

function labelOf(step: Step): string {
  const a = step.action;
  if ("expect" in a) {
    const fields = [
      ...Object.keys(a.expect.perUser),
      ...a.expect.global.map((g) => g.field),
      ...(a.expect.burnReasons.size > 0 ? ["emergencyBurnReasons"] : []),
    ];
    return `expect ${fields.join(", ")}`;
  }
  if ("btc" in a) {
    switch (a.btc) {
      case "fund":
        return `btc fund ${a.user}[${a.address}] ${a.sats}`;
      case "spend":
        return `btc spend ${a.user}[${a.address}] ${a.sats}${a.feeSats > 0n ? ` fee ${a.feeSats}` : ""}`;
      case "mine":
        return `btc mine ${a.blocks}`;
      case "reorg":
        return `btc reorg depth ${a.depth}`;
    }
  }
  if ("oracle" in a) {
    if (a.oracle === "bind") return `oracle bind ${a.user}[${a.address}]`;
    switch (a.oracle) {
      case "kill-operator":
      case "revive-operator":
      case "operator-honest":
        return `oracle ${a.oracle} ${a.operator}`;
      case "operator-lies":
        return `oracle operator-lies ${a.operator} +${a.inflateSats} sats`;
      case "operator-lags":
        return `oracle operator-lags ${a.operator} ${a.blocks} blocks`;
      case "malicious-proposal":
        return `oracle malicious-proposal ${a.user} +${a.inflateSats} sats`;
      default:
        return `oracle ${a.oracle}`;
    }
  }
  switch (a.do) {
    case "wrap":
    case "redeem":
      return `do ${a.do} ${a.user} ${a.sats}`;
    case "transfer":
      return `do transfer ${a.token} ${a.from} → ${a.to} ${a.sats}`;
    case "depositFee":
      return `do depositFee ${a.user} ${a.wei} wei`;
    case "withdrawFee":
      return `do withdrawFee ${a.user} ${a.wei === "all" ? "all" : `${a.wei} wei`}`;
    case "advanceTime":
      return `do advanceTime ${a.seconds}s`;
    case "executeQueuedMint":
    case "cancelQueuedMint":
    case "joinYield":
    case "leaveYield":
    case "claimYield":
      return `do ${a.do} ${a.user}`;
    case "dispute":
      return `do dispute ${a.user} by ${a.challenger}: claims ${a.claimedSats}, bond ${a.bondWei} wei`;
    case "resolve":
      return `do resolve ${a.upheld ? `upheld → ${a.resolvedSats}` : "rejected"}`;
    case "expireDispute":
      return "do expireDispute";
    case "fundDisputeRewards":
      return `do fundDisputeRewards ${a.wei} wei`;
    case "stakeWrBTC":
    case "unstakeWrBTC":
      return `do ${a.do} ${a.user} ${a.sats}`;
    case "depositLiquidity":
      return `do depositLiquidity ${a.user} ${a.units} units`;
    case "fundRewards":
      return `do fundRewards ${a.units} units`;
  }
}

/** A failure of a system-wide expectation (user ""). */
function globalFailure(index: number, field: string, expected: string, actual: string): ExpectFailure {
  return {
    step: index,
    field,
    user: "",
    expected,
    actual,
    message: `step ${index}: ${field}: expected ${expected}, actual ${actual}`,
  };
}

async function forkInfo(
  connection: NetworkConnection,
): Promise<{ url: string; blockNumber?: bigint } | undefined> {
  const config = connection.networkConfig as {
    type: string;
    forking?: { url?: unknown; blockNumber?: bigint };
  };
  if (config.type !== "edr-simulated" || config.forking === undefined) return undefined;
  const url = config.forking.url as string | { get(): Promise<string> } | undefined;
  let shown = "(unknown)";
  if (typeof url === "string") shown = url;
  else if (url !== undefined) shown = await url.get();
  shown = redactUrl(shown);
  return config.forking.blockNumber === undefined
    ? { url: shown }
    : { url: shown, blockNumber: config.forking.blockNumber };
}

// ------------------------------------------------------------------------------------------------ the engine

/**
 * Runs `scenario` on `connection`. Never throws for a failed expectation or an unexpected step error (both are in
 * the report, `passed: false`); throws only when the setup itself fails (deployment, funding, binding).
 */
export async function runScenario(
  scenario: Scenario,
  connection: NetworkConnection,
  options: EngineOptions = {},
): Promise<SimReport> {
  const started = Date.now();
  const progress = options.onProgress ?? (() => undefined);
  const devnet = options.devnet ?? (await startDevnet({ port: 0 }));
  const cleanups: Array<() => Promise<void>> = [];
  try {
    return await run(scenario, connection, devnet, options, progress, started, cleanups);
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup();
    if (options.devnet === undefined) await devnet.close();
  }
}

async function run(
  scenario: Scenario,
  connection: NetworkConnection,
  devnet: RunningDevnet,
  options: EngineOptions,
  progress: (message: string) => void,
  started: number,
  cleanups: Array<() => Promise<void>>,
): Promise<SimReport> {
  const { ethers, networkHelpers } = connection;
  const provider = ethers.provider;
  const { chainId } = await provider.getNetwork();
  const esplora = new EsploraClient({ baseUrl: devnet.url, network: "regtest" });
  const net = scenario.network;
  const signers = await ethers.getSigners();
  const signerFor = (index: number): Signer => signers[index] ?? hardhatWallet(index).connect(provider);
  const setup = { gasUsed: 0n, durationMs: 0, bindings: 0, deposits: 0 };
  const wait = async (tx: Promise<ContractTransactionResponse>): Promise<bigint> => {
    const receipt = await (await tx).wait();
    if (receipt === null) throw new Error("transaction has no receipt");
    return receipt.gasUsed;
  };

  // 1. The system: deploy with the scenario's committee, or attach and re-point it.
  const operatorWallets = Array.from({ length: net.committee }, (_, i) => hardhatWallet(i + 1));
  const operatorAddresses = operatorWallets.map((w) => w.address);
  let system: SystemContracts;
  let deployment: Deployment;
  let mode: "deploy" | "attach";
  let admin: Signer;
  const withYield = usesYield(scenario);
  if (options.deployment === undefined) {
    mode = "deploy";
    const http = connection.networkConfig.type === "http";
    const deployOptions = {
      parameters: {
        [MODULE_ID]: {
          operators: operatorAddresses,
          threshold: net.threshold,
          minConfirmations: net.minConfirmations,
        },
      },
      displayUi: false,
      ...(http ? { deploymentId: options.deploymentId ?? `sim-${chainId}-${Date.now()}` } : {}),
    };
    admin = signerFor(0);
    if (withYield) {
      // The YieldLocal module deploys the system, MockStable and the pool, wired as the Oracle's balance hook.
      const deployed = await connection.ignition.deploy(YieldLocalModule, deployOptions);
      deployment = {
        ...(await deploymentOf(chainId, deployed)),
        yieldPool: await deployed.pool.getAddress(),
      };
    } else {
      deployment = await deploymentOf(
        chainId,
        await connection.ignition.deploy(ReserveBTCModule, deployOptions),
      );
    }
    system = attachSystem(deployment, admin);
    progress(`deployed on chain ${chainId}: Oracle ${deployment.oracle}`);
  } else {
    mode = "attach";
    deployment = options.deployment;
    const reader = attachSystem(deployment, provider);
    const adminAddress = getAddress(await reader.oracle.defaultAdmin());
    const local = signers.find((s) => s.address === adminAddress);
    if (local !== undefined) admin = local;
    else {
      await networkHelpers.impersonateAccount(adminAddress);
      await networkHelpers.setBalance(adminAddress, USER_ETH);
      admin = await ethers.getImpersonatedSigner(adminAddress);
      progress(`impersonating the admin ${adminAddress}`);
    }
    system = attachSystem(deployment, admin);
    // Re-point the committee and confirmations to the scenario's, through the admin, when they differ.
    const [operators, threshold] = await system.oracle.committee();
    const same =
      Number(threshold) === net.threshold &&
      operators.length === operatorAddresses.length &&
      operators.every((o) => operatorAddresses.includes(getAddress(o)));
    if (!same) {
      setup.gasUsed += await wait(system.oracle.setCommittee(operatorAddresses, net.threshold));
      progress(`committee re-pointed to ${net.threshold} of ${net.committee} local operators`);
    }
    if (Number(await system.oracle.minConfirmations()) !== net.minConfirmations) {
      setup.gasUsed += await wait(system.oracle.setMinConfirmations(net.minConfirmations));
    }
    progress(`attached to the deployment on chain ${chainId}: Oracle ${deployment.oracle}`);
  }
  if (withYield && system.yieldPool === undefined) {
    throw new Error("the scenario uses yield, but the deployment has no YieldScalesPool");
  }
  const pool = system.yieldPool;
  const needPool = (): YieldScalesPool => {
    if (pool === undefined) throw new Error("the deployment has no YieldScalesPool");
    return pool;
  };

  // The committee: one operator node per operator on loopback, each with its own key, Bitcoin client (which the
  // operator-lies / operator-lags steps make misbehave) and slashing-protection record; the runner aggregates them.
  const backends: FaultyBitcoinSource[] = [];
  const loopback = await LoopbackCommittee.start({
    provider,
    deployment,
    keys: operatorWallets,
    bitcoinUrl: devnet.url,
    btcNetwork: "regtest",
    bitcoinFor: (index, client) => (backends[index] = new FaultyBitcoinSource(client)),
  });
  cleanups.push(() => loopback.close());
  const { committee } = loopback;
  const nodes = loopback.nodes;
  const sign = committee.batchSigner(system.oracle);
  /** Operators that refused something in the latest oracle round (by index). */
  let lastRefusedBy: number[] = [];
  /** Reports dropped for lack of a threshold, per user address, over the scenario. */
  const droppedCount = new Map<string, bigint>();
  // Every round commits the reserve round too: wraps are refused until reserves prove full backing (secure mint).
  const reserves = {
    contract: system.proofOfReserves,
    sign: committee.reserveSigner(system.proofOfReserves),
  };

  // 2. Users: Hardhat accounts after the committee, HD-derived BTC keys, 100 ETH, fee deposits, bindings.
  const users = new Map<string, SimUser>();
  const firstUserAccount = net.committee + 1;
  let nextAccount = firstUserAccount;
  const pinned = new Set(scenario.users.flatMap((u) => (u.account === undefined ? [] : [u.account])));
  scenario.users.forEach((spec) => {
    let account = spec.account;
    if (account === undefined) {
      while (pinned.has(nextAccount)) nextAccount += 1;
      account = nextAccount++;
    }
    const signer = signerFor(account);
    const wallet = new DevnetWallet(spec.id, "regtest");
    users.set(spec.id, {
      id: spec.id,
      address: "",
      signer,
      wallet,
      btc: spec.btcAddresses.map((type, k) => ({
        type,
        // several addresses of one type use consecutive receive indices
        address: wallet.address(type, spec.btcAddresses.slice(0, k).filter((t) => t === type).length).address,
      })),
    });
  });
  const setupStarted = Date.now();
  await Promise.all(
    scenario.users.map(async (spec) => {
      const user = users.get(spec.id) as SimUser;
      user.address = getAddress(await user.signer.getAddress());
      await networkHelpers.setBalance(user.address, USER_ETH);
    }),
  );
  const bound = new Set<string>();
  const bind = async (user: SimUser, index: number): Promise<bigint> => {
    const btc = user.btc[index];
    if (btc === undefined) throw new Error(`${user.id} has no BTC address ${index}`);
    const message = await pendingBindingMessage(system.oracle, user.address, btc.address);
    const { signature } = user.wallet.signMessage(btc.type, message);
    const result = await bindAddress(system.oracle.connect(user.signer), committee, {
      user: user.address,
      btcAddress: btc.address,
      signature,
      network: "regtest",
    });
    bound.add(btc.address);
    return result.gasUsed;
  };
  let prepared = 0;
  const prepare = async (spec: (typeof scenario.users)[number]): Promise<void> => {
    const user = users.get(spec.id) as SimUser;
    if (spec.feeVaultWei > 0n) {
      const gas = await wait(
        system.feeVault.connect(user.signer).depositETH(user.address, { value: spec.feeVaultWei }),
      );
      setup.gasUsed += gas;
      setup.deposits += 1;
    }
    if (spec.bind) {
      for (let k = 0; k < user.btc.length; k++) {
        const btc = user.btc[k] as { address: string };
        if ((await system.oracle.ownerOfBtcAddress(btc.address)) !== ZeroAddress) {
          bound.add(btc.address); // already bound (an attached deployment's prior history)
          continue;
        }
        const gas = await bind(user, k);
        setup.gasUsed += gas;
        setup.bindings += 1;
      }
    }
    prepared += 1;
    if (prepared % 100 === 0) progress(`users ${prepared}/${users.size} funded and bound`);
  };
  // Users are independent accounts: prepare a few at a time so chain round trips overlap with proof signing.
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let spec = scenario.users[next++]; spec !== undefined; spec = scenario.users[next++])
      await prepare(spec);
  };
  await Promise.all(
    Array.from({ length: Math.min(SETUP_CONCURRENCY, scenario.users.length) }, () => worker()),
  );
  setup.durationMs = Date.now() - setupStarted;
  progress(`${users.size} users ready: ${setup.bindings} bindings, ${setup.deposits} fee deposits`);
  // Emergency burns and disputes are counted from here: on an attached deployment, earlier history is not the scenario's.
  const baseline = {
    block: await provider.getBlockNumber(),
    emergencyBurns: await system.oracle.emergencyBurnCount(),
    disputes: await system.disputeManager.disputeCount(),
  };

  const userOf = (id: string): SimUser => {
    const user = users.get(id);
    if (user === undefined) throw new Error(`unknown user "${id}"`);
    return user;
  };
  const targets = (id: string): SimUser[] => (id === ALL_USERS ? [...users.values()] : [userOf(id)]);
  const outside = new DevnetWallet(OUTSIDE_WALLET).address("p2wpkh").address;

  // 3. Reads for expectations and for the "changed nothing" check of expectError.
  const readField = async (field: UserField, user: SimUser): Promise<bigint> => {
    switch (field) {
      case "rbtcFree":
        return system.rbtc.freeBalanceOf(user.address);
      case "rbtcEscrow":
        return system.rbtc.escrowOf(user.address);
      case "wrbtc":
        return system.wrbtc.balanceOf(user.address);
      case "attested":
        return (await system.oracle.userState(user.address)).attestedSats;
      case "feeVaultWei":
        return system.feeVault.balanceOf(user.address);
      case "deferredMint":
        return (await system.oracle.userState(user.address)).deferredSats;
      case "queuedMint":
        return (await system.oracle.userState(user.address)).queuedSats;
      case "wrbtcUncovered":
        return system.wrbtc.uncoveredOf(user.address);
      case "emergencyBurnedSats":
        return (await emergencyBurns())
          .filter((b) => b.user === user.address)
          .reduce((sum, b) => sum + b.amountSats, 0n);
      case "yieldClaimable":
        return needPool().claimableOf(user.address);
      case "yieldClaimed":
        return needPool().claimedOf(user.address);
      case "yieldRateBps":
        return needPool().holderRateBps(user.address);
      case "yieldStaked":
        return (await needPool().userStatus(user.address)).stakedSats;
      case "droppedReports":
        return droppedCount.get(user.address) ?? 0n;
    }
  };
  /** EmergencyBurn events since the setup, oldest first. */
  const emergencyBurns = async (): Promise<{ user: string; amountSats: bigint; reason: string }[]> => {
    const events = await system.oracle.queryFilter(system.oracle.filters.EmergencyBurn(), baseline.block + 1);
    return events.map((e) => ({
      user: getAddress(e.args.user),
      amountSats: e.args.amountSats,
      reason: EMERGENCY_BURN_REASON_NAMES[Number(e.args.reason)] ?? `reason ${e.args.reason}`,
    }));
  };
  /** Disputes opened during the scenario, by status name. */
  const disputeCounts = async (): Promise<Record<string, bigint>> => {
    const counts: Record<string, bigint> = { open: 0n, upheld: 0n, rejected: 0n, expired: 0n };
    const total = await system.disputeManager.disputeCount();
    const names = ["none", "open", "upheld", "rejected", "expired"];
    for (let id = baseline.disputes + 1n; id <= total; id++) {
      const name = names[Number((await system.disputeManager.dispute(id)).status)] ?? "none";
      counts[name] = (counts[name] ?? 0n) + 1n;
    }
    return counts;
  };
  /** The latest dispute still open (the one `resolve` and `expireDispute` act on). */
  const latestOpenDispute = async (): Promise<bigint> => {
    const total = await system.disputeManager.disputeCount();
    for (let id = total; id > 0n; id--) {
      if (Number((await system.disputeManager.dispute(id)).status) === DISPUTE_OPEN) return id;
    }
    throw new Error("no open dispute");
  };
  const readGlobal = async (field: string): Promise<bigint | boolean> => {
    const [group, key] = field.split(".") as [string, string | undefined];
    if (group === "emergencyBurns")
      return (await system.oracle.emergencyBurnCount()) - baseline.emergencyBurns;
    if (group === "disputes") return (await disputeCounts())[key ?? ""] ?? 0n;
    if (group === "proofOfReserves") {
      const por = system.proofOfReserves;
      switch (key) {
        case "attestedSats":
          return por.attestedSats();
        case "rbtcSupply":
          return system.rbtc.totalSupply();
        case "wrbtcSupply":
          return system.wrbtc.totalSupply();
        case "uncoveredSats":
          return por.uncoveredSats();
        case "backingRatio":
          return por.backingRatio();
        case "round":
          return por.latestRoundId();
        case "isFullyBacked":
          return por.isFullyBacked();
        case "rootMatches":
          // the same audit as `reserves:check`: the committed root against one rebuilt from the devnet's balances
          return (await checkReserves(system, esplora)).proofOfReserves.rootMatches;
        default:
          break; // not a proofOfReserves figure: the unknown-field error below names it
      }
    }
    if (group === "yield") {
      const status = await needPool().poolStatus();
      if (key === "ratePositive") return status.rateBps > 0n;
      // the other yield keys are PoolStatus members of the same name (validated by the parser)
      const value: unknown = (status as unknown as Record<string, unknown>)[key ?? ""];
      if (typeof value === "bigint") return value;
    }
    throw new Error(`unknown expectation field ${field}`);
  };
  const snapshot = async (): Promise<string> => {
    const perUser = await Promise.all(
      [...users.values()].map(async (u) => {
        const [free, escrow, wrbtc, state, fee] = await Promise.all([
          system.rbtc.freeBalanceOf(u.address),
          system.rbtc.escrowOf(u.address),
          system.wrbtc.balanceOf(u.address),
          system.oracle.userState(u.address),
          system.feeVault.balanceOf(u.address),
        ]);
        return [u.id, free, escrow, wrbtc, state.attestedSats, state.deferredSats, state.sequence, fee].join(
          ":",
        );
      }),
    );
    const [supply, wrbtcSupply, paused, bindings, disputes, burns, poolStatus] = await Promise.all([
      system.rbtc.totalSupply(),
      system.wrbtc.totalSupply(),
      system.oracle.paused(),
      system.oracle.bindingsLength(),
      disputeCounts(),
      system.oracle.emergencyBurnCount(),
      pool?.poolStatus(),
    ]);
    const yieldState =
      poolStatus === undefined
        ? ""
        : [
            poolStatus.holders,
            poolStatus.totalStakedSats,
            poolStatus.totalLiquidity,
            poolStatus.rewardReserve,
          ].join(",");
    return [
      ...perUser,
      supply,
      wrbtcSupply,
      paused,
      bindings,
      Object.values(disputes).join(","),
      burns,
      yieldState,
      devnet.chain.tipHash,
      devnet.chain.mempool.length,
      nodes.map((n) => n.up).join(","),
      backends
        .map((b) => JSON.stringify(b.fault, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)))
        .join(","),
    ].join("|");
  };

  // 4. The steps.
  const reports: StepReport[] = [];
  const failures: string[] = [];
  let aborted = false;
  for (const step of scenario.steps) {
    const report: StepReport = {
      index: step.index,
      label: labelOf(step),
      ok: true,
      gasUsed: 0n,
      durationMs: 0,
      failures: [],
      details: {},
    };
    if (step.note !== undefined) report.details.note = step.note;
    reports.push(report);
    if (aborted) {
      report.ok = false;
      report.error = "skipped: an earlier step failed";
      continue;
    }
    const stepStarted = Date.now();
    const before = step.expectError === undefined ? undefined : await snapshot();
    try {
      await execute(step, report);
      if (step.expectError !== undefined) {
        report.ok = false;
        report.error = `expected an error containing "${step.expectError}", but the step succeeded`;
      }
    } catch (error) {
      const message = errorMessage(error);
      if (step.expectError === undefined) {
        report.ok = false;
        report.error = message;
        aborted = true;
      } else if (!message.toLowerCase().includes(step.expectError.toLowerCase())) {
        report.ok = false;
        report.error = `expected an error containing "${step.expectError}", got: ${message}`;
      } else {
        report.error = message;
        const after = await snapshot();
        if (after !== before) {
          report.ok = false;
          report.error = `the step failed as expected ("${step.expectError}") but changed state`;
        }
      }
    }
    report.durationMs = Date.now() - stepStarted;
    if (report.error !== undefined && !report.ok)
      failures.push(`step ${step.index} (${report.label}): ${report.error}`);
    for (const f of report.failures) failures.push(f.message);
    if (report.failures.length > 0) report.ok = false;
    progress(`${report.ok ? "ok  " : "FAIL"} step ${step.index}: ${report.label} (${report.durationMs} ms)`);
  }

  async function expectStep(index: number, expectations: Expectations, report: StepReport): Promise<void> {
    for (const [field, map] of Object.entries(expectations.perUser) as [
      UserField,
      Map<string, Comparison>,
    ][]) {
      for (const [id, expected] of map) {
        for (const user of targets(id)) {
          const actual = await readField(field, user);
          if (!compare(expected, actual)) {
            const wanted = describeComparison(expected);
            report.failures.push({
              step: index,
              field,
              user: user.id,
              expected: wanted,
              actual: actual.toString(),
              message: `step ${index}: ${field} of ${user.id}: expected ${wanted}, actual ${actual}`,
            });
          }
        }
      }
    }
    for (const { field, expected } of expectations.global) {
      const failure = checkGlobal(index, { field, expected }, await readGlobal(field));
      if (failure !== undefined) report.failures.push(failure);
    }
    if (expectations.refusedBy !== undefined) {
      const [wanted, got] = [JSON.stringify(expectations.refusedBy), JSON.stringify(lastRefusedBy)];
      if (wanted !== got) {
        report.failures.push({
          step: index,
          field: "refusedBy",
          user: "",
          expected: wanted,
          actual: got,
          message: `step ${index}: refusedBy: expected ${wanted}, actual ${got}`,
        });
      }
    }
    if (expectations.burnReasons.size > 0) {
      const burns = await emergencyBurns();
      for (const [id, reasons] of expectations.burnReasons) {
        for (const user of targets(id)) {
          const actual = burns.filter((b) => b.user === user.address).map((b) => b.reason);
          if (actual.join(",") !== reasons.join(",")) {
            const [wanted, got] = [JSON.stringify(reasons), JSON.stringify(actual)];
            report.failures.push({
              step: index,
              field: "emergencyBurnReasons",
              user: user.id,
              expected: wanted,
              actual: got,
              message: `step ${index}: emergencyBurnReasons of ${user.id}: expected ${wanted}, actual ${got}`,
            });
          }
        }
      }
    }
  }

  /** One round through the operator nodes (the aggregator reading Bitcoin through `view`); what each node did. */
  async function syncStep(report: StepReport, view: typeof esplora | ReturnType<typeof inflatedView>) {
    const before = committee.tallies();
    let summary: RoundSummary;
    try {
      summary = await runSyncRound(system.oracle, system.rbtc, view, sign, { reserves });
    } finally {
      const after = committee.tallies();
      lastRefusedBy = after.flatMap((t, i) => ((before[i]?.refused ?? 0) < t.refused ? [i] : []));
    }
    report.gasUsed += summary.gasUsed;
    for (const d of summary.dropped) {
      droppedCount.set(d.report.user, (droppedCount.get(d.report.user) ?? 0n) + 1n);
    }
    const idOf = (address: string) => [...users.values()].find((u) => u.address === address)?.id ?? address;
    Object.assign(report.details, {
      reports: summary.changed,
      mintedSats: summary.mintedSats.toString(),
      burnedSats: summary.burnedSats.toString(),
      deferred: summary.deferred.length,
      queued: summary.queued.length,
      skipped: summary.skipped.length,
      batches: summary.batches.length,
      btcHeight: summary.bitcoinTip.height,
      emergencyBurns: summary.emergencyBurns,
      feeExhaustedBurns: summary.feeExhaustedBurns.length,
    });
    if (summary.reserves !== undefined) report.details.reservesCommitted = summary.reserves.committed;
    if (summary.dropped.length > 0) {
      report.details.dropped = summary.dropped.map((d) => idOf(d.report.user)).join(",");
    }
    if (lastRefusedBy.length > 0) report.details.refusedBy = lastRefusedBy.join(",");
    const offline = committee.lastFailures.filter((f) => !f.reason.startsWith("refused")).length;
    if (offline > 0) report.details.offlineOperators = offline;
  }

  async function execute(step: Step, report: StepReport): Promise<void> {
    const a = step.action;
    if ("expect" in a) return expectStep(step.index, a.expect, report);
    if ("btc" in a) {
      const chain = devnet.chain;
      switch (a.btc) {
        case "fund":
          for (const user of targets(a.user)) {
            report.details.txid = chain.fund(addressOf(user, a.address), a.sats).txid;
          }
          return;
        case "spend":
          for (const user of targets(a.user)) {
            report.details.txid = chain.spend(addressOf(user, a.address), outside, a.sats, a.feeSats).txid;
          }
          return;
        case "mine":
          chain.mine(a.blocks);
          report.details.tipHeight = chain.tipHeight;
          return;
        case "reorg": {
          const result = chain.reorg(a.depth);
          report.details.tipHeight = result.tipHeight;
          report.details.droppedTxs = result.droppedTxids.length;
          return;
        }
      }
    }
    if ("oracle" in a) {
      switch (a.oracle) {
        case "sync":
          return syncStep(report, esplora);
        case "malicious-proposal": {
          const user = userOf(a.user);
          const first = user.btc[0]?.address;
          if (first === undefined) throw new Error(`${user.id} has no BTC address`);
          report.details.inflatedSats = a.inflateSats.toString();
          return syncStep(report, inflatedView(esplora, new Set([first]), a.inflateSats));
        }
        case "bind": {
          const user = userOf(a.user);
          report.gasUsed += await bind(user, a.address);
          return;
        }
        case "pause":
          report.gasUsed += await wait(system.oracle.pause());
          return;
        case "unpause":
          report.gasUsed += await wait(system.oracle.unpause());
          return;
        case "kill-operator":
        case "revive-operator": {
          const node = nodes[a.operator];
          if (node === undefined) throw new Error(`no operator ${a.operator} (committee of ${nodes.length})`);
          await (a.oracle === "kill-operator" ? node.kill() : node.revive());
          report.details.online = nodes.filter((n) => n.up).length;
          return;
        }
        case "operator-lies":
        case "operator-lags":
        case "operator-honest": {
          const backend = backends[a.operator];
          if (backend === undefined)
            throw new Error(`no operator ${a.operator} (committee of ${nodes.length})`);
          backend.fault =
            a.oracle === "operator-lies"
              ? { kind: "lies", inflateSats: a.inflateSats }
              : a.oracle === "operator-lags"
                ? { kind: "lags", blocks: a.blocks }
                : { kind: "honest" };
          report.details.fault = backend.fault.kind;
          return;
        }
      }
    }
    switch (a.do) {
      case "wrap":
        report.gasUsed += await wait(system.wrbtc.connect(userOf(a.user).signer).wrap(a.sats));
        return;
      case "redeem":
        report.gasUsed += await wait(system.wrbtc.connect(userOf(a.user).signer).redeem(a.sats));
        return;
      case "transfer":
        report.gasUsed += await wait(
          system.wrbtc.connect(userOf(a.from).signer).transfer(userOf(a.to).address, a.sats),
        );
        return;
      case "depositFee": {
        const user = userOf(a.user);
        report.gasUsed += await wait(
          system.feeVault.connect(user.signer).depositETH(user.address, { value: a.wei }),
        );
        return;
      }
      case "withdrawFee": {
        const user = userOf(a.user);
        const amount = a.wei === "all" ? await system.feeVault.balanceOf(user.address) : a.wei;
        report.gasUsed += await wait(system.feeVault.connect(user.signer).withdraw(amount));
        report.details.withdrawnWei = amount.toString();
        return;
      }
      case "executeQueuedMint":
        // anyone may execute a ready queued mint; the scenario's admin account sends it
        report.gasUsed += await wait(system.oracle.executeQueuedMint(userOf(a.user).address));
        return;
      case "cancelQueuedMint":
        report.gasUsed += await wait(system.oracle.cancelQueuedMint(userOf(a.user).address));
        return;
      case "advanceTime":
        await networkHelpers.time.increase(a.seconds);
        return;
      case "dispute": {
        const challenger = userOf(a.challenger);
        report.gasUsed += await wait(
          system.disputeManager
            .connect(challenger.signer)
            .openDispute(userOf(a.user).address, a.claimedSats, "sim:evidence", { value: a.bondWei }),
        );
        report.details.disputeId = (await system.disputeManager.disputeCount()).toString();
        return;
      }
      case "resolve": {
        // the resolver role is the admin's (the deployment's default)
        const id = await latestOpenDispute();
        report.gasUsed += await wait(system.disputeManager.resolveDispute(id, a.upheld, a.resolvedSats));
        report.details.disputeId = id.toString();
        return;
      }
      case "expireDispute": {
        const id = await latestOpenDispute();
        report.gasUsed += await wait(system.disputeManager.expireDispute(id));
        report.details.disputeId = id.toString();
        return;
      }
      case "fundDisputeRewards":
        report.gasUsed += await wait(system.disputeManager.fundRewards({ value: a.wei }));
        return;
      case "joinYield":
        report.gasUsed += await wait(needPool().connect(userOf(a.user).signer).join());
        return;
      case "leaveYield":
        report.gasUsed += await wait(needPool().connect(userOf(a.user).signer).leave());
        return;
      case "claimYield": {
        const user = userOf(a.user);
        const before = await needPool().claimedOf(user.address);
        report.gasUsed += await wait(needPool().connect(user.signer).claim());
        report.details.claimedUnits = ((await needPool().claimedOf(user.address)) - before).toString();
        return;
      }
      case "stakeWrBTC": {
        const user = userOf(a.user);
        const target = await needPool().getAddress();
        report.gasUsed += await wait(system.wrbtc.connect(user.signer).approve(target, a.sats));
        report.gasUsed += await wait(needPool().connect(user.signer).stakeWrBTC(a.sats));
        return;
      }
      case "unstakeWrBTC":
        report.gasUsed += await wait(needPool().connect(userOf(a.user).signer).unstakeWrBTC(a.sats));
        return;
      case "depositLiquidity":
      case "fundRewards": {
        // LOCAL: the pool's token is the YieldLocal MockStable (open mint); the sender mints what it deposits
        const sender = a.do === "depositLiquidity" ? userOf(a.user).signer : admin;
        const token = MockStable__factory.connect(
          a.do === "depositLiquidity" ? await needPool().liquidityToken() : await needPool().rewardToken(),
          sender,
        );
        const from = await sender.getAddress();
        report.gasUsed += await wait(token.mint(from, a.units));
        report.gasUsed += await wait(token.approve(await needPool().getAddress(), a.units));
        const connected = needPool().connect(sender);
        report.gasUsed += await wait(
          a.do === "depositLiquidity" ? connected.depositLiquidity(a.units) : connected.fundRewards(a.units),
        );
        return;
      }
    }
  }

  function addressOf(user: SimUser, index: number): string {
    const btc = user.btc[index];
    if (btc === undefined) throw new Error(`${user.id} has no BTC address ${index}`);
    return btc.address;
  }

  const [committeeNow, minConfirmations] = await Promise.all([
    system.oracle.committee(),
    system.oracle.minConfirmations(),
  ]);
  const fork = await forkInfo(connection);
  return {
    scenario: scenario.name,
    network: {
      name: connection.networkName,
      chainId,
      mode,
      ...(fork === undefined ? {} : { forkedFrom: fork.url }),
      ...(fork?.blockNumber === undefined ? {} : { forkBlock: fork.blockNumber }),
    },
    deployment: addressesOf(deployment),
    committee: {
      operators: committeeNow[0].map((o) => getAddress(o)),
      nodes: committee.tallies().map((t, index) => ({ index, ...t })),
      threshold: Number(committeeNow[1]),
      minConfirmations: Number(minConfirmations),
    },
    bitcoin: { url: devnet.url, tipHeight: devnet.chain.tipHeight },
    setup,
    users: [...users.values()].map((u) => ({
      id: u.id,
      evmAddress: u.address,
      btcAddresses: u.btc.map((b) => ({ ...b, bound: bound.has(b.address) })),
    })),
    steps: reports,
    failures,
    passed: failures.length === 0,
    gasUsed: setup.gasUsed + reports.reduce((sum, r) => sum + r.gasUsed, 0n),
    durationMs: Date.now() - started,
  };
}
