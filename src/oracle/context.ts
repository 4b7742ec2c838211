/**
 * Shared plumbing of the oracle tasks: the contracts of the connected chain's deployment, the account that sends
 * transactions, and the committee keys this runner signs with — validated once, at start-up.
 */
import { Wallet, getAddress } from "ethers";
import type { Signer } from "ethers";
import { configVariable } from "hardhat/config";
import type { HookManager } from "hardhat/types/hooks";
import type { NetworkConnection } from "hardhat/types/network";

import type { Deployment, SystemContracts } from "../deployments.js";
import { attachSystem, deploymentFolder, loadDeployment } from "../deployments.js";
import { UserInputError } from "../errors.js";
import type { Committee } from "./committee.js";
import { DEFAULT_SIGN_TIMEOUT_MS, LocalCommittee } from "./committee.js";
import type { RemoteCommitteeOptions, RemoteOperator } from "./remote-committee.js";
import { DEFAULT_REMOTE_TIMEOUT_MS, RemoteCommittee, parseRemoteOperators } from "./remote-committee.js";
import type { TypedDataSigner } from "./signing.js";
import { committeeWallets } from "./signing.js";

/** Chain id of Hardhat's local networks (in-process and `hardhat node`): their default keys are public. */
export const LOCAL_CHAIN_ID = 31337n;
/** Configuration variable (env var or `npx hardhat keystore set …`) holding operator keys, comma-separated. */
export const OPERATOR_KEYS_VARIABLE = "ORACLE_OPERATOR_KEYS";
/** Configuration variable holding the operator nodes' URLs (what `--operators` gives), comma-separated. */
export const OPERATORS_VARIABLE = "ORACLE_OPERATORS";
/** Configuration variable holding the bearer tokens for the operator nodes, in the same order (or one for all). */
export const OPERATOR_TOKENS_VARIABLE = "ORACLE_OPERATOR_TOKENS";
/** How many default Hardhat accounts are searched for the on-chain operators on local chains. */
const LOCAL_ACCOUNTS_SEARCHED = 20;

/** Where the runner's operator keys came from (printed at start-up, never the keys). */
export type OperatorKeySource = "hardhat-default-accounts" | "configuration-variable" | "remote-operators";

export interface OracleContext {
  chainId: bigint;
  deployment: Deployment;
  /** The contracts, connected to the submitting account. */
  system: SystemContracts;
  submitter: Signer;
  submitterAddress: string;
  committee: Committee;
  operators: string[];
  threshold: number;
  /** Addresses of the operators whose keys this runner holds (none for an aggregator of remote nodes). */
  localOperators: string[];
  /** The operator nodes this runner aggregates (when it holds no key). */
  remoteOperators: string[];
  keySource: OperatorKeySource;
}

/**
 * Resolves a configuration variable the way Hardhat resolves `configVariable(...)` in the config: the environment
 * variable first, then the `configurationVariables.fetchValue` hook chain (the keystore plugin: `npx hardhat
 * keystore set NAME`). Returns undefined when it is set nowhere.
 */
export async function resolveConfigVariable(hooks: HookManager, name: string): Promise<string | undefined> {
  const fromEnv = process.env[name];
  if (fromEnv !== undefined) return fromEnv === "" ? undefined : fromEnv;
  // The production keystore prompts for its password on stdin. When no answer can ever come (stdin is /dev/null or
  // closed, as under a service manager), nothing else is pending and Node is about to exit: say so instead.
  let onStall = (): void => undefined;
  const stalled = new Promise<never>((_resolve, reject) => {
    onStall = () =>
      reject(
        new UserInputError(
          `Hardhat's keystore asked for its password to read ${name}, but stdin gave no answer (no terminal?): ` +
            `run the task in a terminal, or set ${name} in the environment`,
          "KEYSTORE_PASSWORD",
        ),
      );
  });
  process.once("beforeExit", onStall);
  let value: string;
  try {
    // The empty default means "optional": the keystore plugin then skips a keystore that does not list the name (no
    // password prompt) and, under `hardhat test` (HH_TEST), does not throw for a name missing from the development
    // keystore — a task run from a test (or any child of one) falls back like a user's terminal does.
    value = await Promise.race([
      hooks.runHandlerChain(
        "configurationVariables",
        "fetchValue",
        [configVariable(name, { default: "" })],
        async (_context, variable) => process.env[variable.name] ?? "",
      ),
      stalled,
    ]);
  } catch (error) {
    if (isWrongKeystorePassword(error)) {
      throw new UserInputError(
        `cannot read ${name} from Hardhat's keystore: wrong password or corrupted keystore file ` +
          `(HHE${KEYSTORE_WRONG_PASSWORD}); run the task again and retype the password`,
        "KEYSTORE_PASSWORD",
      );
    }
    throw error;
  } finally {
    process.off("beforeExit", onStall);
  }
  return value === "" ? undefined : value;
}

