import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

import { hex } from "@scure/base";
import { RawTx } from "@scure/btc-signer";

import { UserInputError } from "../../errors.js";
import type { AddressType } from "../address.js";
import { parseAddress } from "../address.js";
import { REGTEST_BITS, grindHeader, hashHex, serializeHeader } from "../headers.js";
import { merkleBranch, merkleRoot } from "../merkle.js";
import type { BitcoinNetwork } from "../networks.js";

/** Total supply bound: no amount may exceed 21 million BTC. */
export const MAX_SATS = 2_100_000_000_000_000n;
const BLOCK_VERSION = 0x20000000;
const ZERO_HASH = "0".repeat(64);
/** State file format: version 2 blocks carry a real coinbase and proof of work (version 1 had neither). */
const STATE_FORMAT = "reservebtc-devnet/2";
/** Tag in every block's coinbase script, after the BIP-34 height and an extra nonce. */
const COINBASE_TAG = new TextEncoder().encode("/ReserveBTC devnet/");

export interface DevnetTxOut {
  address: string;
  type: AddressType;
  /** Output script, hex. */
  scriptPubKey: string;
  value: bigint;
}

export interface DevnetOutPoint {
  txid: string;
  vout: number;
}

export interface DevnetTx {
  txid: string;
  /** Empty for a funding (coinbase-like) transaction. */
  inputs: DevnetOutPoint[];
  outputs: DevnetTxOut[];
  fee: bigint;
  /** Funding transactions are coinbase-like: one input without prevout carrying a unique scriptSig. */
  coinbase: boolean;
  /** Coinbase scriptSig (hex): makes every funding txid unique. */
  coinbaseScript: string;
  /** Serialized size in bytes (non-witness serialization, so weight = 4 × size). */
  size: number;
}

/** A block's own coinbase transaction: index 0 of its Merkle tree, BIP-34 height first in its script. */
export interface DevnetCoinbase {
  txid: string;
  /** Raw transaction, hex. */
  hex: string;
}

export interface DevnetBlock {
  hash: string;
  height: number;
  prevHash: string | null;
  version: number;
  time: number;
  /** Regtest's compact target: the header's hash is at or below it (the nonce was ground until it was). */
  bits: number;
  nonce: number;
  /** Root of [coinbase, ...txids]. */
  merkleRoot: string;
  coinbase: DevnetCoinbase;
  /** The block's transactions after its coinbase (the mempool it confirmed). */
  txids: string[];
}

/** A transaction's inclusion proof in Esplora's `/tx/:txid/merkle-proof` shape. */
export interface DevnetMerkleProof {
  block_height: number;
  /** Sibling hashes, display hex, leaf upward. */
  merkle: string[];
  pos: number;
}

export interface DevnetUtxo {
  txid: string;
  vout: number;
  value: bigint;
  /** Height of the confirming block, or null while in the mempool. */
  height: number | null;
}

export interface ReorgResult {
  /** Hashes of the blocks removed from the active chain. */
  removedBlocks: string[];
  /** Transactions dropped (confirmed in removed blocks, plus mempool descendants of those). */
  droppedTxids: string[];
  tipHeight: number;
  tipHash: string;
}

export interface DevnetChainOptions {
  network?: BitcoinNetwork;
  /** Seconds since epoch for new blocks; defaults to wall-clock time. Block times never decrease. */
  clock?: () => number;
  /** When set, the state is written to this JSON file after every change (atomically, via rename). */
  stateFile?: string;
}

/** Serialized state (format version 2). Amounts are decimal strings. */
interface DevnetState {
  format: typeof STATE_FORMAT;
  network: BitcoinNetwork;
  counter: number;
  blocks: DevnetBlock[];
  mempool: string[];
  txs: Array<
    Omit<DevnetTx, "outputs" | "fee"> & {
      fee: string;
      outputs: Array<Omit<DevnetTxOut, "value"> & { value: string }>;
    }
  >;
}

