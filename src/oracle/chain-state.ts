import { getAddress } from "ethers";

import type { Oracle } from "../../types/ethers-contracts/index.js";
import { mapLimit } from "../bitcoin/esplora.js";

/** One user's on-chain oracle state (IOracle.UserView) with their bound BTC addresses. */
export interface UserChainState {
  user: string;
  addresses: string[];
  attestedSats: bigint;
  sequence: bigint;
  btcHeight: bigint;
  lastSyncAt: bigint;
  bindingCount: bigint;
  deferredSats: bigint;
  queuedSats: bigint;
  /** True while an open dispute holds back the user's rises (drops still apply). */
  syncFrozen: boolean;
  /** Unix time since which the deferred rise is unpaid (meaningful while deferredSats > 0). */
  feeUnpaidSince: bigint;
}

/** Everything a round reads from chain, taken at one block. */
export interface ChainSnapshot {
  blockNumber: number;
  users: UserChainState[];
  minConfirmations: number;
  highestBtcHeight: bigint;
  /** RPC calls the read took (the round reports them per user). */
  rpcCalls: number;
}

/** The user list and bindings (the part of a snapshot the Bitcoin scan needs), taken at one block. */
export interface BindingsSnapshot {
  blockNumber: number;
  /** Every user that ever bound an address, in the Oracle's order. */
  users: string[];
  /** Active bound addresses per user. */
  addressesOf: Map<string, string[]>;
  minConfirmations: number;
  highestBtcHeight: bigint;
  rpcCalls: number;
}

/** How many entries one view call reads: bounded so a call stays well under node response limits. */
export const READ_PAGE_SIZE = 500;
/** View calls in flight at once (the node executes them while the previous page is decoded). */
export const READ_CONCURRENCY = 4;

const WORD = 32;