/**
 * Number of the HardhatError the keystore plugin throws when the password typed at its prompt does not decrypt the
 * keystore (INVALID_PASSWORD_OR_CORRUPTED_KEYSTORE in @nomicfoundation/hardhat-errors, which is not a dependency of
 * ours, hence matched by name and number).
 */
const KEYSTORE_WRONG_PASSWORD = 50000;

function isWrongKeystorePassword(error: unknown): boolean {
  return (
    error instanceof Error &&
    error.name === "HardhatError" &&
    (error as Error & { number?: unknown }).number === KEYSTORE_WRONG_PASSWORD
  );
}

/** Parses comma-separated 0x-prefixed secp256k1 private keys into wallets (the error never echoes a key). */
export function parseOperatorKeys(raw: string): Wallet[] {
  const parts = raw
    .split(",")
    .map((k) => k.trim())
    .filter((k) => k !== "");
  return parts.map((key, i) => {
    const hex = key.startsWith("0x") ? key : `0x${key}`;
    if (!/^0x[0-9a-fA-F]{64}$/.test(hex)) {
      throw new UserInputError(
        `${OPERATOR_KEYS_VARIABLE}: entry ${i + 1} is not a 32-byte hex private key`,
        "OPERATOR_KEYS",
      );
    }
    return new Wallet(hex);
  });
}

/**
 * The Ignition deployment recorded for `chainId`, checked to have code on the connected chain (a restarted local node
 * forgets it). Both failures are one-line UserInputErrors that say what to do.
 */
export async function loadLiveDeployment(
  provider: { getCode(address: string): Promise<string> },
  chainId: bigint,
  deploymentsRoot?: string,
): Promise<Deployment> {
  const deployment = await loadDeployment(chainId, deploymentsRoot);
  if ((await provider.getCode(deployment.oracle)) === "0x") {
    const folder = deploymentFolder(chainId, deploymentsRoot);
    // Hardhat's in-process network and `hardhat node` share chain id 31337: a deployment made on the node is found
    // by a task that was run without `--network localhost`, on an empty in-process chain.
    const hint =
      chainId === LOCAL_CHAIN_ID
        ? `if it was deployed to a running \`hardhat node\`, add \`--network localhost\`; ` +
          `otherwise that node was restarted — redeploy (ignition deploy … --reset)`
        : `it is from another run of this chain — redeploy (ignition deploy … --reset)`;
    throw new UserInputError(
      `no Oracle at ${deployment.oracle} on chain ${chainId} (deployment ${folder}): ${hint}`,
      "NO_DEPLOYMENT",
    );
  }
  return deployment;
}

export interface LoadContextOptions {
  /** Hardhat's hook manager (hre.hooks) to resolve configuration variables through the keystore. */
  hooks?: HookManager;
  /** Explicit operator signers (tests, remote signers); skips key resolution. */
  operatorSigners?: readonly TypedDataSigner[];
  /** Operator nodes to aggregate (`--operators`): the runner then holds no operator key at all. */
  operators?: readonly RemoteOperator[];
  /** Logging of refusals and the like for the remote committee. */
  remote?: Omit<RemoteCommitteeOptions, "timeoutMs">;
  signTimeoutMs?: number;
  /** Index of the connection's account that sends transactions. Default 0. */
  submitterIndex?: number;
  /** No operator keys needed (status, fee deposits): the committee is left empty. */
  withoutKeys?: boolean;
  /** Folder of the Ignition deployments (default deploy/deployments, or $RESERVEBTC_DEPLOYMENTS_DIR). */
  deploymentsRoot?: string;
}

/**
 * The oracle context for a network connection: reads the Ignition deployment of its chain, attaches the contracts
 * to the submitting account, reads the committee from chain and keeps the operator keys this runner holds.
 * Local chains (31337) default to Hardhat's public accounts that are operators; any other chain needs
 * ORACLE_OPERATOR_KEYS (environment or keystore) — keys are never read from a file in the repository.
 */
