/**
 * `sim:run` on a Hardhat network connection: deploy on the in-process network or `localhost`; on a fork, attach to
 * the forked chain's Ignition deployment (or the one named by the caller) and impersonate its admin.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";

import { JsonRpcProvider } from "ethers";
import type { NetworkConnection } from "hardhat/types/network";

import type { Deployment } from "../deployments.js";
import { CONTRACTS, DeploymentNotFoundError, MODULE_ID, loadDeployment } from "../deployments.js";
import { UserInputError } from "../errors.js";
import type { EngineOptions, SimReport } from "./engine.js";
import { runScenario } from "./engine.js";
import type { Scenario } from "./scenario.js";

export interface RunOnNetworkOptions extends Omit<EngineOptions, "deployment"> {
  /** Attach to deploy/deployments/chain-<id> ("" = decide from the network). */
  deploymentChainId?: string;
  /** Attach to the Ignition deployment in this folder ("" = none). */
  deploymentDir?: string;
}

/** Reads `deployed_addresses.json` of an Ignition deployment folder (any deployment id). */
export async function loadDeploymentFolder(folder: string, chainId: bigint): Promise<Deployment> {
  let raw: string;
  try {
    raw = await readFile(path.join(folder, "deployed_addresses.json"), "utf8");
  } catch {
    throw new DeploymentNotFoundError(
      `no Ignition deployment at ${folder} (deployed_addresses.json missing)`,
    );
  }
  const addresses = JSON.parse(raw) as Record<string, string>;
  const pick = (key: keyof typeof CONTRACTS): string => {
    const address = addresses[`${MODULE_ID}#${CONTRACTS[key]}`];
    if (address === undefined)
      throw new DeploymentNotFoundError(`${folder} has no ${MODULE_ID}#${CONTRACTS[key]}`);
    return address;
  };
  return {
    chainId,
    rbtc: pick("rbtc"),
    wrbtc: pick("wrbtc"),
    feeVault: pick("feeVault"),
    feePolicy: pick("feePolicy"),
    oracle: pick("oracle"),
  };
}

/** The URL a fork network forks from, or undefined when the network is not a fork. */
export async function forkUrl(connection: NetworkConnection): Promise<string | undefined> {
  const config = connection.networkConfig as { type: string; forking?: { url?: unknown } };
  if (config.type !== "edr-simulated" || config.forking === undefined) return undefined;
  const url = config.forking.url as string | { get(): Promise<string> } | undefined;
  if (url === undefined) return undefined;
  return typeof url === "string" ? url : url.get();
}

/** Which deployment to attach to, or undefined to deploy a fresh system. */
export async function resolveDeployment(
  connection: NetworkConnection,
  options: RunOnNetworkOptions,
): Promise<Deployment | undefined> {
  const { chainId } = await connection.ethers.provider.getNetwork();
  if (options.deploymentDir !== undefined && options.deploymentDir !== "") {
    return loadDeploymentFolder(options.deploymentDir, chainId);
  }
  if (options.deploymentChainId !== undefined && options.deploymentChainId !== "") {
    if (!/^\d+$/.test(options.deploymentChainId)) {
      throw new UserInputError(
        `--deployment-chain-id must be a chain id, got "${options.deploymentChainId}"`,
      );
    }
    const deployment = await loadDeployment(BigInt(options.deploymentChainId));
    return { ...deployment, chainId };
  }
  const url = await forkUrl(connection);
  if (url === undefined) return undefined;
  // A fork: attach to the forked chain's own deployment (its chain id, read from the forked node).
  const remote = new JsonRpcProvider(url, undefined, { staticNetwork: true });
  try {
    const remoteChainId = BigInt((await remote.send("eth_chainId", [])) as string);
    const deployment = await loadDeployment(remoteChainId);
    return { ...deployment, chainId };
  } finally {
    remote.destroy();
  }
}

/** Hosts `sim:run` may send transactions to: a simulation never touches a live network (it uses public test keys). */
const LOCAL_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

/**
 * Refuses an http network that is not on this machine: scenarios use Hardhat's public keys and `hardhat_*` methods and
 * would deploy real contracts. Use a fork of the live network instead.
 */
export async function assertLocalNetwork(connection: NetworkConnection): Promise<void> {
  const config = connection.networkConfig as { type: string; url?: string | { get(): Promise<string> } };
  if (config.type !== "http") return;
  const url = typeof config.url === "string" ? config.url : await config.url?.get();
  let host: string;
  try {
    host = new URL(url ?? "").hostname;
  } catch {
    host = "";
  }
  if (!LOCAL_HOSTS.has(host)) {
    throw new UserInputError(
      `sim:run only runs on the in-process network, a local node or a fork; "${connection.networkName}" is a remote ` +
        `network — fork it instead (FORK_RPC_URL=… --network fork)`,
      "NETWORK",
    );
  }
}

/** Runs a validated scenario on `connection` (deploying or attaching, see {@link resolveDeployment}). */
export async function runScenarioOnNetwork(
  scenario: Scenario,
  connection: NetworkConnection,
  options: RunOnNetworkOptions = {},
): Promise<SimReport> {
  await assertLocalNetwork(connection);
  const deployment = await resolveDeployment(connection, options);
  const { deploymentChainId: _c, deploymentDir: _d, ...engine } = options;
  return runScenario(scenario, connection, deployment === undefined ? engine : { ...engine, deployment });
}
