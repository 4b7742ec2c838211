/**
 * The world a scenario runs in, set up in named steps: the system (deployed with the scenario's committee, or an
 * existing deployment attached and re-pointed), the committee of operator nodes on loopback, and the users (EVM
 * accounts, HD-derived BTC addresses, fee deposits and bindings with real ownership proofs).
 */
import { ZeroAddress, getAddress, parseEther } from "ethers";
import type { ContractTransactionResponse, Signer } from "ethers";
import type { NetworkConnection } from "hardhat/types/network";

import ReserveBTCModule from "../../deploy/modules/ReserveBTC.js";
import YieldLocalModule from "../../deploy/modules/YieldLocal.js";
import type { YieldScalesPool } from "../../types/ethers-contracts/index.js";
import type { ProofOfReserves } from "../../types/ethers-contracts/index.js";
import type { RunningDevnet } from "../bitcoin/devnet/server.js";
import type { WalletAddressType } from "../bitcoin/devnet/wallet.js";
import { DevnetWallet } from "../bitcoin/devnet/wallet.js";
import { EsploraClient } from "../bitcoin/esplora.js";
import type { Deployment, SystemContracts } from "../deployments.js";
import { MODULE_ID, attachSystem, deploymentOf } from "../deployments.js";
import { bindAddress, pendingBindingMessage } from "../oracle/bind.js";
import type { Committee } from "../oracle/committee.js";
import type { LoopbackNode } from "../oracle/operator/loopback.js";
import { LoopbackCommittee } from "../oracle/operator/loopback.js";
import { hardhatWallet } from "../oracle/signing.js";
import type { BatchSigner } from "../oracle/submit.js";
import { FaultyBitcoinSource } from "./faults.js";
import type { Scenario } from "./scenario.js";
import { ALL_USERS, usesYield } from "./scenario.js";

/** Every scenario user's EVM account is topped up to this much ETH before the first step. */
export const USER_ETH = parseEther("100");
/** Users prepared (fee deposit + bindings) at once during setup. */
const SETUP_CONCURRENCY = 8;
/** Where spent BTC goes (an address outside the system). */
const OUTSIDE_WALLET = "sim:outside";

export interface SimUser {
  id: string;
  address: string;
  signer: Signer;
  wallet: DevnetWallet;
  btc: { type: WalletAddressType; address: string }[];
}

/** What the setup cost (reported as `setup`). */
export interface SetupTally {
  gasUsed: bigint;
  durationMs: number;
  bindings: number;
  deposits: number;
}

/** The system a scenario acts on and how it got it. */
export interface SimSystem {
  system: SystemContracts;
  deployment: Deployment;
  mode: "deploy" | "attach";
  /** The admin (deployer, local account or impersonated): resolver, guardian and funder of the scenario. */
  admin: Signer;
}

/** Everything the steps act on and read. */
export interface SimWorld extends SimSystem {
  connection: NetworkConnection;
  devnet: RunningDevnet;
  esplora: EsploraClient;
  pool: YieldScalesPool | undefined;
  committee: Committee;
  nodes: LoopbackNode[];
  /** Each operator's Bitcoin client (the operator-lies / operator-lags steps make one misbehave). */
  backends: FaultyBitcoinSource[];
  sign: BatchSigner;
  /** Every round commits the reserve round too: wraps are refused until reserves prove full backing. */
  reserves: { contract: ProofOfReserves; sign: ReturnType<Committee["reserveSigner"]> };
  users: Map<string, SimUser>;
  /** BTC addresses bound during the scenario (or before it, on an attached deployment). */
  bound: Set<string>;
  /** The BTC address spends go to (outside the system). */
  outside: string;
  /** Emergency burns and disputes count from here: an attached deployment's earlier history is not the scenario's. */
  baseline: { block: number; emergencyBurns: bigint; disputes: bigint };
  /** Operators that refused something in the latest oracle round (by index). */
  lastRefusedBy: number[];
  /** Reports dropped for lack of a threshold, per user address, over the scenario. */
  droppedCount: Map<string, bigint>;
}

