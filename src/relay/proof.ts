/**
 * Transaction inclusion proofs for the LightRelay, built from any Esplora backend: the raw transaction, its Merkle
 * branch, the block's coinbase with its branch (same depth: the 64-byte-transaction defence), and the header chain from
 * the confirming block (or an earlier anchor) through the requested confirmations. Everything is checked here before
 * it is returned — txids, the header chain's links and proof of work, both branches against the header's Merkle root —
 * so a lying or reorganizing backend yields an error, never a proof the relay would refuse.
 */
import type { LightRelay } from "../../types/ethers-contracts/index.js";
import type { EsploraClient } from "../bitcoin/esplora.js";
import { branchToProof, rootFromBranch } from "../bitcoin/merkle.js";
import { BackendError, ChainError, UserInputError } from "../errors.js";
import { fetchHeaderChain, headersArgument } from "./headers.js";
import { describeRelayError } from "./relay.js";

/** The relay's `TxProof` struct, ABI-ready (0x-hex byte strings). */
export interface TxProofArgs {
  transaction: string;
  txIndex: number;
  merkleProof: string;
  coinbase: string;
  coinbaseProof: string;
  headers: string;
  blockIndex: number;
}

/** A proof and what it proves. */
export interface TxProofBundle {
  txid: string;
  blockHash: string;
  blockHeight: number;
  /** Heights of the first and last header in `proof.headers`. */
  fromHeight: number;
  toHeight: number;
  /** The confirming block and its descendants in the chain. */
  confirmations: number;
  proof: TxProofArgs;
}

export interface BuildTxProofOptions {
  /** Headers from the confirming block on (it included). */
  confirmations: number;
  /** Start the header chain at this earlier height (an anchor the verifier trusts); default: the confirming block. */
  fromHeight?: number;
}

/**
 * Builds and checks the proof that `txid` is confirmed. Throws UserInputError (code TX_UNCONFIRMED or
 * TX_TOO_FEW_CONFIRMATIONS) when the chain does not hold it deep enough yet, BackendError when the backend answers
 * inconsistently.
 */
export async function buildTxProof(
  esplora: EsploraClient,
  txid: string,
  options: BuildTxProofOptions,
): Promise<TxProofBundle> {
  if (!Number.isSafeInteger(options.confirmations) || options.confirmations < 1) {
    throw new UserInputError(`confirmations must be an integer ≥ 1, got ${options.confirmations}`);
  }
  const status = await esplora.txStatus(txid);
  if (!status.confirmed || status.block_height === undefined || status.block_hash === undefined) {
    throw new UserInputError(`transaction ${txid} is not confirmed`, "TX_UNCONFIRMED");
  }
  const blockHeight = status.block_height;
  const fromHeight = options.fromHeight ?? blockHeight;
  if (!Number.isSafeInteger(fromHeight) || fromHeight > blockHeight || fromHeight < 0) {
    throw new UserInputError(`the chain must start at or below block ${blockHeight}, not ${fromHeight}`);
  }
  const toHeight = blockHeight + options.confirmations - 1;
  const tip = await esplora.tip();
  if (toHeight > tip.height) {
    throw new UserInputError(
      `transaction ${txid} has ${tip.height - blockHeight + 1} confirmations, the proof needs ${options.confirmations}`,
      "TX_TOO_FEW_CONFIRMATIONS",
    );
  }

  const chain = await fetchHeaderChain(esplora, fromHeight, toHeight);
  const block = chain[blockHeight - fromHeight];
  if (block === undefined || block.hash !== status.block_hash) {
    throw new BackendError(
      `${esplora.baseUrl}: block ${blockHeight} is ${block?.hash}, but ${txid} is reported in ${status.block_hash} ` +
        `(a reorg during the reads?); retry`,
      "RELAY_CHAIN_MOVED",
    );
  }
  const [transaction, branch, coinbaseTxid] = await Promise.all([
    esplora.txHex(txid),
    esplora.txMerkleProof(txid),
    esplora.blockTxidAt(block.hash, 0),
  ]);
  const [coinbase, coinbaseBranch] = await Promise.all([
    esplora.txHex(coinbaseTxid),
    esplora.txMerkleProof(coinbaseTxid),
  ]);
  checkBranch(esplora, txid, branch, block.header.merkleRoot, blockHeight);
  checkBranch(esplora, coinbaseTxid, coinbaseBranch, block.header.merkleRoot, blockHeight);
  if (coinbaseBranch.pos !== 0 || coinbaseBranch.merkle.length !== branch.merkle.length) {
    throw new BackendError(
      `${esplora.baseUrl}: the coinbase's branch does not match ${txid}'s`,
      "RELAY_BAD_PROOF",
    );
  }
  return {
    txid,
    blockHash: block.hash,
    blockHeight,
    fromHeight,
    toHeight,
    confirmations: options.confirmations,
    proof: {
      transaction: `0x${transaction}`,
      txIndex: branch.pos,
      merkleProof: branchToProof(branch.merkle),
      coinbase: `0x${coinbase}`,
      coinbaseProof: branchToProof(coinbaseBranch.merkle),
      headers: headersArgument(chain),
      blockIndex: blockHeight - fromHeight,
    },
  };
}

function checkBranch(
  esplora: EsploraClient,
  txid: string,
  branch: { block_height: number; merkle: string[]; pos: number },
  merkleRoot: string,
  blockHeight: number,
): void {
  if (branch.block_height !== blockHeight || rootFromBranch(txid, branch.merkle, branch.pos) !== merkleRoot) {
    throw new BackendError(
      `${esplora.baseUrl}: the Merkle proof of ${txid} does not lead to block ${blockHeight}'s root`,
      "RELAY_BAD_PROOF",
    );
  }
}

/** What the relay says about a proof (a static call: nothing is sent). */
export interface RelayVerdict {
  txid: string;
  blockHash: string;
  confirmations: number;
}

/**
 * Verifies a proof against the relay's current view (`verifyTransaction`, a view call). Throws ChainError naming the
 * relay's error when it refuses.
 */
export async function verifyOnRelay(relay: LightRelay, bundle: TxProofBundle): Promise<RelayVerdict> {
  let result: [string, string, bigint];
  try {
    result = await relay.verifyTransaction(bundle.proof);
  } catch (error) {
    throw new ChainError(
      `the relay refuses the proof of ${bundle.txid}: ${describeRelayError(relay, error)}`,
      "RELAY_REFUSED",
    );
  }
  const [txid, blockHash, confirmations] = result;
  return {
    txid: displayOrder(txid),
    blockHash: displayOrder(blockHash),
    confirmations: Number(confirmations),
  };
}

/** A bytes32 in internal order as display-order hex. */
function displayOrder(internal: string): string {
  return Buffer.from(internal.slice(2), "hex").reverse().toString("hex");
}
