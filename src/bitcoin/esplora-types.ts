/**
 * JSON shapes of the Esplora HTTP API (blockstream.info, mempool.space, electrs-esplora), as far as
 * ReserveBTC uses them. The devnet serves exactly these shapes; the client validates them on receipt.
 * Amounts are JSON numbers in sats (Esplora's own encoding); the client converts them to bigint.
 */

export interface EsploraTxStatus {
  confirmed: boolean;
  block_height?: number;
  block_hash?: string;
  block_time?: number;
}

export interface EsploraUtxo {
  txid: string;
  vout: number;
  status: EsploraTxStatus;
  value: number;
}

export interface EsploraPrevout {
  scriptpubkey: string;
  scriptpubkey_asm: string;
  scriptpubkey_type: string;
  scriptpubkey_address?: string;
  value: number;
}

export interface EsploraVin {
  txid: string;
  vout: number;
  prevout: EsploraPrevout | null;
  scriptsig: string;
  scriptsig_asm: string;
  witness?: string[];
  is_coinbase: boolean;
  sequence: number;
}

export interface EsploraTx {
  txid: string;
  version: number;
  locktime: number;
  vin: EsploraVin[];
  vout: EsploraPrevout[];
  size: number;
  weight: number;
  fee: number;
  status: EsploraTxStatus;
}

export interface EsploraAddressStats {
  funded_txo_count: number;
  funded_txo_sum: number;
  spent_txo_count: number;
  spent_txo_sum: number;
  tx_count: number;
}

export interface EsploraAddress {
  address: string;
  chain_stats: EsploraAddressStats;
  mempool_stats: EsploraAddressStats;
}

export interface EsploraBlock {
  id: string;
  height: number;
  version: number;
  timestamp: number;
  tx_count: number;
  size: number;
  weight: number;
  merkle_root: string;
  previousblockhash: string | null;
  mediantime: number;
  nonce: number;
  bits: number;
  difficulty: number;
}

/** GET /tx/:txid/merkle-proof (Electrum's `blockchain.transaction.get_merkle` format). */
export interface EsploraMerkleProof {
  block_height: number;
  /** Sibling hashes, display-order hex, from the transaction up. */
  merkle: string[];
  /** The transaction's position in its block. */
  pos: number;
}

/** Esplora page sizes: /address/:a/txs returns up to 50 mempool + 25 confirmed; /txs/chain/:last 25. */
export const ESPLORA_CHAIN_PAGE = 25;
export const ESPLORA_MEMPOOL_PAGE = 50;