/** The gas a transaction used, once mined. */
export async function gasOf(tx: Promise<ContractTransactionResponse>): Promise<bigint> {
  const receipt = await (await tx).wait();
  if (receipt === null) throw new Error("transaction has no receipt");
  return receipt.gasUsed;
}

/** The signer of Hardhat account `index` (a configured one, or the default mnemonic's on the provider). */
async function signerSource(connection: NetworkConnection): Promise<(index: number) => Signer> {
  const signers = await connection.ethers.getSigners();
  return (index) => signers[index] ?? hardhatWallet(index).connect(connection.ethers.provider);
}

/** The scenario's operator keys: Hardhat accounts 1..committee. */
export function operatorWallets(scenario: Scenario): ReturnType<typeof hardhatWallet>[] {
  return Array.from({ length: scenario.network.committee }, (_, i) => hardhatWallet(i + 1));
}

/** Deploys the system through Ignition with the scenario's committee (and the yield pool when it uses yield). */
export async function deployForScenario(
  scenario: Scenario,
  connection: NetworkConnection,
  deploymentId: string | undefined,
  progress: (message: string) => void,
): Promise<SimSystem> {
  const { chainId } = await connection.ethers.provider.getNetwork();
  const net = scenario.network;
  const http = connection.networkConfig.type === "http";
  const deployOptions = {
    parameters: {
      [MODULE_ID]: {
        operators: operatorWallets(scenario).map((w) => w.address),
        threshold: net.threshold,
        minConfirmations: net.minConfirmations,
      },
    },
    displayUi: false,
    ...(http ? { deploymentId: deploymentId ?? `sim-${chainId}-${Date.now()}` } : {}),
  };
  const admin = (await signerSource(connection))(0);
  let deployment: Deployment;
  if (usesYield(scenario)) {
    // The YieldLocal module deploys the system, MockStable and the pool, wired as the Oracle's balance hook.
    const deployed = await connection.ignition.deploy(YieldLocalModule, deployOptions);
    deployment = { ...(await deploymentOf(chainId, deployed)), yieldPool: await deployed.pool.getAddress() };
  } else {
    deployment = await deploymentOf(
      chainId,
      await connection.ignition.deploy(ReserveBTCModule, deployOptions),
    );
  }
  progress(`deployed on chain ${chainId}: Oracle ${deployment.oracle}`);
  return { system: attachSystem(deployment, admin), deployment, mode: "deploy", admin };
}

/** The deployment's admin: a local account, or impersonated (a fork) and given ETH. */
async function adminOf(
  connection: NetworkConnection,
  deployment: Deployment,
  progress: (message: string) => void,
): Promise<Signer> {
  const { ethers, networkHelpers } = connection;
  const reader = attachSystem(deployment, ethers.provider);
  const adminAddress = getAddress(await reader.oracle.defaultAdmin());
  const local = (await ethers.getSigners()).find((s) => s.address === adminAddress);
  if (local !== undefined) return local;
  await networkHelpers.impersonateAccount(adminAddress);
  await networkHelpers.setBalance(adminAddress, USER_ETH);
  progress(`impersonating the admin ${adminAddress}`);
  return ethers.getImpersonatedSigner(adminAddress);
}

