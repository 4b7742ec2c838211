/**
 * `oracle:operator` start-up: the one operator key (a configuration variable — environment or Hardhat's keystore —
 * never a list), the chain through Hardhat's network config, the Bitcoin backends, the slashing-protection record,
 * the bearer-token allow-list and the revocations the operator decided to sign; validated once, before the port
 * opens. docs/operations.md §12 is the runbook.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";

import { Wallet, getAddress, isAddress } from "ethers";
import type { HookManager } from "hardhat/types/hooks";
import type { NetworkConnection } from "hardhat/types/network";
import type { Logger } from "pino";

import { Oracle__factory, ProofOfReserves__factory } from "../../../types/ethers-contracts/index.js";
import type { BitcoinNetwork } from "../../bitcoin/networks.js";
import type { Deployment } from "../../deployments.js";
import { UserInputError, redactUrl } from "../../errors.js";
import { bitcoinSourceFor } from "../bitcoin-source.js";
import { LOCAL_CHAIN_ID, loadLiveDeployment, resolveConfigVariable } from "../context.js";
import type { BitcoinSource } from "../reports.js";
import { hardhatWallet } from "../signing.js";
import type { RevocationAllowList } from "./node.js";
import { OperatorNode } from "./node.js";
import { SlashingProtection } from "./protection.js";
import type { ApiToken, RunningOperatorServer } from "./server.js";
import { parseApiTokens, startOperatorServer } from "./server.js";

/** Configuration variable holding the node's one operator key (override the name with `--key-variable`). */
export const OPERATOR_KEY_VARIABLE = "ORACLE_OPERATOR_KEY";
/** Configuration variable holding the aggregators' bearer tokens (`name:token,…`; override with `--tokens-variable`). */
export const API_TOKENS_VARIABLE = "OPERATOR_API_TOKENS";
/** Where records live by default: `.operator/chain-<id>/<signer>/protection.sqlite` (git-ignored). */
export const DEFAULT_DATA_ROOT = ".operator";

export interface OperatorStartOptions {
  host: string;
  port: number;
  /** Esplora URLs, comma-separated; several must agree (quorum: all, or `bitcoinQuorum`). */
  bitcoin: string;
  btcNetwork: BitcoinNetwork;
  bitcoinQuorum?: number;
  /** Bitcoin lookups in flight. */
  concurrency: number;
  /** Folder of the slashing-protection record (default `.operator/chain-<id>/<signer>`). */
  dataDir: string;
  keyVariable: string;
  /** Hardhat account index to use as the key on chain 31337 (development only; -1: none). */
  devAccount: number;
  tokensVariable: string;
  /** `user:btcAddress` pairs, comma-separated: revocations this node will sign. */
  allowRevocation: string;
  /** JSON file `[{"user": "0x…", "btcAddress": "…"}]`, re-read at every revocation request. */
  revocationsFile: string;
  rateLimit: number;
  prefetch: boolean;
}

export interface RunningOperator {
  node: OperatorNode;
  server: RunningOperatorServer;
  deployment: Deployment;
  dataFile: string;
  tokens: readonly ApiToken[];
  close(): Promise<void>;
}

/** The node's one key: the configuration variable (one 32-byte hex key) or, on chain 31337 only, a dev account. */
export async function resolveOperatorKey(
  hooks: HookManager | undefined,
  chainId: bigint,
  keyVariable: string,
  devAccount: number,
): Promise<{ key: Wallet; source: string }> {
  if (devAccount >= 0) {
    if (chainId !== LOCAL_CHAIN_ID) {
      throw new UserInputError(
        `--dev-account uses Hardhat's public development keys: only on chain ${LOCAL_CHAIN_ID}`,
        "OPERATOR_KEY",
      );
    }
    const wallet = hardhatWallet(devAccount);
    return { key: new Wallet(wallet.privateKey), source: `hardhat-account-${devAccount}` };
  }
  const raw =
    hooks !== undefined
      ? await resolveConfigVariable(hooks, keyVariable)
      : process.env[keyVariable] || undefined;
  if (raw === undefined) {
    throw new UserInputError(
      `no operator key: set ${keyVariable} (one 0x private key) with \`npx hardhat keystore set ${keyVariable}\` or ` +
        `in the environment${chainId === LOCAL_CHAIN_ID ? ", or use --dev-account N on this local chain" : ""}`,
      "OPERATOR_KEY",
    );
  }
  const value = raw.trim();
  if (value.includes(",")) {
    throw new UserInputError(
      `${keyVariable} holds a list: an operator node holds exactly one key (run one node per operator)`,
      "OPERATOR_KEY",
    );
  }
  const hex = value.startsWith("0x") ? value : `0x${value}`;
  if (!/^0x[0-9a-fA-F]{64}$/.test(hex)) {
    throw new UserInputError(`${keyVariable} is not a 32-byte hex private key`, "OPERATOR_KEY");
  }
  return { key: new Wallet(hex), source: "configuration-variable" };
}

/** `user:btcAddress,…` → the pairs (validated). */
export function parseRevocations(raw: string): Array<{ user: string; btcAddress: string }> {
  return raw
    .split(",")
    .map((e) => e.trim())
    .filter((e) => e !== "")
    .map((entry, i) => {
      const colon = entry.indexOf(":");
      const user = entry.slice(0, colon);
      const btcAddress = entry.slice(colon + 1);
      if (colon < 0 || !isAddress(user) || btcAddress === "") {
        throw new UserInputError(
          `--allow-revocation entry ${i + 1} must be <EVM user>:<BTC address>, got "${entry}"`,
          "REVOCATIONS",
        );
      }
      return { user: getAddress(user), btcAddress };
    });
}

