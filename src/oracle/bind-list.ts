/**
 * Binding many addresses at once (`oracle:bind --file FILE`): a list of ownership proofs collected from users — a
 * sign-up form, a migration — checked as a whole before anything is sent, then bound one by one through the
 * committee. An entry already bound to its user is skipped, so a run that stopped half-way (RPC down, Ctrl-C) is
 * finished by running the same command again.
 */
import { readFile } from "node:fs/promises";

import { ZeroAddress, getAddress, isAddress } from "ethers";

import { parseAddress } from "../bitcoin/address.js";
import type { BitcoinNetwork } from "../bitcoin/networks.js";
import { bindingMessage, verifyOwnershipProof } from "../bitcoin/proof.js";
import { UserInputError } from "../errors.js";
import { bindAddress } from "./bind.js";
import { parseBtcNetwork } from "./commands.js";
import type { OracleContext } from "./context.js";

/** One line of a bindings file: who, which address, and the proof over the binding message. */
export interface BindingEntry {
  /** EVM address the BTC address is bound to. */
  user: string;
  btcAddress: string;
  /** Base64 BIP-322 (simple/full) or BIP-137 signature over the binding message for the user's nonce. */
  signature: string;
}

/** `oracle:bind --file` output. */
export interface BindListJson {
  kind: "bound-list";
  entries: number;
  bound: Array<{ user: string; btcAddress: string; txHash: string; blockNumber: number }>;
  /** Entries whose address was already bound to their user (skipped: nothing sent). */
  alreadyBound: Array<{ user: string; btcAddress: string }>;
  gasUsed: string;
}

/** Parses a bindings file: a JSON array of `{user, btcAddress, signature}`. Errors name the entry (1-based). */
export function parseBindingList(text: string, file: string): BindingEntry[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new UserInputError(`--file ${file} is not JSON: ${(error as Error).message}`, "BAD_FILE");
  }
  if (!Array.isArray(doc) || doc.length === 0) {
    throw new UserInputError(
      `--file ${file} must hold a non-empty JSON array of {"user", "btcAddress", "signature"}`,
      "BAD_FILE",
    );
  }
  return doc.map((item: unknown, i) => {
    const entry = item as Partial<Record<keyof BindingEntry, unknown>> | null;
    for (const field of ["user", "btcAddress", "signature"] as const) {
      if (typeof entry?.[field] !== "string" || entry[field] === "") {
        throw new UserInputError(`--file ${file}: entry ${i + 1} has no "${field}" string`, "BAD_FILE");
      }
    }
    const { user, btcAddress, signature } = entry as BindingEntry;
    return { user, btcAddress: btcAddress.trim(), signature: signature.trim() };
  });
}

/** What one entry needs before anything is sent: valid, not bound to someone else, its proof verifying. */
interface CheckedEntry extends BindingEntry {
  alreadyBound: boolean;
}