/** Attaches to an existing deployment and re-points its committee and confirmations to the scenario's. */
export async function attachForScenario(
  scenario: Scenario,
  connection: NetworkConnection,
  deployment: Deployment,
  setup: SetupTally,
  progress: (message: string) => void,
): Promise<SimSystem> {
  const { chainId } = await connection.ethers.provider.getNetwork();
  const net = scenario.network;
  const operatorAddresses = operatorWallets(scenario).map((w) => w.address);
  const admin = await adminOf(connection, deployment, progress);
  const system = attachSystem(deployment, admin);
  const [operators, threshold] = await system.oracle.committee();
  const same =
    Number(threshold) === net.threshold &&
    operators.length === operatorAddresses.length &&
    operators.every((o) => operatorAddresses.includes(getAddress(o)));
  if (!same) {
    setup.gasUsed += await gasOf(system.oracle.setCommittee(operatorAddresses, net.threshold));
    progress(`committee re-pointed to ${net.threshold} of ${net.committee} local operators`);
  }
  if (Number(await system.oracle.minConfirmations()) !== net.minConfirmations) {
    setup.gasUsed += await gasOf(system.oracle.setMinConfirmations(net.minConfirmations));
  }
  progress(`attached to the deployment on chain ${chainId}: Oracle ${deployment.oracle}`);
  return { system, deployment, mode: "attach", admin };
}

/**
 * The committee: one operator node per operator on loopback, each with its own key, Bitcoin client (which the
 * operator-lies / operator-lags steps make misbehave) and slashing-protection record; the runner aggregates them.
 */
export async function startScenarioCommittee(
  scenario: Scenario,
  connection: NetworkConnection,
  devnet: RunningDevnet,
  chain: SimSystem,
): Promise<{ loopback: LoopbackCommittee; backends: FaultyBitcoinSource[] }> {
  const backends: FaultyBitcoinSource[] = [];
  const loopback = await LoopbackCommittee.start({
    provider: connection.ethers.provider,
    deployment: chain.deployment,
    keys: operatorWallets(scenario),
    bitcoinUrl: devnet.url,
    btcNetwork: "regtest",
    bitcoinFor: (index, client) => (backends[index] = new FaultyBitcoinSource(client)),
  });
  return { loopback, backends };
}

/** The scenario's users: Hardhat accounts after the committee (or pinned ones), HD-derived BTC addresses. */
export async function createUsers(
  scenario: Scenario,
  connection: NetworkConnection,
): Promise<Map<string, SimUser>> {
  const signerFor = await signerSource(connection);
  const users = new Map<string, SimUser>();
  let nextAccount = scenario.network.committee + 1;
  const pinned = new Set(scenario.users.flatMap((u) => (u.account === undefined ? [] : [u.account])));
  for (const spec of scenario.users) {
    let account = spec.account;
    if (account === undefined) {
      while (pinned.has(nextAccount)) nextAccount += 1;
      account = nextAccount++;
    }
    const wallet = new DevnetWallet(spec.id, "regtest");
    users.set(spec.id, {
      id: spec.id,
      address: "",
      signer: signerFor(account),
      wallet,
      btc: spec.btcAddresses.map((type, k) => ({
        type,
        // several addresses of one type use consecutive receive indices
        address: wallet.address(type, spec.btcAddresses.slice(0, k).filter((t) => t === type).length).address,
      })),
    });
  }
  return users;
}

/** The world before setup: the system, the committee and the users (not yet funded or bound). */
export async function assembleWorld(
  scenario: Scenario,
  connection: NetworkConnection,
  devnet: RunningDevnet,
  chain: SimSystem,
  committee: { loopback: LoopbackCommittee; backends: FaultyBitcoinSource[] },
): Promise<SimWorld> {
  const { loopback, backends } = committee;
  const { system } = chain;
  return {
    ...chain,
    connection,
    devnet,
    esplora: new EsploraClient({ baseUrl: devnet.url, network: "regtest" }),
    pool: system.yieldPool,
    committee: loopback.committee,
    nodes: loopback.nodes,
    backends,
    sign: loopback.committee.batchSigner(system.oracle),
    reserves: {
      contract: system.proofOfReserves,
      sign: loopback.committee.reserveSigner(system.proofOfReserves),
    },
    users: await createUsers(scenario, connection),
    bound: new Set<string>(),
    outside: new DevnetWallet(OUTSIDE_WALLET).address("p2wpkh").address,
    baseline: { block: 0, emergencyBurns: 0n, disputes: 0n },
    lastRefusedBy: [],
    droppedCount: new Map<string, bigint>(),
  };
}

