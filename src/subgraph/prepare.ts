// `subgraph:prepare`: renders subgraph/subgraph.yaml from subgraph/subgraph.template.yaml for one chain, with the
// ABIs from the Hardhat artifacts and the addresses and start blocks from the chain's Ignition deployment. Also
// writes subgraph/networks.json (graph-cli's networks file, so `graph build --network <name>` works as well).
// Nothing is hand-copied: a redeploy or an ABI change is picked up by running it again.

import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";

import { YIELD_POOL_FUTURE_IDS, defaultDeploymentsRoot } from "../deployments.js";
import { UserInputError } from "../errors.js";
import { deploymentFolder, readIgnitionDeployment } from "./deployment.js";
import type { AbiEntry } from "./manifest.js";
import {
  abiEventSignatures,
  graphNetworkName,
  parseDataSources,
  removeDataSource,
  renderTemplate,
  templatePlaceholders,
} from "./manifest.js";

/** Ignition module id whose futures the template's data sources name (`ReserveBTC#<Name>`). */
export const IGNITION_MODULE_ID = "ReserveBTC";

/**
 * Data sources of contracts a deployment may lack, with the Ignition future ids they may be deployed under (in order
 * of preference). Without one of them deployed, the data source is left out of the manifest.
 */
export const OPTIONAL_DATA_SOURCES: ReadonlyMap<string, readonly string[]> = new Map([
  ["YieldScalesPool", YIELD_POOL_FUTURE_IDS],
]);

export interface PrepareOptions {
  /** Project root (holds subgraph/ and deploy/). */
  readonly root: string;
  /** EVM chain id whose deployment is indexed. */
  readonly chainId: number;
  /** Graph network name; default from the chain id (see GRAPH_NETWORKS). */
  readonly graphNetwork?: string;
  /** Folder holding `chain-<id>/` Ignition deployments; default `<root>/deploy/deployments` ($RESERVEBTC_DEPLOYMENTS_DIR). */
  readonly deploymentsDir?: string;
  /** ABI of a contract by name (from the Hardhat artifacts). */
  readonly readAbi: (contractName: string) => Promise<readonly AbiEntry[]>;
}

export interface PreparedDataSource {
  readonly name: string;
  readonly address: string;
  readonly startBlock: number;
  /** ABI path relative to the project root. */
  readonly abi: string;
  readonly events: number;
}

export interface PrepareResult {
  readonly chainId: number;
  readonly network: string;
  /** Paths relative to the project root. */
  readonly manifest: string;
  readonly networksFile: string;
  readonly dataSources: readonly PreparedDataSource[];
}

/** Renders the manifest, ABIs and networks.json for `options.chainId`. */
export async function prepareSubgraph(options: PrepareOptions): Promise<PrepareResult> {
  if (!Number.isSafeInteger(options.chainId) || options.chainId <= 0) {
    throw new UserInputError(`invalid chain id: ${String(options.chainId)}`);
  }
  const subgraphDir = path.join(options.root, "subgraph");
  const network = graphNetworkName(options.chainId, options.graphNetwork);
  let template = await readFile(path.join(subgraphDir, "subgraph.template.yaml"), "utf8");
  const deploymentsDir = options.deploymentsDir ?? path.resolve(options.root, defaultDeploymentsRoot());
  const folder = deploymentFolder(deploymentsDir, options.chainId);
  const deployment = await readIgnitionDeployment(folder);
  const futureIdOf = (name: string): string =>
    (OPTIONAL_DATA_SOURCES.get(name) ?? []).find((id) => deployment.has(id)) ??
    `${IGNITION_MODULE_ID}#${name}`;
  for (const [name, futureIds] of OPTIONAL_DATA_SOURCES) {
    if (!futureIds.some((id) => deployment.has(id))) template = removeDataSource(template, name);
  }
  const dataSources = parseDataSources(template);

  const values = new Map<string, string>([["network", network]]);
  const prepared: PreparedDataSource[] = [];
  const networks: Record<string, { address: string; startBlock: number }> = {};
  await mkdir(path.join(subgraphDir, "abis"), { recursive: true });
  for (const source of dataSources) {
    const futureId = futureIdOf(source.name);
    const deployed = deployment.get(futureId);
    if (deployed === undefined) {
      throw new UserInputError(`deployment ${folder} has no ${futureId} (data source ${source.name})`);
    }
    if (deployed.block === undefined) {
      throw new UserInputError(`deployment ${folder}: no deployment transaction recorded for ${futureId}`);
    }
    const abi = await options.readAbi(source.name);
    checkHandlersMatchAbi(source.name, source.eventHandlers, abi);
    const abiPath = path.join(subgraphDir, source.abiFile);
    await writeFile(abiPath, `${JSON.stringify(abi, null, 2)}\n`);

    values.set(`${source.name}.address`, deployed.address);
    values.set(`${source.name}.startBlock`, String(deployed.block));
    networks[source.name] = { address: deployed.address, startBlock: deployed.block };
    prepared.push({
      name: source.name,
      address: deployed.address,
      startBlock: deployed.block,
      abi: path.relative(options.root, abiPath),
      events: abiEventSignatures(abi).length,
    });
  }
  for (const key of templatePlaceholders(template)) {
    if (!values.has(key)) throw new UserInputError(`subgraph template: unknown placeholder {{${key}}}`);
  }

  const header =
    "# GENERATED by `npx hardhat subgraph:prepare` from subgraph.template.yaml — do not edit; edit the template.\n" +
    `# chain ${options.chainId} (graph network "${network}"), deployment ${path.relative(options.root, folder)}\n`;
  const manifestPath = path.join(subgraphDir, "subgraph.yaml");
  await writeFile(manifestPath, header + renderTemplate(template, values));
  const networksPath = path.join(subgraphDir, "networks.json");
  await writeFile(networksPath, `${JSON.stringify({ [network]: networks }, null, 2)}\n`);

  return {
    chainId: options.chainId,
    network,
    manifest: path.relative(options.root, manifestPath),
    networksFile: path.relative(options.root, networksPath),
    dataSources: prepared,
  };
}

/** Fails unless the data source handles exactly the events of its ABI, each by its exact signature. */
export function checkHandlersMatchAbi(
  name: string,
  handlers: readonly { readonly event: string }[],
  abi: readonly AbiEntry[],
): void {
  const abiEvents = new Set(abiEventSignatures(abi));
  const handled = new Set(handlers.map((h) => h.event));
  const missing = [...abiEvents].filter((signature) => !handled.has(signature));
  const unknown = [...handled].filter((signature) => !abiEvents.has(signature));
  if (missing.length > 0 || unknown.length > 0) {
    const parts = [
      missing.length > 0 ? `no handler for ${missing.join(", ")}` : "",
      unknown.length > 0 ? `handlers for events not in the ABI: ${unknown.join(", ")}` : "",
    ].filter((part) => part !== "");
    throw new UserInputError(`subgraph template, data source ${name}: ${parts.join("; ")}`);
  }
}