function u32le(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n >>> 0, true);
  return b;
}

/** A script push of `data` (up to 75 bytes). */
function push(data: Uint8Array): Uint8Array {
  return new Uint8Array([data.length, ...data]);
}

/** BIP-34: the block height as the coinbase script's first item (CScriptNum, minimal). */
function heightPush(height: number): Uint8Array {
  if (height === 0) return new Uint8Array([0x00]);
  if (height <= 16) return new Uint8Array([0x50 + height]);
  const bytes: number[] = [];
  for (let v = height; v > 0; v = Math.floor(v / 256)) bytes.push(v % 256);
  if (((bytes[bytes.length - 1] as number) & 0x80) !== 0) bytes.push(0);
  return push(new Uint8Array(bytes));
}

/** Serializes a devnet transaction (non-witness; a funding has one null-prevout input carrying `coinbaseScript`). */
function encodeTx(
  inputs: readonly DevnetOutPoint[],
  outputs: readonly DevnetTxOut[],
  coinbaseScript: string,
) {
  return RawTx.encode({
    version: 2,
    segwitFlag: false,
    inputs:
      inputs.length === 0
        ? [
            {
              txid: new Uint8Array(32),
              index: 0xffffffff,
              finalScriptSig: hex.decode(coinbaseScript),
              sequence: 0xffffffff,
            },
          ]
        : inputs.map((i) => ({
            txid: hex.decode(i.txid),
            index: i.vout,
            finalScriptSig: new Uint8Array(),
            sequence: 0xfffffffd,
          })),
    outputs: outputs.map((o) => ({ amount: o.value, script: hex.decode(o.scriptPubKey) })),
    witnesses: undefined,
    lockTime: 0,
  });
}

/**
 * The coinbase of the block at `height`: BIP-34 height, an extra nonce (unique across reorgs) and a tag in its
 * script; one zero-value OP_RETURN output (devnet blocks pay no subsidy to anyone).
 */
function blockCoinbase(height: number, extraNonce: number): DevnetCoinbase {
  const script = new Uint8Array([...heightPush(height), ...push(u32le(extraNonce)), ...push(COINBASE_TAG)]);
  const raw = RawTx.encode({
    version: 2,
    segwitFlag: false,
    inputs: [{ txid: new Uint8Array(32), index: 0xffffffff, finalScriptSig: script, sequence: 0xffffffff }],
    outputs: [{ amount: 0n, script: new Uint8Array([0x6a, ...push(COINBASE_TAG)]) }],
    witnesses: undefined,
    lockTime: 0,
  });
  return { txid: hashHex(raw), hex: hex.encode(raw) };
}

const outpointKey = (txid: string, vout: number): string => `${txid}:${vout}`;

function assertSats(sats: bigint, what: string): void {
  if (sats <= 0n) throw new UserInputError(`${what} must be positive, got ${sats}`, "BTC_AMOUNT");
  if (sats > MAX_SATS) throw new UserInputError(`${what} exceeds 21 million BTC: ${sats}`, "BTC_AMOUNT");
}

function assertCount(n: number, what: string, max: number): void {
  if (!Number.isSafeInteger(n) || n < 1 || n > max) {
    throw new UserInputError(`${what} must be an integer between 1 and ${max}, got ${n}`, "BTC_COUNT");
  }
}

/**
 * An in-memory Bitcoin ledger: blocks, a mempool and a UTXO set, with the operations a test or a demo needs
 * (fund, spend, mine, reorg). Transactions and block headers are serialized in Bitcoin's real formats: txids and
 * block hashes are genuine double-SHA256 hashes, every block starts with a real coinbase (BIP-34 height), its Merkle
 * root commits to its serialized transactions, and its header has valid proof of work at regtest's target (the nonce
 * is ground), so a light relay under regtest rules accepts devnet headers exactly as it accepts mainnet ones. There
 * are no scripts or signatures and no fees beyond the explicit `feeSats` of a spend.
 */
