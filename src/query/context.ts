import path from "node:path";
import { fileURLToPath } from "node:url";

import { JsonRpcProvider } from "ethers";
import type { Provider } from "ethers";
import type { NetworkConnection } from "hardhat/types/network";

import type { Deployment } from "../deployments.js";
import { loadDeployment } from "../deployments.js";
import { UserInputError } from "../errors.js";
import { defaultDataDir } from "../store/db.js";
import type { OpenOptions } from "../store/db.js";
import type { Store } from "../store/store.js";
import { openStore } from "../store/store.js";
import { PostgresSource } from "./postgres.js";
import { RpcSource } from "./rpc.js";
import type { RpcSourceOptions } from "./rpc.js";
import { SUBGRAPH_URL_ENV, SubgraphSource } from "./subgraph.js";
import type { QuerySource, SourceKind } from "./types.js";

/** The project root (the store's default data folder and the subgraph live under it). */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Environment variable holding the store's server URL (instead of --database-url). */
export const DATABASE_URL_ENV = "RESERVEBTC_DATABASE_URL";

/**
 * Where the postgres source's store is: --database-url (or RESERVEBTC_DATABASE_URL) for a server, else the PGlite
 * folder --data-dir (default cache/realtime-store/chain-<id>).
 */
export async function storeLocation(
  choice: Pick<SourceChoice, "dataDir" | "databaseUrl">,
  connection: NetworkConnection,
): Promise<OpenOptions> {
  const url =
    choice.databaseUrl !== undefined && choice.databaseUrl !== ""
      ? choice.databaseUrl
      : process.env[DATABASE_URL_ENV];
  if (url !== undefined && url !== "") return { databaseUrl: url };
  if (choice.dataDir !== undefined && choice.dataDir !== "") return { dataDir: path.resolve(choice.dataDir) };
  const { chainId } = await connection.ethers.provider.getNetwork();
  return { dataDir: defaultDataDir(PROJECT_ROOT, chainId) };
}

/** Networks whose default source is `rpc` (local and forked); others default to `subgraph`. */
const RPC_DEFAULT_NETWORKS = new Set(["default", "hardhat", "localhost", "fork"]);

export interface ChainAccess {
  provider: Provider;
  deployment: Deployment;
}

/**
 * The provider and address book of a network connection. Over HTTP a dedicated ethers `JsonRpcProvider` is used, so
 * reads issued together go out as one JSON-RPC batch; in-process the connection's own provider is used.
 */
export async function chainAccess(
  connection: NetworkConnection,
  deployment?: Deployment,
): Promise<ChainAccess> {
  let provider: Provider = connection.ethers.provider;
  const config = connection.networkConfig;
  if (config.type === "http") {
    const url = await config.url.get();
    const { chainId } = await connection.ethers.provider.getNetwork();
    provider = new JsonRpcProvider(url, chainId, {
      staticNetwork: true,
      batchMaxCount: 100,
      // ethers caches identical requests for 250 ms by default; the stream must see every new head at once.
      cacheTimeout: -1,
    });
  }
  const { chainId } = await provider.getNetwork();
  return { provider, deployment: deployment ?? (await loadDeployment(chainId)) };
}

/** Blocks the indexer stays behind the head: `--confirmations N`, else 0 on local networks and 12 elsewhere. */
export function defaultConfirmations(flag: number, networkName: string): number {
  if (flag >= 0) return flag;
  return RPC_DEFAULT_NETWORKS.has(networkName) ? 0 : 12;
}

export function parseSourceKind(value: string, networkName: string): SourceKind {
  if (value === "") return RPC_DEFAULT_NETWORKS.has(networkName) ? "rpc" : "subgraph";
  if (value !== "rpc" && value !== "subgraph" && value !== "postgres") {
    throw new UserInputError(`invalid --source "${value}": rpc, subgraph or postgres`, "BAD_SOURCE");
  }
  return value;
}

/** The subgraph endpoint from --subgraph-url or RESERVEBTC_SUBGRAPH_URL, validated. */
export function subgraphUrl(flag: string | undefined): string {
  const url = flag !== undefined && flag !== "" ? flag : (process.env[SUBGRAPH_URL_ENV] ?? "");
  if (url === "") {
    throw new UserInputError(
      `the subgraph source needs an endpoint: set ${SUBGRAPH_URL_ENV} or --subgraph-url`,
      "NO_SUBGRAPH_URL",
    );
  }
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new Error("not http(s)");
  } catch {
    throw new UserInputError(`invalid subgraph URL "${url}"`, "BAD_SUBGRAPH_URL");
  }
  return url;
}

export interface SourceChoice {
  source: string;
  subgraphUrl?: string;
  /** The postgres source's PGlite folder (default under cache/) or server URL. */
  dataDir?: string;
  databaseUrl?: string;
}

/** Builds the selected source for a connection (rpc needs the deployment; subgraph only its URL). */
export async function createSource(
  connection: NetworkConnection,
  choice: SourceChoice,
  rpcOptions: RpcSourceOptions = {},
): Promise<{ source: QuerySource; chain?: ChainAccess; store?: Store }> {
  const kind = parseSourceKind(choice.source, connection.networkName);
  if (kind === "subgraph") return { source: new SubgraphSource(subgraphUrl(choice.subgraphUrl)) };
  if (kind === "postgres") {
    const chain = await chainAccess(connection).catch(() => undefined);
    const store = await openStore(PROJECT_ROOT, await storeLocation(choice, connection));
    return {
      source: new PostgresSource(store.db, store.schema),
      store,
      ...(chain === undefined ? {} : { chain }),
    };
  }
  const chain = await chainAccess(connection);
  return { source: new RpcSource(chain.provider, chain.deployment, rpcOptions), chain };
}