/** The revocations file, validated (a missing or malformed file allows nothing and says why). */
export async function readRevocationsFile(
  file: string,
): Promise<Array<{ user: string; btcAddress: string }>> {
  let document: unknown;
  try {
    document = JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    throw new UserInputError(
      `cannot read the revocations file ${file}: ${error instanceof Error ? error.message : String(error)}`,
      "REVOCATIONS",
    );
  }
  if (
    !Array.isArray(document) ||
    !document.every(
      (e) =>
        typeof e === "object" &&
        e !== null &&
        typeof (e as { user?: unknown }).user === "string" &&
        isAddress((e as { user: string }).user) &&
        typeof (e as { btcAddress?: unknown }).btcAddress === "string",
    )
  ) {
    throw new UserInputError(
      `the revocations file ${file} must be a JSON list of {"user": "0x…", "btcAddress": "…"}`,
      "REVOCATIONS",
    );
  }
  return (document as Array<{ user: string; btcAddress: string }>).map((e) => ({
    user: getAddress(e.user),
    btcAddress: e.btcAddress,
  }));
}

/** The default record folder of `signer` on `chainId`. */
export function defaultDataDir(chainId: bigint, signer: string): string {
  return path.join(DEFAULT_DATA_ROOT, `chain-${chainId}`, getAddress(signer));
}

/**
 * Starts an operator node on `connection`'s chain: resolves and checks everything, opens the record, listens.
 * `bitcoinSource` replaces the Esplora backends (tests and simulations that inject faults).
 */
export async function startOperator(
  connection: Pick<NetworkConnection, "ethers">,
  options: OperatorStartOptions,
  logger: Logger,
  extra: { hooks?: HookManager; deploymentsRoot?: string; bitcoinSource?: BitcoinSource } = {},
): Promise<RunningOperator> {
  const provider = connection.ethers.provider;
  const { chainId } = await provider.getNetwork();
  const deployment = await loadLiveDeployment(provider, chainId, extra.deploymentsRoot);
  const { key, source: keySource } = await resolveOperatorKey(
    extra.hooks,
    chainId,
    options.keyVariable,
    options.devAccount,
  );
  const rawTokens =
    extra.hooks !== undefined
      ? await resolveConfigVariable(extra.hooks, options.tokensVariable)
      : process.env[options.tokensVariable] || undefined;
  const tokens = rawTokens === undefined ? [] : parseApiTokens(rawTokens, options.tokensVariable);
  const fixed = parseRevocations(options.allowRevocation);
  const revocations: RevocationAllowList = async () => [
    ...fixed,
    ...(options.revocationsFile === "" ? [] : await readRevocationsFile(options.revocationsFile)),
  ];
  if (options.revocationsFile !== "") await readRevocationsFile(options.revocationsFile); // fail fast at start-up

  const oracle = Oracle__factory.connect(deployment.oracle, provider);
  const proofOfReserves = ProofOfReserves__factory.connect(deployment.proofOfReserves, provider);
  const dataDir = options.dataDir !== "" ? options.dataDir : defaultDataDir(chainId, key.address);
  const dataFile = path.join(dataDir, "protection.sqlite");
  const protection = await SlashingProtection.open(dataFile, {
    chainId,
    oracle: deployment.oracle,
    proofOfReserves: deployment.proofOfReserves,
    signer: key.address,
  });
  try {
    const head = await provider.getBlock("latest");
    const pruned = head === null ? 0 : protection.prune(BigInt(head.timestamp));
    const bitcoin =
      extra.bitcoinSource ??
      bitcoinSourceFor(options.bitcoin, options.btcNetwork, {
        concurrency: options.concurrency,
        ...(options.bitcoinQuorum === undefined ? {} : { quorum: options.bitcoinQuorum }),
      });
    const node = await OperatorNode.create({
      provider,
      chainId,
      oracle,
      proofOfReserves,
      key,
      bitcoin,
      btcNetwork: options.btcNetwork,
      protection,
      revocations,
      prefetch: options.prefetch,
    });
    const onCommittee = await oracle.isOperator(key.address);
    const server = await startOperatorServer({
      node,
      logger,
      host: options.host,
      port: options.port,
      tokens,
      limits: { rateLimitMax: options.rateLimit },
    });
    logger.info(
      {
        event: "listening",
        url: server.url,
        chainId: chainId.toString(),
        oracle: deployment.oracle,
        proofOfReserves: deployment.proofOfReserves,
        signer: node.signer,
        keySource,
        onCommittee,
        bitcoin: bitcoinUrls(options.bitcoin),
        btcNetwork: options.btcNetwork,
        protection: { file: dataFile, ...protection.counts(), pruned },
        tokens: tokens.map((t) => t.name),
        revocationsAllowed: fixed.length,
        revocationsFile: options.revocationsFile === "" ? null : options.revocationsFile,
      },
      `operator node ${node.signer} listening on ${server.url}`,
    );
    if (!onCommittee) {
      logger.warn(
        { event: "not-on-committee", signer: node.signer },
        "this key is not on the committee: it signs nothing",
      );
    }
    return {
      node,
      server,
      deployment,
      dataFile,
      tokens,
      close: async () => {
        await server.close();
        protection.close();
      },
    };
  } catch (error) {
    protection.close();
    throw error;
  }
}

/** The Bitcoin backends for logs: origins only (an API key in a path never reaches a log). */
function bitcoinUrls(urls: string): string[] {
  return urls
    .split(",")
    .map((u) => u.trim())
    .filter((u) => u !== "")
    .map(redactUrl);
}