export class DevnetChain {
  readonly network: BitcoinNetwork;
  readonly #clock: () => number;
  readonly #stateFile: string | undefined;
  #counter = 0;
  #blocks: DevnetBlock[] = [];
  #mempool: string[] = [];
  #txs = new Map<string, DevnetTx>();
  // indices, rebuilt after a reorg or load
  #txHeight = new Map<string, number>();
  #spentBy = new Map<string, string>();
  #addrTxs = new Map<string, string[]>();
  #addrUtxos = new Map<string, Set<string>>();
  #blockByHash = new Map<string, DevnetBlock>();
  #blockByCoinbase = new Map<string, DevnetBlock>();

  constructor(options: DevnetChainOptions = {}) {
    this.network = options.network ?? "regtest";
    this.#clock = options.clock ?? (() => Math.floor(Date.now() / 1000));
    this.#stateFile = options.stateFile;
    this.#appendBlock([]); // genesis, height 0
  }

  /** Loads a chain from a state file written by a previous run, or starts a new one when the file is absent. */
  static open(options: DevnetChainOptions & { stateFile: string }): DevnetChain {
    let text: string;
    try {
      text = readFileSync(options.stateFile, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") {
        const chain = new DevnetChain(options);
        chain.#persist();
        return chain;
      }
      throw error;
    }
    const chain = new DevnetChain(options);
    chain.#load(text, options.stateFile);
    return chain;
  }

  // ---------------------------------------------------------------- queries

  get tipHeight(): number {
    return this.#blocks.length - 1;
  }

