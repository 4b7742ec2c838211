import type {
  EsploraAddress,
  EsploraAddressStats,
  EsploraBlock,
  EsploraPrevout,
  EsploraTx,
  EsploraTxStatus,
  EsploraUtxo,
  EsploraVin,
} from "../esplora-types.js";
import { ESPLORA_CHAIN_PAGE, ESPLORA_MEMPOOL_PAGE } from "../esplora-types.js";
import { DIFF1_TARGET, bitsToTarget } from "../headers.js";
import { parseRawTx } from "../tx.js";
import type { DevnetBlock, DevnetChain, DevnetTx, DevnetTxOut } from "./chain.js";

/** Renders devnet state in the exact JSON shapes of Esplora (see esplora-types.ts). */

const ESPLORA_TYPE: Record<DevnetTxOut["type"], string> = {
  p2pkh: "p2pkh",
  p2sh: "p2sh",
  p2wpkh: "v0_p2wpkh",
  p2wsh: "v0_p2wsh",
  p2tr: "v1_p2tr",
};

function push(hexData: string): string {
  return `OP_PUSHBYTES_${hexData.length / 2} ${hexData}`;
}

/** Esplora's `scriptpubkey_asm` for the standard templates. */
function scriptAsm(out: DevnetTxOut): string {
  const s = out.scriptPubKey;
  switch (out.type) {
    case "p2pkh":
      return `OP_DUP OP_HASH160 ${push(s.slice(6, 46))} OP_EQUALVERIFY OP_CHECKSIG`;
    case "p2sh":
      return `OP_HASH160 ${push(s.slice(4, 44))} OP_EQUAL`;
    case "p2wpkh":
    case "p2wsh":
      return `OP_0 ${push(s.slice(4))}`;
    case "p2tr":
      return `OP_PUSHNUM_1 ${push(s.slice(4))}`;
  }
}

export function prevout(out: DevnetTxOut): EsploraPrevout {
  return {
    scriptpubkey: out.scriptPubKey,
    scriptpubkey_asm: scriptAsm(out),
    scriptpubkey_type: ESPLORA_TYPE[out.type],
    scriptpubkey_address: out.address,
    value: Number(out.value),
  };
}

export function txStatus(chain: DevnetChain, txid: string): EsploraTxStatus {
  const height = chain.txHeight(txid);
  if (height === null || height === undefined) return { confirmed: false };
  const block = chain.blockAt(height);
  if (!block) return { confirmed: false };
  return { confirmed: true, block_height: height, block_hash: block.hash, block_time: block.time };
}

export function esploraTx(chain: DevnetChain, tx: DevnetTx): EsploraTx {
  const vin: EsploraVin[] = tx.coinbase
    ? [
        {
          txid: "0".repeat(64),
          vout: 0xffffffff,
          prevout: null,
          scriptsig: tx.coinbaseScript,
          scriptsig_asm: push(tx.coinbaseScript.slice(2)),
          is_coinbase: true,
          sequence: 0xffffffff,
        },
      ]
    : tx.inputs.map((i) => {
        const prev = chain.tx(i.txid)?.outputs[i.vout];
        return {
          txid: i.txid,
          vout: i.vout,
          prevout: prev ? prevout(prev) : null,
          scriptsig: "",
          scriptsig_asm: "",
          is_coinbase: false,
          sequence: 0xfffffffd,
        };
      });
  return {
    txid: tx.txid,
    version: 2,
    locktime: 0,
    vin,
    vout: tx.outputs.map(prevout),
    size: tx.size,
    weight: tx.size * 4,
    fee: Number(tx.fee),
    status: txStatus(chain, tx.txid),
  };
}

/**
 * A block's coinbase in Esplora's transaction shape: one coinbase input, its zero-value OP_RETURN output (Esplora
 * types it "op_return" and gives it no address).
 */
export function esploraCoinbaseTx(chain: DevnetChain, block: DevnetBlock): EsploraTx {
  const parsed = parseRawTx(block.coinbase.hex);
  const size = block.coinbase.hex.length / 2;
  return {
    txid: block.coinbase.txid,
    version: 2,
    locktime: 0,
    vin: [
      {
        txid: "0".repeat(64),
        vout: 0xffffffff,
        prevout: null,
        scriptsig: parsed.inputs[0]?.scriptSig ?? "",
        scriptsig_asm: "",
        is_coinbase: true,
        sequence: 0xffffffff,
      },
    ],
    vout: parsed.outputs.map((o) => ({
      scriptpubkey: o.script,
      scriptpubkey_asm: `OP_RETURN ${push(o.script.slice(4))}`,
      scriptpubkey_type: "op_return",
      value: Number(o.valueSats),
    })),
    size,
    weight: size * 4,
    fee: 0,
    status: txStatus(chain, block.coinbase.txid),
  };
}