async function checkEntries(
  ctx: OracleContext,
  entries: readonly BindingEntry[],
  network: BitcoinNetwork,
): Promise<CheckedEntry[]> {
  const { oracle } = ctx.system;
  const oracleAddress = await oracle.getAddress();
  const seen = new Map<string, number>();
  /** The binding nonce each user's next entry of the file will be bound with. */
  const nextNonce = new Map<string, bigint>();
  const checked: CheckedEntry[] = [];
  for (const [i, raw] of entries.entries()) {
    const at = `entry ${i + 1}`;
    if (!isAddress(raw.user) || raw.user === ZeroAddress) {
      throw new UserInputError(`${at}: invalid user address "${raw.user}"`, "EVM_ADDRESS");
    }
    const user = getAddress(raw.user);
    let btcAddress: string;
    try {
      btcAddress = parseAddress(raw.btcAddress, network).address;
    } catch (error) {
      throw new UserInputError(`${at}: ${(error as Error).message}`, "BTC_ADDRESS");
    }
    const first = seen.get(btcAddress);
    if (first !== undefined) throw new UserInputError(`${at}: ${btcAddress} is already entry ${first}`);
    seen.set(btcAddress, i + 1);
    const owner = await oracle.ownerOfBtcAddress(btcAddress);
    if (owner === user) {
      checked.push({ user, btcAddress, signature: raw.signature, alreadyBound: true });
      continue;
    }
    if (owner !== ZeroAddress) {
      throw new UserInputError(
        `${at}: ${btcAddress} is already bound to another user (${owner})`,
        "ALREADY_BOUND",
      );
    }
    const nonce = nextNonce.get(user) ?? (await oracle.bindingNonce(user));
    nextNonce.set(user, nonce + 1n);
    const message = bindingMessage({ chainId: ctx.chainId, oracle: oracleAddress, user, btcAddress, nonce });
    try {
      verifyOwnershipProof({ message, btcAddress, signature: raw.signature, network });
    } catch (error) {
      throw new UserInputError(
        `${at}: the ownership proof of ${btcAddress} is rejected: ${(error as Error).message} (it must sign the ` +
          `binding message for chain ${ctx.chainId}, Oracle ${oracleAddress}, user ${user} and nonce ${nonce})`,
        "BAD_PROOF",
      );
    }
    checked.push({ user, btcAddress, signature: raw.signature, alreadyBound: false });
  }
  return checked;
}

/**
 * Binds every entry: checks them all first (addresses, owners, every proof against the message with the nonce it
 * will be bound at) and sends nothing when one fails; then binds the new ones in file order through the committee.
 * `onProgress` is told after each binding.
 */
export async function bindList(
  ctx: OracleContext,
  entries: readonly BindingEntry[],
  network: BitcoinNetwork,
  onProgress?: (done: number, total: number) => void,
): Promise<BindListJson> {
  const checked = await checkEntries(ctx, entries, network);
  const pending = checked.filter((e) => !e.alreadyBound);
  const bound: BindListJson["bound"] = [];
  let gasUsed = 0n;
  for (const entry of pending) {
    const result = await bindAddress(ctx.system.oracle, ctx.committee, { ...entry, network });
    bound.push({
      user: result.user,
      btcAddress: result.btcAddress,
      txHash: result.txHash,
      blockNumber: result.blockNumber,
    });
    gasUsed += result.gasUsed;
    onProgress?.(bound.length, pending.length);
  }
  return {
    kind: "bound-list",
    entries: entries.length,
    bound,
    alreadyBound: checked.filter((e) => e.alreadyBound).map(({ user, btcAddress }) => ({ user, btcAddress })),
    gasUsed: gasUsed.toString(),
  };
}

/**
 * `oracle:bind --file FILE`: reads the file and binds its entries (`--btc-network` applies to every address). The
 * single-binding flags do not combine with it.
 */
export async function bindFileCommand(
  ctx: OracleContext,
  args: {
    file: string;
    btcNetwork: string;
    user: string;
    btcAddress: string;
    signature: string;
    devnetWallet: string;
    printMessage: boolean;
  },
  onProgress?: (done: number, total: number) => void,
): Promise<BindListJson> {
  const clashing = (
    [
      ["--user", args.user !== ""],
      ["--btc-address", args.btcAddress !== ""],
      ["--signature", args.signature !== ""],
      ["--devnet-wallet", args.devnetWallet !== ""],
      ["--print-message", args.printMessage],
    ] as const
  ).find(([, given]) => given);
  if (clashing !== undefined) {
    throw new UserInputError(`--file binds the users and addresses of the file: drop ${clashing[0]}`);
  }
  const network = parseBtcNetwork(args.btcNetwork);
  return bindList(ctx, await readBindingList(args.file), network, onProgress);
}

/** Reads and parses a bindings file; a missing or unreadable file is one input error naming it. */
export async function readBindingList(file: string): Promise<BindingEntry[]> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new UserInputError(
      `--file ${file} cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      "BAD_FILE",
    );
  }
  return parseBindingList(text, file);
}
