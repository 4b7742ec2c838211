/**
 * The address book: where the ReserveBTC contracts live on a chain, read from the Hardhat Ignition deployment
 * (deploy/deployments/chain-<id>/), and `deploySystem`, which deploys the whole system through the real Ignition
 * module on a network connection (tests, the demo and the oracle runner on the in-process network).
 */
import { readFile } from "node:fs/promises";
import path from "node:path";

import type { DeploymentParameters } from "@nomicfoundation/ignition-core";
import type { ContractRunner } from "ethers";
import type { NetworkConnection } from "hardhat/types/network";

import ReserveBTCModule from "../deploy/modules/ReserveBTC.js";
import YieldLocalModule from "../deploy/modules/YieldLocal.js";
import {
  DisputeManager__factory,
  FeePolicy__factory,
  FeeVault__factory,
  Oracle__factory,
  ProofOfReserves__factory,
  RBTCSynth__factory,
  WrBTC__factory,
  YieldScalesPool__factory,
} from "../types/ethers-contracts/index.js";
import type {
  DisputeManager,
  FeePolicy,
  FeeVault,
  Oracle,
  ProofOfReserves,
  RBTCSynth,
  WrBTC,
  YieldScalesPool,
} from "../types/ethers-contracts/index.js";
import { UserInputError } from "./errors.js";

/** The Ignition module id whose futures hold the contracts. */
export const MODULE_ID = "ReserveBTC";

/** The system's contracts, by address-book key, with their Ignition contract names. */
export const CONTRACTS = {
  rbtc: "RBTCSynth",
  wrbtc: "WrBTC",
  feeVault: "FeeVault",
  feePolicy: "FeePolicy",
  oracle: "Oracle",
  disputeManager: "DisputeManager",
  proofOfReserves: "ProofOfReserves",
} as const;

/**
 * Ignition future ids the optional YieldScalesPool may be deployed under (deploy/modules/Yield.ts on real networks,
 * YieldLocal.ts on local ones), in order of preference.
 */
export const YIELD_POOL_FUTURE_IDS = ["Yield#YieldScalesPool", "YieldLocal#YieldScalesPool"] as const;

/** Address-book key of a contract. */
export type ContractKey = keyof typeof CONTRACTS;

/** Where the system lives on one chain. Addresses are checksummed as Ignition wrote them. */
export interface Deployment {
  readonly chainId: bigint;
  readonly rbtc: string;
  readonly wrbtc: string;
  readonly feeVault: string;
  readonly feePolicy: string;
  readonly oracle: string;
  readonly disputeManager: string;
  readonly proofOfReserves: string;
  /** The YieldScalesPool, when one was deployed (it is optional: the core system works without it). */
  readonly yieldPool?: string;
  /** Block number each contract was deployed in (from journal.jsonl; absent when the journal is missing). */
  readonly startBlocks?: Readonly<Record<ContractKey, number>>;
}

/** The block the earliest contract of `deployment` was deployed in (from its journal), or undefined when unknown. */
export function earliestStartBlock(deployment: Deployment): number | undefined {
  const starts = deployment.startBlocks === undefined ? [] : Object.values(deployment.startBlocks);
  return starts.length > 0 ? Math.min(...starts) : undefined;
}

/** No usable Ignition deployment for a chain (missing folder, file or contract): bad input, exit 2 like any other. */
export class DeploymentNotFoundError extends UserInputError {
  override readonly name = "DeploymentNotFoundError";
  constructor(message: string) {
    super(message, "NO_DEPLOYMENT");
  }
}

/** Environment variable naming another folder of `chain-<id>/` deployments (default deploy/deployments). */
export const DEPLOYMENTS_DIR_VARIABLE = "RESERVEBTC_DEPLOYMENTS_DIR";

/** Where the tasks read deployments: $RESERVEBTC_DEPLOYMENTS_DIR when set, else deploy/deployments (Ignition's). */
export function defaultDeploymentsRoot(): string {
  const fromEnv = process.env[DEPLOYMENTS_DIR_VARIABLE];
  return fromEnv === undefined || fromEnv === "" ? "deploy/deployments" : fromEnv;
}