/** The number in the ABI word at `offset` (an offset or length: must fit 48 bits), bounds-checked. */
function wordAt(data: Uint8Array, offset: number): number {
  if (offset < 0 || offset + WORD > data.length) throw new Error(`ABI data too short at byte ${offset}`);
  for (let i = offset; i < offset + WORD - 6; i++) {
    if (data[i] !== 0) throw new Error(`ABI word at byte ${offset} is not a small number`);
  }
  let value = 0;
  for (let i = offset + WORD - 6; i < offset + WORD; i++) value = value * 256 + (data[i] as number);
  return value;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Decodes the return data of `bindingsSlice` (`Binding[]`, i.e. `(address user, string btcAddress)[]`) in one
 * linear pass. ethers' generic decoder copies the rest of the buffer for every dynamic element, which is quadratic
 * in the page size (≈ 1 s per page of 500 at 10,000 bindings).
 */
export function decodeBindings(hex: string): Array<{ user: string; btcAddress: string }> {
  const data = Buffer.from(hex.startsWith("0x") ? hex.slice(2) : hex, "hex");
  const array = wordAt(data, 0);
  const length = wordAt(data, array);
  const elements = array + WORD;
  const result: Array<{ user: string; btcAddress: string }> = [];
  for (let i = 0; i < length; i++) {
    const tuple = elements + wordAt(data, elements + i * WORD);
    if (tuple + 2 * WORD > data.length) throw new Error(`ABI data too short for binding ${i}`);
    for (let b = tuple; b < tuple + 12; b++) {
      if (data[b] !== 0) throw new Error(`binding ${i}: user is not an address`);
    }
    const user = getAddress(`0x${data.subarray(tuple + 12, tuple + WORD).toString("hex")}`);
    const text = tuple + wordAt(data, tuple + WORD);
    const size = wordAt(data, text);
    if (text + WORD + size > data.length) throw new Error(`ABI data too short for binding ${i}'s address`);
    result.push({ user, btcAddress: utf8.decode(data.subarray(text + WORD, text + WORD + size)) });
  }
  return result;
}

/**
 * Decodes the return data of a function returning one array of static values or static tuples (`address[]`,
 * `UserView[]`) into rows of `width` words, linearly (see decodeBindings for why not ethers' decoder).
 */
export function decodeStaticArray(hex: string, width: number): bigint[][] {
  const data = Buffer.from(hex.startsWith("0x") ? hex.slice(2) : hex, "hex");
  const array = wordAt(data, 0);
  const length = wordAt(data, array);
  const start = array + WORD;
  if (start + length * width * WORD > data.length) throw new Error("ABI data too short for the array");
  const rows: bigint[][] = [];
  for (let i = 0; i < length; i++) {
    const row: bigint[] = [];
    for (let f = 0; f < width; f++) {
      const at = start + (i * width + f) * WORD;
      row.push(BigInt(`0x${data.subarray(at, at + WORD).toString("hex")}`));
    }
    rows.push(row);
  }
  return rows;
}

/** Page starts 0, size, 2·size, … below `length`. */
function pages(length: bigint | number, size: number): number[] {
  return Array.from({ length: Math.ceil(Number(length) / size) }, (_, i) => i * size);
}

/**
 * Reads every user that ever bound an address and the active bindings, pinned to one block (`blockNumber`, default
 * the latest). Cost: ⌈users/500⌉ + ⌈bindings/500⌉ + 5 calls, up to four in flight.
 */
export async function readBindings(
  oracle: Oracle,
  pageSize = READ_PAGE_SIZE,
  blockNumber?: number,
): Promise<BindingsSnapshot> {
  const provider = oracle.runner?.provider;
  if (provider == null) throw new Error("oracle contract has no provider");
  blockNumber ??= await provider.getBlockNumber();
  const at = { blockTag: blockNumber };
  const [usersLength, bindingsLength, minConfirmations, highestBtcHeight] = await Promise.all([
    oracle.usersLength(at),
    oracle.bindingsLength(at),
    oracle.minConfirmations(at),
    oracle.highestBtcHeight(at),
  ]);
  const target = await oracle.getAddress();
  type Page = { users: string[] } | { bindings: Array<{ user: string; btcAddress: string }> };
  const jobs: Array<() => Promise<Page>> = [
    ...pages(usersLength, pageSize).map((start) => async (): Promise<Page> => {
      const data = oracle.interface.encodeFunctionData("usersSlice", [start, start + pageSize]);
      const rows = decodeStaticArray(await provider.call({ to: target, data, blockTag: blockNumber }), 1);
      return {
        users: rows.map(([word]) => getAddress(`0x${(word as bigint).toString(16).padStart(40, "0")}`)),
      };
    }),
    ...pages(bindingsLength, pageSize).map((start) => async (): Promise<Page> => {
      const data = oracle.interface.encodeFunctionData("bindingsSlice", [start, start + pageSize]);
      return { bindings: decodeBindings(await provider.call({ to: target, data, blockTag: blockNumber })) };
    }),
  ];
  const results = await mapLimit(jobs, READ_CONCURRENCY, (job) => job());

  const users: string[] = [];
  const addressesOf = new Map<string, string[]>();
  for (const page of results) {
    if ("users" in page) users.push(...page.users);
    else {
      for (const binding of page.bindings) {
        const list = addressesOf.get(binding.user) ?? [];
        list.push(binding.btcAddress);
        addressesOf.set(binding.user, list);
      }
    }
  }
  return {
    blockNumber,
    users,
    addressesOf,
    minConfirmations: Number(minConfirmations),
    highestBtcHeight,
    rpcCalls: 5 + jobs.length,
  };
}

/** A user's on-chain oracle state without the bound addresses. */
export type UserView = Omit<UserChainState, "addresses">;

/**
 * The oracle state (IOracle.UserView) of `users` at `blockNumber`: ⌈users/500⌉ calls, up to four in flight. Field
 * positions come from the ABI, so a reordered or extended struct cannot be misread.
 */
export async function readUserViews(
  oracle: Oracle,
  users: readonly string[],
  blockNumber: number,
  pageSize = READ_PAGE_SIZE,
): Promise<{ views: UserView[]; rpcCalls: number }> {
  const provider = oracle.runner?.provider;
  if (provider == null) throw new Error("oracle contract has no provider");
  const target = await oracle.getAddress();
  const fields = oracle.interface.getFunction("userStates")?.outputs[0]?.arrayChildren?.components ?? [];
  const column = (name: string): number => {
    const index = fields.findIndex((f) => f.name === name);
    if (index < 0) throw new Error(`IOracle.UserView has no field ${name}`);
    return index;
  };
  const [attested, sequence, btcHeight, lastSyncAt, bindingCount, deferred, queued, frozen, unpaidSince] = [
    "attestedSats",
    "sequence",
    "btcHeight",
    "lastSyncAt",
    "bindingCount",
    "deferredSats",
    "queuedSats",
    "syncFrozen",
    "feeUnpaidSince",
  ].map(column) as [number, number, number, number, number, number, number, number, number];
  const starts = pages(users.length, pageSize);
  const read = await mapLimit(starts, READ_CONCURRENCY, async (start) => {
    const data = oracle.interface.encodeFunctionData("userStates", [users.slice(start, start + pageSize)]);
    return decodeStaticArray(await provider.call({ to: target, data, blockTag: blockNumber }), fields.length);
  });
  const views: UserView[] = [];
  read.forEach((page, p) => {
    const start = starts[p] as number;
    page.forEach((row, i) => {
      const at = (index: number) => row[index] as bigint;
      const view: UserView = {
        user: users[start + i] as string,
        attestedSats: at(attested),
        sequence: at(sequence),
        btcHeight: at(btcHeight),
        lastSyncAt: at(lastSyncAt),
        bindingCount: at(bindingCount),
        deferredSats: at(deferred),
        queuedSats: at(queued),
        syncFrozen: at(frozen) !== 0n,
        feeUnpaidSince: at(unpaidSince),
      };
      views.push(view);
    });
  });
  return { views, rpcCalls: starts.length };
}

/** The attested state of `bindings.users` at the bindings' block: ⌈users/500⌉ calls, up to four in flight. */
export async function readUserStates(
  oracle: Oracle,
  bindings: BindingsSnapshot,
  pageSize = READ_PAGE_SIZE,
): Promise<{ states: UserChainState[]; rpcCalls: number }> {
  const { views, rpcCalls } = await readUserViews(oracle, bindings.users, bindings.blockNumber, pageSize);
  return {
    states: views.map((view) => ({ ...view, addresses: bindings.addressesOf.get(view.user) ?? [] })),
    rpcCalls,
  };
}

/**
 * Reads every user that ever bound an address, their bindings and their attested state, pinned to one block so the
 * snapshot is consistent. Cost: ⌈users/500⌉ + ⌈bindings/500⌉ + ⌈users/500⌉ + 5 calls — never one call per user.
 */
export async function readChainSnapshot(oracle: Oracle, pageSize = READ_PAGE_SIZE): Promise<ChainSnapshot> {
  const bindings = await readBindings(oracle, pageSize);
  return snapshotOf(bindings, await readUserStates(oracle, bindings, pageSize));
}

/** The snapshot made of the bindings and the users' states read at the bindings' block (see readUserStates). */
export function snapshotOf(
  bindings: Awaited<ReturnType<typeof readBindings>>,
  read: Awaited<ReturnType<typeof readUserStates>>,
): ChainSnapshot {
  return {
    blockNumber: bindings.blockNumber,
    users: read.states,
    minConfirmations: bindings.minConfirmations,
    highestBtcHeight: bindings.highestBtcHeight,
    rpcCalls: bindings.rpcCalls + read.rpcCalls,
  };
}
