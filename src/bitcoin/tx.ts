/**
 * Raw Bitcoin transactions through @scure/btc-signer's `RawTx` coder: parsing either serialization and the txid,
 * which is always the double-SHA256 of the non-witness serialization (BIP-141) — what a block's Merkle tree commits to
 * and what contracts/libraries/BitcoinTx.sol computes on chain.
 */
import { hex } from "@scure/base";
import { RawTx } from "@scure/btc-signer";

import { UserInputError } from "../errors.js";
import { decodeHex, hashHex } from "./headers.js";

export interface ParsedTxInput {
  /** The spent output's txid, display hex. */
  txid: string;
  vout: number;
  /** Input script, hex (empty for segwit spends). */
  scriptSig: string;
  sequence: number;
}

export interface ParsedTxOutput {
  valueSats: bigint;
  /** Output script, hex. */
  script: string;
}

export interface ParsedTx {
  /** Display hex. */
  txid: string;
  inputs: ParsedTxInput[];
  outputs: ParsedTxOutput[];
  /** Whether the serialization carried witnesses. */
  segwit: boolean;
  /** Size of the non-witness serialization. */
  baseSize: number;
  /** The non-witness serialization, hex. */
  baseHex: string;
}

/**
 * A transaction as @scure/btc-signer's `RawTx` decodes it, with the input and output fields typed (its declarations
 * elide them to `any`).
 */
export interface RawTransaction {
  version: number;
  segwitFlag?: boolean | undefined;
  inputs: { txid: Uint8Array; index: number; finalScriptSig: Uint8Array; sequence: number }[];
  outputs: { amount: bigint; script: Uint8Array }[];
  witnesses?: Uint8Array[][] | undefined;
  lockTime: number;
}

/** Decodes a raw transaction's bytes (throws @scure/btc-signer's error on malformed input). */
export function decodeRawTx(bytes: Uint8Array): RawTransaction {
  return RawTx.decode(bytes);
}

/** Parses a raw transaction (hex or bytes, legacy or segwit serialization). */
export function parseRawTx(raw: string | Uint8Array): ParsedTx {
  const bytes = typeof raw === "string" ? decodeHex(raw, "raw transaction") : raw;
  let tx: RawTransaction;
  try {
    tx = decodeRawTx(bytes);
  } catch (error) {
    throw new UserInputError(`malformed raw transaction: ${(error as Error).message}`, "BTC_TX");
  }
  const base = RawTx.encode({ ...tx, segwitFlag: false, witnesses: undefined });
  return {
    txid: hashHex(base),
    inputs: tx.inputs.map((i) => ({
      txid: hex.encode(i.txid),
      vout: i.index,
      scriptSig: hex.encode(i.finalScriptSig),
      sequence: i.sequence,
    })),
    outputs: tx.outputs.map((o) => ({ valueSats: o.amount, script: hex.encode(o.script) })),
    segwit: tx.segwitFlag === true,
    baseSize: base.length,
    baseHex: hex.encode(base),
  };
}

/** The txid (display hex) of a raw transaction. */
export function txidOf(raw: string | Uint8Array): string {
  return parseRawTx(raw).txid;
}