export function esploraBlock(chain: DevnetChain, hash: string): EsploraBlock | undefined {
  const block = chain.block(hash);
  if (!block) return undefined;
  const times: number[] = [];
  for (let h = Math.max(0, block.height - 10); h <= block.height; h++)
    times.push(chain.blockAt(h)?.time ?? 0);
  times.sort((a, b) => a - b);
  const txCount = block.txids.length + 1;
  const txsSize =
    block.coinbase.hex.length / 2 + block.txids.reduce((n, t) => n + (chain.tx(t)?.size ?? 0), 0);
  const size = 80 + (txCount < 0xfd ? 1 : 3) + txsSize;
  return {
    id: block.hash,
    height: block.height,
    version: block.version,
    timestamp: block.time,
    tx_count: txCount,
    size,
    weight: size * 4,
    merkle_root: block.merkleRoot,
    previousblockhash: block.prevHash,
    mediantime: times[Math.floor(times.length / 2)] ?? block.time,
    nonce: block.nonce,
    bits: block.bits,
    // Relative to difficulty 1 as a float, as Esplora reports it (4.66e-10 on regtest).
    difficulty: Number(DIFF1_TARGET) / Number(bitsToTarget(block.bits)),
  };
}

export function esploraUtxos(chain: DevnetChain, address: string): EsploraUtxo[] {
  return chain.utxos(address).map((u) => ({
    txid: u.txid,
    vout: u.vout,
    status: txStatus(chain, u.txid),
    value: Number(u.value),
  }));
}

function emptyStats(): EsploraAddressStats {
  return { funded_txo_count: 0, funded_txo_sum: 0, spent_txo_count: 0, spent_txo_sum: 0, tx_count: 0 };
}

export function esploraAddress(chain: DevnetChain, address: string): EsploraAddress {
  const chainStats = emptyStats();
  const mempoolStats = emptyStats();
  for (const txid of chain.addressTxids(address)) {
    const tx = chain.tx(txid) as DevnetTx;
    const stats = chain.txHeight(txid) === null ? mempoolStats : chainStats;
    stats.tx_count += 1;
    for (const o of tx.outputs) {
      if (o.address !== address) continue;
      stats.funded_txo_count += 1;
      stats.funded_txo_sum += Number(o.value);
    }
    for (const i of tx.inputs) {
      const prev = chain.tx(i.txid)?.outputs[i.vout];
      if (prev?.address !== address) continue;
      stats.spent_txo_count += 1;
      stats.spent_txo_sum += Number(prev.value);
    }
  }
  return { address, chain_stats: chainStats, mempool_stats: mempoolStats };
}

/** Txids of the address, newest first, split into mempool and confirmed. */
function addressTxidsNewestFirst(
  chain: DevnetChain,
  address: string,
): { mempool: string[]; confirmed: string[] } {
  const mempool: string[] = [];
  const confirmed: string[] = [];
  const all = chain.addressTxids(address);
  for (let i = all.length - 1; i >= 0; i--) {
    const txid = all[i] as string;
    (chain.txHeight(txid) === null ? mempool : confirmed).push(txid);
  }
  return { mempool, confirmed };
}

/** GET /address/:a/txs — up to 50 mempool transactions, then the newest 25 confirmed ones. */
export function esploraAddressTxs(chain: DevnetChain, address: string): EsploraTx[] {
  const { mempool, confirmed } = addressTxidsNewestFirst(chain, address);
  return [...mempool.slice(0, ESPLORA_MEMPOOL_PAGE), ...confirmed.slice(0, ESPLORA_CHAIN_PAGE)].map((t) =>
    esploraTx(chain, chain.tx(t) as DevnetTx),
  );
}

/**
 * GET /address/:a/txs/chain[/:last_seen] — the next 25 confirmed transactions after `lastSeen`
 * (newest first). Returns undefined when `lastSeen` is not a confirmed transaction of the address.
 */
export function esploraAddressChainTxs(
  chain: DevnetChain,
  address: string,
  lastSeen?: string,
): EsploraTx[] | undefined {
  const { confirmed } = addressTxidsNewestFirst(chain, address);
  let start = 0;
  if (lastSeen !== undefined) {
    const index = confirmed.indexOf(lastSeen);
    if (index < 0) return undefined;
    start = index + 1;
  }
  return confirmed
    .slice(start, start + ESPLORA_CHAIN_PAGE)
    .map((t) => esploraTx(chain, chain.tx(t) as DevnetTx));
}

export function esploraMempoolTxs(chain: DevnetChain, address: string): EsploraTx[] {
  const { mempool } = addressTxidsNewestFirst(chain, address);
  return mempool.slice(0, ESPLORA_MEMPOOL_PAGE).map((t) => esploraTx(chain, chain.tx(t) as DevnetTx));
}