export async function loadOracleContext(
  connection: Pick<NetworkConnection, "ethers">,
  options: LoadContextOptions = {},
): Promise<OracleContext> {
  // The first request: a node that is down fails here (the task reports it as one line, see reportTaskError).
  const { chainId } = await connection.ethers.provider.getNetwork();
  const deployment = await loadLiveDeployment(connection.ethers.provider, chainId, options.deploymentsRoot);
  const signers = await connection.ethers.getSigners();
  const submitter = signers[options.submitterIndex ?? 0];
  if (submitter === undefined) {
    throw new UserInputError(
      `the network has no account to send transactions from: configure \`accounts\` for it in hardhat.config.ts`,
      "NO_ACCOUNT",
    );
  }
  const system = attachSystem(deployment, submitter);
  const [operatorList, thresholdRaw] = await system.oracle.committee();
  const operators = operatorList.map((a) => getAddress(a));
  const threshold = Number(thresholdRaw);

  const base = {
    chainId,
    deployment,
    system,
    submitter,
    submitterAddress: await submitter.getAddress(),
    operators,
    threshold,
  };
  if (options.operators !== undefined && options.withoutKeys !== true) {
    const committee = new RemoteCommittee(options.operators, operators, threshold, {
      ...options.remote,
      timeoutMs: options.signTimeoutMs ?? DEFAULT_REMOTE_TIMEOUT_MS,
    });
    return {
      ...base,
      committee,
      localOperators: [],
      remoteOperators: options.operators.map((o) => o.url),
      keySource: "remote-operators",
    };
  }

  let keys: readonly TypedDataSigner[];
  let keySource: OperatorKeySource;
  if (options.withoutKeys === true) {
    keys = [];
    keySource = "configuration-variable";
  } else if (options.operatorSigners !== undefined) {
    keys = options.operatorSigners;
    keySource = "configuration-variable";
  } else {
    const raw =
      options.hooks !== undefined
        ? await resolveConfigVariable(options.hooks, OPERATOR_KEYS_VARIABLE)
        : process.env[OPERATOR_KEYS_VARIABLE] || undefined;
    if (raw !== undefined) {
      keys = parseOperatorKeys(raw);
      keySource = "configuration-variable";
    } else if (chainId === LOCAL_CHAIN_ID) {
      keys = committeeWallets(LOCAL_ACCOUNTS_SEARCHED);
      keySource = "hardhat-default-accounts";
    } else {
      throw new UserInputError(
        `no operator keys for chain ${chainId}: set ${OPERATOR_KEYS_VARIABLE} (comma-separated private keys) with ` +
          `\`npx hardhat keystore set ${OPERATOR_KEYS_VARIABLE}\` or in the environment`,
        "OPERATOR_KEYS",
      );
    }
  }
  const mine = keys.filter((k) => operators.includes(getAddress(k.address)));
  if (keySource === "configuration-variable" && mine.length < keys.length) {
    const strangers = keys.filter((k) => !operators.includes(getAddress(k.address))).map((k) => k.address);
    throw new UserInputError(
      `${strangers.length} configured operator key(s) are not on the committee: ${strangers.join(", ")}`,
      "OPERATOR_KEYS",
    );
  }
  if (mine.length < threshold && options.withoutKeys !== true) {
    throw new UserInputError(
      `this runner holds ${mine.length} operator key(s) but the Oracle's threshold is ${threshold} of ` +
        `${operators.length}`,
      "OPERATOR_KEYS",
    );
  }
  return {
    ...base,
    committee: new LocalCommittee(mine, threshold, options.signTimeoutMs ?? DEFAULT_SIGN_TIMEOUT_MS),
    localOperators: mine.map((k) => getAddress(k.address)),
    remoteOperators: [],
    keySource,
  };
}

/**
 * The operator nodes to aggregate: `--operators URL,…` when given, else the ORACLE_OPERATORS configuration variable
 * (environment or keystore); bearer tokens from ORACLE_OPERATOR_TOKENS. Undefined when neither is set (the runner
 * then signs with local keys, the development default).
 */
export async function resolveRemoteOperators(
  hooks: HookManager | undefined,
  flag: string,
): Promise<RemoteOperator[] | undefined> {
  const resolve = (name: string) =>
    hooks !== undefined
      ? resolveConfigVariable(hooks, name)
      : Promise.resolve(process.env[name] || undefined);
  const urls = flag.trim() !== "" ? flag : await resolve(OPERATORS_VARIABLE);
  if (urls === undefined) return undefined;
  return parseRemoteOperators(urls, await resolve(OPERATOR_TOKENS_VARIABLE));
}