/** Binds the user's BTC address `index` with a real ownership proof the committee verifies; the gas used. */
export async function bindUser(world: SimWorld, user: SimUser, index: number): Promise<bigint> {
  const { system, committee } = world;
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
  world.bound.add(btc.address);
  return result.gasUsed;
}

/** One user's setup: the fee deposit, then every BTC address bound (an already bound one is kept). */
async function prepareUser(
  world: SimWorld,
  spec: Scenario["users"][number],
  setup: SetupTally,
): Promise<void> {
  const { system } = world;
  const user = userOf(world, spec.id);
  if (spec.feeVaultWei > 0n) {
    setup.gasUsed += await gasOf(
      system.feeVault.connect(user.signer).depositETH(user.address, { value: spec.feeVaultWei }),
    );
    setup.deposits += 1;
  }
  if (!spec.bind) return;
  for (let k = 0; k < user.btc.length; k++) {
    const btc = user.btc[k] as { address: string };
    if ((await system.oracle.ownerOfBtcAddress(btc.address)) !== ZeroAddress) {
      world.bound.add(btc.address); // already bound (an attached deployment's prior history)
      continue;
    }
    setup.gasUsed += await bindUser(world, user, k);
    setup.bindings += 1;
  }
}

/**
 * Funds every user's account with 100 ETH, then deposits fees and binds addresses a few users at a time (chain round
 * trips overlap with proof signing); finally records the baseline the expectations count from.
 */
export async function prepareUsers(
  world: SimWorld,
  scenario: Scenario,
  setup: SetupTally,
  progress: (message: string) => void,
): Promise<void> {
  const { networkHelpers } = world.connection;
  const started = Date.now();
  await Promise.all(
    scenario.users.map(async (spec) => {
      const user = userOf(world, spec.id);
      user.address = getAddress(await user.signer.getAddress());
      await networkHelpers.setBalance(user.address, USER_ETH);
    }),
  );
  let next = 0;
  let prepared = 0;
  const worker = async (): Promise<void> => {
    for (let spec = scenario.users[next++]; spec !== undefined; spec = scenario.users[next++]) {
      await prepareUser(world, spec, setup);
      prepared += 1;
      if (prepared % 100 === 0) progress(`users ${prepared}/${world.users.size} funded and bound`);
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(SETUP_CONCURRENCY, scenario.users.length) }, () => worker()),
  );
  setup.durationMs = Date.now() - started;
  progress(`${world.users.size} users ready: ${setup.bindings} bindings, ${setup.deposits} fee deposits`);
  const { system } = world;
  world.baseline = {
    block: await world.connection.ethers.provider.getBlockNumber(),
    emergencyBurns: await system.oracle.emergencyBurnCount(),
    disputes: await system.disputeManager.disputeCount(),
  };
}

/** The scenario user `id`. */
export function userOf(world: SimWorld, id: string): SimUser {
  const user = world.users.get(id);
  if (user === undefined) throw new Error(`unknown user "${id}"`);
  return user;
}

/** The users a step names: one, or every user for `*`. */
export function targets(world: SimWorld, id: string): SimUser[] {
  return id === ALL_USERS ? [...world.users.values()] : [userOf(world, id)];
}

/** The deployment's YieldScalesPool (an error when it has none). */
export function needPool(world: SimWorld): YieldScalesPool {
  if (world.pool === undefined) throw new Error("the deployment has no YieldScalesPool");
  return world.pool;
}

/** The user's BTC address `index`. */
export function addressOf(user: SimUser, index: number): string {
  const btc = user.btc[index];
  if (btc === undefined) throw new Error(`${user.id} has no BTC address ${index}`);
  return btc.address;
}
