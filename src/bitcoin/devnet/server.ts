import Fastify from "fastify";
import type { FastifyInstance, FastifyReply } from "fastify";

import { UserInputError } from "../../errors.js";
import { parseCount, parseSats } from "../amount.js";
import type { BitcoinNetwork } from "../networks.js";
import { DevnetChain } from "./chain.js";
import type { DevnetBlock, DevnetTx } from "./chain.js";
import {
  esploraAddress,
  esploraAddressChainTxs,
  esploraAddressTxs,
  esploraBlock,
  esploraCoinbaseTx,
  esploraMempoolTxs,
  esploraTx,
  esploraUtxos,
  txStatus,
} from "./esplora-view.js";

export interface StartDevnetOptions {
  /** TCP port on 127.0.0.1; 0 picks a free one. Default 18443. */
  port?: number;
  /** Bind address; loopback only by default (the control endpoints are unauthenticated). */
  host?: string;
  network?: BitcoinNetwork;
  /** Persist the chain to this JSON file and resume from it when it exists. */
  stateFile?: string;
  /** Use an existing chain instead of creating one (stateFile is then ignored). */
  chain?: DevnetChain;
  /** Clock for new blocks (seconds). */
  clock?: () => number;
}

export interface RunningDevnet {
  /** Base URL, e.g. http://127.0.0.1:18443 (the Esplora API root). */
  url: string;
  port: number;
  chain: DevnetChain;
  server: FastifyInstance;
  close(): Promise<void>;
}

/** Summary returned by the control endpoints and `GET /devnet/info`. */
export interface DevnetInfo {
  network: BitcoinNetwork;
  tipHeight: number;
  tipHash: string;
  mempoolSize: number;
}

export function devnetInfo(chain: DevnetChain): DevnetInfo {
  return {
    network: chain.network,
    tipHeight: chain.tipHeight,
    tipHash: chain.tipHash,
    mempoolSize: chain.mempool.length,
  };
}

/** JSON returned by POST /devnet/fund and /devnet/spend. */
export interface DevnetTxResult {
  txid: string;
  fee: string;
  outputs: Array<{ address: string; vout: number; sats: string }>;
  info: DevnetInfo;
}

function txResult(chain: DevnetChain, tx: DevnetTx): DevnetTxResult {
  return {
    txid: tx.txid,
    fee: tx.fee.toString(),
    outputs: tx.outputs.map((o, vout) => ({ address: o.address, vout, sats: o.value.toString() })),
    info: devnetInfo(chain),
  };
}

const HEX64 = /^[0-9a-f]{64}$/;

function text(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply.code(status).type("text/plain").send(body);
}

function body(request: { body: unknown }): Record<string, unknown> {
  const b = request.body;
  if (b === null || typeof b !== "object" || Array.isArray(b))
    throw new UserInputError("request body must be a JSON object");
  return b as Record<string, unknown>;
}

function str(b: Record<string, unknown>, field: string): string {
  const v = b[field];
  if (typeof v !== "string" || v === "") throw new UserInputError(`${field} is required`);
  return v;
}