  get tipHash(): string {
    return (this.#blocks[this.#blocks.length - 1] as DevnetBlock).hash;
  }

  get mempool(): readonly string[] {
    return this.#mempool;
  }

  blockAt(height: number): DevnetBlock | undefined {
    return Number.isInteger(height) ? this.#blocks[height] : undefined;
  }

  block(hash: string): DevnetBlock | undefined {
    return this.#blockByHash.get(hash);
  }

  tx(txid: string): DevnetTx | undefined {
    return this.#txs.get(txid);
  }

  /** Height of the block confirming `txid` (a block's coinbase included), null in the mempool, undefined unknown. */
  txHeight(txid: string): number | null | undefined {
    const coinbaseBlock = this.#blockByCoinbase.get(txid);
    if (coinbaseBlock !== undefined) return coinbaseBlock.height;
    if (!this.#txs.has(txid)) return undefined;
    return this.#txHeight.get(txid) ?? null;
  }

  /** The block whose coinbase is `txid`, if any. */
  coinbaseBlock(txid: string): DevnetBlock | undefined {
    return this.#blockByCoinbase.get(txid);
  }

  /** Raw hex of a transaction or a block's coinbase, undefined when unknown. */
  rawTx(txid: string): string | undefined {
    const coinbaseBlock = this.#blockByCoinbase.get(txid);
    if (coinbaseBlock !== undefined) return coinbaseBlock.coinbase.hex;
    const tx = this.#txs.get(txid);
    return tx === undefined ? undefined : hex.encode(encodeTx(tx.inputs, tx.outputs, tx.coinbaseScript));
  }

  /** Every txid of a block in order, its coinbase first (Esplora's `/block/:hash/txids`). */
  blockTxids(block: DevnetBlock): string[] {
    return [block.coinbase.txid, ...block.txids];
  }

  /** The 80-byte header of a block, hex. */
  headerHex(block: DevnetBlock): string {
    return hex.encode(
      serializeHeader({
        version: block.version,
        prevHash: block.prevHash ?? ZERO_HASH,
        merkleRoot: block.merkleRoot,
        time: block.time,
        bits: block.bits,
        nonce: block.nonce,
      }),
    );
  }

  /** The Merkle branch of a confirmed transaction (or coinbase); undefined when unknown or unconfirmed. */
  merkleProof(txid: string): DevnetMerkleProof | undefined {
    const height = this.txHeight(txid);
    const block = height === null || height === undefined ? undefined : this.#blocks[height];
    if (block === undefined) return undefined;
    const txids = this.blockTxids(block);
    const pos = txids.indexOf(txid);
    return { block_height: block.height, merkle: merkleBranch(txids, pos), pos };
  }

  /** The txid spending an output, if any (confirmed or in the mempool). */
  spentBy(txid: string, vout: number): string | undefined {
    return this.#spentBy.get(outpointKey(txid, vout));
  }

  /** Txids touching the address, oldest first. */
  addressTxids(address: string): readonly string[] {
    return this.#addrTxs.get(address) ?? [];
  }

  /** Unspent outputs of the address (outputs spent by a mempool transaction are excluded, as in Esplora). */
  utxos(address: string): DevnetUtxo[] {
    const set = this.#addrUtxos.get(address);
    if (!set) return [];
    const result: DevnetUtxo[] = [];
    for (const key of set) {
      const [txid, voutText] = key.split(":") as [string, string];
      const vout = Number(voutText);
      const out = (this.#txs.get(txid) as DevnetTx).outputs[vout] as DevnetTxOut;
      result.push({ txid, vout, value: out.value, height: this.#txHeight.get(txid) ?? null });
    }
    return result;
  }

  /** Sum of UTXOs with at least `minConfirmations` confirmations (0 includes the mempool). */
  balance(address: string, minConfirmations = 1): bigint {
    let sats = 0n;
    for (const u of this.utxos(address)) {
      const conf = u.height === null ? 0 : this.tipHeight - u.height + 1;
      if (conf >= minConfirmations) sats += u.value;
    }
    return sats;
  }

  // ---------------------------------------------------------------- mutations

  /** Validates an address for this chain's network (regtest by default). */
  parse(address: string) {
    return parseAddress(address, this.network);
  }

  /** Creates a coinbase-like transaction paying `sats` to `address` and puts it in the mempool. */
  fund(address: string, sats: bigint): DevnetTx {
    assertSats(sats, "amount");
    const parsed = this.parse(address);
    this.#counter += 1;
    const coinbaseScript = hex.encode(new Uint8Array([0x08, ...u32le(this.#counter), ...u32le(0x52425443)]));
    const tx = this.#buildTx([], [this.#out(parsed.address, sats)], 0n, coinbaseScript);
    this.#acceptToMempool(tx);
    return tx;
  }

  /**
   * Spends UTXOs of `from` (oldest first, mempool outputs included) to pay `sats` to `to` plus `feeSats`;
   * change goes back to `from`. Throws UserInputError when `from` cannot pay.
   */
  spend(from: string, to: string, sats: bigint, feeSats = 0n): DevnetTx {
    assertSats(sats, "amount");
    if (feeSats < 0n) throw new UserInputError(`fee must not be negative, got ${feeSats}`, "BTC_AMOUNT");
    const src = this.parse(from);
    const dst = this.parse(to);
    const needed = sats + feeSats;
    const candidates = this.utxos(src.address).sort(
      (a, b) => (a.height ?? Number.MAX_SAFE_INTEGER) - (b.height ?? Number.MAX_SAFE_INTEGER),
    );
    const inputs: DevnetOutPoint[] = [];
    let total = 0n;
    for (const u of candidates) {
      if (total >= needed) break;
      inputs.push({ txid: u.txid, vout: u.vout });
      total += u.value;
    }
    if (total < needed) {
      throw new UserInputError(
        `insufficient funds: ${src.address} has ${total} sats spendable, needs ${needed}`,
        "BTC_INSUFFICIENT_FUNDS",
      );
    }
    const outputs = [this.#out(dst.address, sats)];
    if (total > needed) outputs.push(this.#out(src.address, total - needed));
    const tx = this.#buildTx(inputs, outputs, feeSats, "");
    this.#acceptToMempool(tx);
    return tx;
  }

  /** Mines `blocks` blocks; the first one confirms the whole mempool. Returns the new block hashes. */
  mine(blocks = 1): string[] {
    assertCount(blocks, "blocks", 10_000);
    const hashes: string[] = [];
    for (let i = 0; i < blocks; i++) {
      const txids = i === 0 ? this.#mempool.splice(0) : [];
      const block = this.#appendBlock(txids);
      for (const txid of txids) this.#txHeight.set(txid, block.height);
      hashes.push(block.hash);
    }
    this.#persist();
    return hashes;
  }

  /**
   * Replaces the last `depth` blocks by `depth + 1` empty blocks. Their transactions are dropped, not returned
   * to the mempool (as if double-spent by the winning chain), and so are mempool transactions that spent them.
   */
  reorg(depth: number): ReorgResult {
    assertCount(depth, "depth", Math.max(1, this.tipHeight));
    if (depth > this.tipHeight) {
      throw new UserInputError(
        `reorg depth ${depth} exceeds the chain height ${this.tipHeight}`,
        "BTC_COUNT",
      );
    }
    const removed = this.#blocks.splice(this.#blocks.length - depth, depth);
    const dropped = new Set<string>(removed.flatMap((b) => b.txids));
    // mempool descendants of dropped transactions become invalid too
    let changed = true;
    while (changed) {
      changed = false;
      for (const txid of this.#mempool) {
        if (dropped.has(txid)) continue;
        const tx = this.#txs.get(txid) as DevnetTx;
        if (tx.inputs.some((i) => dropped.has(i.txid))) {
          dropped.add(txid);
          changed = true;
        }
      }
    }
    this.#mempool = this.#mempool.filter((t) => !dropped.has(t));
    for (const txid of dropped) this.#txs.delete(txid);
    this.#rebuildIndices();
    for (let i = 0; i <= depth; i++) this.#appendBlock([]);
    this.#persist();
    return {
      removedBlocks: removed.map((b) => b.hash),
      droppedTxids: [...dropped],
      tipHeight: this.tipHeight,
      tipHash: this.tipHash,
    };
  }

  // ---------------------------------------------------------------- persistence

  toJSON(): DevnetState {
    return {
      format: STATE_FORMAT,
      network: this.network,
      counter: this.#counter,
      blocks: this.#blocks,
      mempool: this.#mempool,
      txs: [...this.#txs.values()].map((tx) => ({
        ...tx,
        fee: tx.fee.toString(),
        outputs: tx.outputs.map((o) => ({ ...o, value: o.value.toString() })),
      })),
    };
  }

  #load(text: string, file: string): void {
    let state: DevnetState;
    try {
      state = JSON.parse(text) as DevnetState;
    } catch (error) {
      throw new UserInputError(
        `devnet state file ${file} is not valid JSON: ${(error as Error).message}`,
        "BTC_STATE",
      );
    }
    if (state.format !== STATE_FORMAT) {
      const hint =
        String(state.format) === "reservebtc-devnet/1"
          ? " (written by an older devnet whose blocks had no coinbase and no proof of work: delete it to start anew)"
          : "";
      throw new UserInputError(
        `devnet state file ${file} has unknown format "${String(state.format)}"${hint}`,
        "BTC_STATE",
      );
    }
    if (state.network !== this.network) {
      throw new UserInputError(
        `devnet state file ${file} is for ${state.network}, not ${this.network}`,
        "BTC_STATE",
      );
    }
    this.#counter = state.counter;
    this.#blocks = state.blocks;
    this.#mempool = state.mempool;
    this.#txs = new Map(
      state.txs.map((t) => [
        t.txid,
        { ...t, fee: BigInt(t.fee), outputs: t.outputs.map((o) => ({ ...o, value: BigInt(o.value) })) },
      ]),
    );
    this.#rebuildIndices();
  }

  #persist(): void {
    if (this.#stateFile === undefined) return;
    mkdirSync(dirname(this.#stateFile), { recursive: true });
    const tmp = `${this.#stateFile}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.toJSON()));
    renameSync(tmp, this.#stateFile);
  }

  // ---------------------------------------------------------------- internals

  #out(address: string, value: bigint): DevnetTxOut {
    const parsed = this.parse(address);
    return {
      address: parsed.address,
      type: parsed.type,
      scriptPubKey: hex.encode(parsed.scriptPubKey),
      value,
    };
  }

  #buildTx(inputs: DevnetOutPoint[], outputs: DevnetTxOut[], fee: bigint, coinbaseScript: string): DevnetTx {
    const raw = encodeTx(inputs, outputs, coinbaseScript);
    return {
      txid: hashHex(raw),
      inputs,
      outputs,
      fee,
      coinbase: inputs.length === 0,
      coinbaseScript,
      size: raw.length,
    };
  }

  #acceptToMempool(tx: DevnetTx): void {
    this.#txs.set(tx.txid, tx);
    this.#mempool.push(tx.txid);
    this.#indexTx(tx);
    this.#persist();
  }

  #indexTx(tx: DevnetTx): void {
    const touched = new Set<string>();
    for (const input of tx.inputs) {
      const key = outpointKey(input.txid, input.vout);
      this.#spentBy.set(key, tx.txid);
      const prev = (this.#txs.get(input.txid) as DevnetTx).outputs[input.vout] as DevnetTxOut;
      this.#addrUtxos.get(prev.address)?.delete(key);
      touched.add(prev.address);
    }
    tx.outputs.forEach((o, vout) => {
      let set = this.#addrUtxos.get(o.address);
      if (!set) this.#addrUtxos.set(o.address, (set = new Set()));
      set.add(outpointKey(tx.txid, vout));
      touched.add(o.address);
    });
    for (const address of touched) {
      let list = this.#addrTxs.get(address);
      if (!list) this.#addrTxs.set(address, (list = []));
      list.push(tx.txid);
    }
  }

  #rebuildIndices(): void {
    this.#txHeight.clear();
    this.#spentBy.clear();
    this.#addrTxs.clear();
    this.#addrUtxos.clear();
    this.#blockByHash.clear();
    this.#blockByCoinbase.clear();
    for (const block of this.#blocks) {
      this.#blockByHash.set(block.hash, block);
      this.#blockByCoinbase.set(block.coinbase.txid, block);
      for (const txid of block.txids) {
        this.#txHeight.set(txid, block.height);
        this.#indexTx(this.#txs.get(txid) as DevnetTx);
      }
    }
    for (const txid of this.#mempool) this.#indexTx(this.#txs.get(txid) as DevnetTx);
  }

  #appendBlock(txids: string[]): DevnetBlock {
    const prev = this.#blocks[this.#blocks.length - 1];
    const height = this.#blocks.length;
    this.#counter += 1;
    const coinbase = blockCoinbase(height, this.#counter);
    const mined = grindHeader({
      version: BLOCK_VERSION,
      prevHash: prev?.hash ?? ZERO_HASH,
      merkleRoot: merkleRoot([coinbase.txid, ...txids]),
      time: Math.max(this.#clock(), prev ? prev.time + 1 : 0),
      bits: REGTEST_BITS,
    });
    const block: DevnetBlock = {
      hash: mined.hash,
      height,
      prevHash: prev?.hash ?? null,
      version: mined.header.version,
      time: mined.header.time,
      bits: mined.header.bits,
      nonce: mined.header.nonce,
      merkleRoot: mined.header.merkleRoot,
      coinbase,
      txids,
    };
    this.#blocks.push(block);
    this.#blockByHash.set(block.hash, block);
    this.#blockByCoinbase.set(coinbase.txid, block);
    return block;
  }
}