/** Folder of Ignition's default deployment of `chainId` under `root`. */
export function deploymentFolder(chainId: bigint, root = defaultDeploymentsRoot()): string {
  return path.join(root, `chain-${chainId}`);
}

/**
 * Reads the Ignition deployment of `chainId`: addresses from `deployed_addresses.json` (keys `ReserveBTC#<Contract>`)
 * and, when `journal.jsonl` is there, the block each contract was deployed in.
 * @throws DeploymentNotFoundError when the folder, the addresses file or one of the contracts is missing.
 */
export async function loadDeployment(chainId: bigint, root = defaultDeploymentsRoot()): Promise<Deployment> {
  const folder = deploymentFolder(chainId, root);
  let raw: string;
  try {
    raw = await readFile(path.join(folder, "deployed_addresses.json"), "utf8");
  } catch {
    throw new DeploymentNotFoundError(
      `no Ignition deployment for chain ${chainId} at ${folder}: run \`npx hardhat ignition deploy ` +
        `deploy/modules/ReserveBTC.ts --network <network>\` first`,
    );
  }
  const addresses = JSON.parse(raw) as Record<string, string>;
  const pick = (key: ContractKey): string => {
    const futureId = `${MODULE_ID}#${CONTRACTS[key]}`;
    const address = addresses[futureId];
    if (address === undefined) {
      throw new DeploymentNotFoundError(`deployment ${folder} has no ${futureId}`);
    }
    return address;
  };
  const deployment = {
    chainId,
    rbtc: pick("rbtc"),
    wrbtc: pick("wrbtc"),
    feeVault: pick("feeVault"),
    feePolicy: pick("feePolicy"),
    oracle: pick("oracle"),
    disputeManager: pick("disputeManager"),
    proofOfReserves: pick("proofOfReserves"),
  };
  const yieldPool = YIELD_POOL_FUTURE_IDS.map((id) => addresses[id]).find((a) => a !== undefined);
  const startBlocks = await readStartBlocks(folder);
  return {
    ...deployment,
    ...(yieldPool === undefined ? {} : { yieldPool }),
    ...(startBlocks === undefined ? {} : { startBlocks }),
  };
}

/** Deployment blocks by contract from journal.jsonl, or undefined when the journal or a receipt is missing. */
async function readStartBlocks(folder: string): Promise<Record<ContractKey, number> | undefined> {
  let journal: string;
  try {
    journal = await readFile(path.join(folder, "journal.jsonl"), "utf8");
  } catch {
    return undefined;
  }
  const byFutureId = new Map<string, number>();
  for (const line of journal.split("\n")) {
    if (line.trim() === "") continue;
    const entry = JSON.parse(line) as { futureId?: string; receipt?: { blockNumber?: number } };
    if (entry.futureId !== undefined && typeof entry.receipt?.blockNumber === "number") {
      byFutureId.set(entry.futureId, entry.receipt.blockNumber);
    }
  }
  const blocks: Partial<Record<ContractKey, number>> = {};
  for (const key of Object.keys(CONTRACTS) as ContractKey[]) {
    const block = byFutureId.get(`${MODULE_ID}#${CONTRACTS[key]}`);
    if (block === undefined) return undefined;
    blocks[key] = block;
  }
  return blocks as Record<ContractKey, number>;
}

/** A deployment's contract addresses by address-book key, plus `yieldPool` when there is one (for reports). */
export function addressesOf(deployment: Deployment): Record<ContractKey, string> & { yieldPool?: string } {
  const entries = (Object.keys(CONTRACTS) as ContractKey[]).map((key) => [key, deployment[key]] as const);
  return {
    ...(Object.fromEntries(entries) as Record<ContractKey, string>),
    ...(deployment.yieldPool === undefined ? {} : { yieldPool: deployment.yieldPool }),
  };
}

/** Typed instances of the system's contracts. */
export interface SystemContracts {
  readonly rbtc: RBTCSynth;
  readonly wrbtc: WrBTC;
  readonly feeVault: FeeVault;
  readonly feePolicy: FeePolicy;
  readonly oracle: Oracle;
  readonly disputeManager: DisputeManager;
  readonly proofOfReserves: ProofOfReserves;
  /** Present when the deployment has a YieldScalesPool. */
  readonly yieldPool?: YieldScalesPool;
}