/** Builds the fastify app serving the Esplora API subset and the /devnet control endpoints. */
export function buildDevnetServer(chain: DevnetChain): FastifyInstance {
  const app = Fastify({ logger: false });

  /** The canonical form of a valid address; Esplora answers a bad one with HTTP 400 and a text body. */
  const validAddress = (address: string, reply: FastifyReply): string | undefined => {
    try {
      return chain.parse(address).address;
    } catch (error) {
      text(reply, 400, `Invalid Bitcoin address: ${(error as Error).message}`);
      return undefined;
    }
  };

  app.get("/blocks/tip/height", async (_req, reply) => text(reply, 200, String(chain.tipHeight)));
  app.get("/blocks/tip/hash", async (_req, reply) => text(reply, 200, chain.tipHash));
  app.get<{ Params: { height: string } }>("/block-height/:height", async (req, reply) => {
    const block = /^\d+$/.test(req.params.height) ? chain.blockAt(Number(req.params.height)) : undefined;
    return block ? text(reply, 200, block.hash) : text(reply, 404, "Block not found");
  });
  app.get<{ Params: { hash: string } }>("/block/:hash", async (req, reply) => {
    const block = esploraBlock(chain, req.params.hash);
    return block ? reply.send(block) : text(reply, 404, "Block not found");
  });
  app.get<{ Params: { hash: string } }>("/block/:hash/status", async (req, reply) => {
    const block = chain.block(req.params.hash);
    if (!block) return text(reply, 404, "Block not found");
    return reply.send({
      in_best_chain: true,
      height: block.height,
      next_best: chain.blockAt(block.height + 1)?.hash ?? null,
    });
  });
  app.get<{ Params: { hash: string } }>("/block/:hash/header", async (req, reply) => {
    const block = chain.block(req.params.hash);
    return block ? text(reply, 200, chain.headerHex(block)) : text(reply, 404, "Block not found");
  });
  app.get<{ Params: { hash: string } }>("/block/:hash/txids", async (req, reply) => {
    const block = chain.block(req.params.hash);
    return block ? reply.send(chain.blockTxids(block)) : text(reply, 404, "Block not found");
  });
  app.get<{ Params: { hash: string; index: string } }>("/block/:hash/txid/:index", async (req, reply) => {
    const block = chain.block(req.params.hash);
    if (!block) return text(reply, 404, "Block not found");
    const txid = /^\d+$/.test(req.params.index)
      ? chain.blockTxids(block)[Number(req.params.index)]
      : undefined;
    return txid === undefined ? text(reply, 404, "Transaction not found") : text(reply, 200, txid);
  });
  /** A known txid (a transaction or a block's coinbase), or undefined. */
  const knownTxid = (txid: string): string | undefined =>
    HEX64.test(txid) && chain.txHeight(txid) !== undefined ? txid : undefined;
  app.get<{ Params: { txid: string } }>("/tx/:txid", async (req, reply) => {
    const txid = knownTxid(req.params.txid);
    if (txid === undefined) return text(reply, 404, "Transaction not found");
    const tx = chain.tx(txid);
    const coinbaseBlock = chain.coinbaseBlock(txid);
    return reply.send(tx ? esploraTx(chain, tx) : esploraCoinbaseTx(chain, coinbaseBlock as DevnetBlock));
  });
  app.get<{ Params: { txid: string } }>("/tx/:txid/status", async (req, reply) => {
    const txid = knownTxid(req.params.txid);
    return txid ? reply.send(txStatus(chain, txid)) : text(reply, 404, "Transaction not found");
  });
  app.get<{ Params: { txid: string } }>("/tx/:txid/hex", async (req, reply) => {
    const raw = knownTxid(req.params.txid) === undefined ? undefined : chain.rawTx(req.params.txid);
    return raw === undefined ? text(reply, 404, "Transaction not found") : text(reply, 200, raw);
  });
  app.get<{ Params: { txid: string } }>("/tx/:txid/merkle-proof", async (req, reply) => {
    const proof = knownTxid(req.params.txid) === undefined ? undefined : chain.merkleProof(req.params.txid);
    return proof ? reply.send(proof) : text(reply, 404, "Transaction not found or is unconfirmed");
  });
  app.get<{ Params: { address: string } }>("/address/:address", async (req, reply) => {
    const address = validAddress(req.params.address, reply);
    return address === undefined ? reply : reply.send(esploraAddress(chain, address));
  });
  app.get<{ Params: { address: string } }>("/address/:address/utxo", async (req, reply) => {
    const address = validAddress(req.params.address, reply);
    return address === undefined ? reply : reply.send(esploraUtxos(chain, address));
  });
  app.get<{ Params: { address: string } }>("/address/:address/txs", async (req, reply) => {
    const address = validAddress(req.params.address, reply);
    return address === undefined ? reply : reply.send(esploraAddressTxs(chain, address));
  });
  app.get<{ Params: { address: string } }>("/address/:address/txs/mempool", async (req, reply) => {
    const address = validAddress(req.params.address, reply);
    return address === undefined ? reply : reply.send(esploraMempoolTxs(chain, address));
  });
  const chainTxs = async (address: string, lastSeen: string | undefined, reply: FastifyReply) => {
    const canonical = validAddress(address, reply);
    if (canonical === undefined) return reply;
    const txs = esploraAddressChainTxs(chain, canonical, lastSeen);
    return txs ? reply.send(txs) : text(reply, 404, "Transaction not found");
  };
  app.get<{ Params: { address: string } }>("/address/:address/txs/chain", async (req, reply) =>
    chainTxs(req.params.address, undefined, reply),
  );
  app.get<{ Params: { address: string; lastSeen: string } }>(
    "/address/:address/txs/chain/:lastSeen",
    async (req, reply) => chainTxs(req.params.address, req.params.lastSeen, reply),
  );

  // ---- control endpoints (devnet only)
  app.get("/devnet/info", async () => devnetInfo(chain));
  app.post("/devnet/fund", async (req) => {
    const b = body(req);
    return txResult(chain, chain.fund(str(b, "address"), parseSats(b.sats, "sats")));
  });
  app.post("/devnet/spend", async (req) => {
    const b = body(req);
    const fee = b.feeSats === undefined ? 0n : parseSats(b.feeSats, "feeSats");
    return txResult(chain, chain.spend(str(b, "from"), str(b, "to"), parseSats(b.sats, "sats"), fee));
  });
  app.post("/devnet/mine", async (req) => {
    const b = req.body === undefined || req.body === null ? {} : body(req);
    const blocks = b.blocks === undefined ? 1 : parseCount(b.blocks, "blocks");
    const hashes = chain.mine(blocks);
    return { hashes, ...devnetInfo(chain) };
  });
  app.post("/devnet/reorg", async (req) => {
    const b = body(req);
    const result = chain.reorg(parseCount(b.depth, "depth"));
    return { ...result, ...devnetInfo(chain) };
  });

  app.setErrorHandler((error, _req, reply) => {
    if (error instanceof UserInputError)
      return reply.code(400).send({ error: error.message, code: error.code });
    const status = (error as { statusCode?: number }).statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      return reply.code(status).send({ error: (error as Error).message });
    }
    return reply.code(500).send({ error: (error as Error).message });
  });
  return app;
}

/** Starts the devnet HTTP server (in process). Always `close()` it. */
export async function startDevnet(options: StartDevnetOptions = {}): Promise<RunningDevnet> {
  const network = options.network ?? "regtest";
  const chainOptions = { network, ...(options.clock ? { clock: options.clock } : {}) };
  const chain =
    options.chain ??
    (options.stateFile !== undefined
      ? DevnetChain.open({ ...chainOptions, stateFile: options.stateFile })
      : new DevnetChain(chainOptions));
  const server = buildDevnetServer(chain);
  const host = options.host ?? "127.0.0.1";
  await server.listen({ port: options.port ?? 18443, host });
  const address = server.server.address();
  const port = typeof address === "object" && address !== null ? address.port : (options.port ?? 18443);
  return {
    url: `http://${host}:${port}`,
    port,
    chain,
    server,
    close: () => server.close(),
  };
}