/** Typed instances at a deployment's addresses, connected to `runner`. */
export function attachSystem(deployment: Deployment, runner: ContractRunner): SystemContracts {
  return {
    rbtc: RBTCSynth__factory.connect(deployment.rbtc, runner),
    wrbtc: WrBTC__factory.connect(deployment.wrbtc, runner),
    feeVault: FeeVault__factory.connect(deployment.feeVault, runner),
    feePolicy: FeePolicy__factory.connect(deployment.feePolicy, runner),
    oracle: Oracle__factory.connect(deployment.oracle, runner),
    disputeManager: DisputeManager__factory.connect(deployment.disputeManager, runner),
    proofOfReserves: ProofOfReserves__factory.connect(deployment.proofOfReserves, runner),
    ...(deployment.yieldPool === undefined
      ? {}
      : { yieldPool: YieldScalesPool__factory.connect(deployment.yieldPool, runner) }),
  };
}

/** What `deploySystem` needs of a Hardhat network connection. */
export type DeployConnection = Pick<NetworkConnection, "ethers" | "ignition">;

/** Values for the `ReserveBTC` module's parameters (see deploy/modules/ReserveBTC.ts). */
export type ReserveBTCParameters = DeploymentParameters[string];

/**
 * Deploys and wires the whole system through the real Ignition module on `connection` (account 0 deploys and is
 * the admin) and returns typed instances connected to account 0, plus the deployment's address book.
 */
export async function deploySystem(
  connection: DeployConnection,
  parameters: ReserveBTCParameters = {},
): Promise<SystemContracts & { deployment: Deployment }> {
  const deployed = await connection.ignition.deploy(ReserveBTCModule, {
    parameters: { [MODULE_ID]: parameters },
    displayUi: false,
  });
  const { admin, chainId } = await deployerOf(connection);
  const deployment = await deploymentOf(chainId, deployed);
  return { ...attachSystem(deployment, admin), deployment };
}

/** Account 0 (the deployer and admin) and the chain id of a connection. */
async function deployerOf(connection: DeployConnection): Promise<{ admin: ContractRunner; chainId: bigint }> {
  const [admin] = await connection.ethers.getSigners();
  if (admin === undefined) throw new Error("the network connection has no accounts");
  const { chainId } = await connection.ethers.provider.getNetwork();
  return { admin, chainId };
}

/**
 * LOCAL NETWORKS ONLY: deploys the whole system plus the YieldScalesPool through the `YieldLocal` module (MockStable
 * as reward and liquidity token, reserve funded) and returns typed instances (with `yieldPool`) connected to account
 * 0, the deployment's address book (with `yieldPool`) and the MockStable's address.
 */
export async function deploySystemWithYield(
  connection: DeployConnection,
  parameters: ReserveBTCParameters = {},
): Promise<SystemContracts & { deployment: Deployment; yieldPool: YieldScalesPool; stable: string }> {
  const deployed = await connection.ignition.deploy(YieldLocalModule, {
    parameters: { [MODULE_ID]: parameters },
    displayUi: false,
  });
  const { admin, chainId } = await deployerOf(connection);
  const core = await deploymentOf(chainId, deployed);
  const deployment: Deployment = { ...core, yieldPool: await deployed.pool.getAddress() };
  const system = attachSystem(deployment, admin);
  const yieldPool = YieldScalesPool__factory.connect(deployment.yieldPool ?? "", admin);
  return { ...system, yieldPool, deployment, stable: await deployed.stable.getAddress() };
}

/** The address book of contracts an Ignition deployment of the module returned (keyed like `CONTRACTS`). */
export async function deploymentOf(
  chainId: bigint,
  deployed: Record<ContractKey, { getAddress(): Promise<string> }>,
): Promise<Deployment> {
  const entries = await Promise.all(
    (Object.keys(CONTRACTS) as ContractKey[]).map(
      async (key) => [key, await deployed[key].getAddress()] as const,
    ),
  );
  return { chainId, ...Object.fromEntries(entries) } as Deployment;
}
