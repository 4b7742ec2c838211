import { Agent as HttpAgent, get as httpGetPlain } from "node:http";
import { Agent as HttpsAgent, get as httpsGet } from "node:https";

import { hex } from "@scure/base";

import { BackendError, UserInputError } from "../errors.js";
import { parseAddress } from "./address.js";
import type { EsploraMerkleProof, EsploraTx, EsploraTxStatus, EsploraUtxo } from "./esplora-types.js";
import { ESPLORA_CHAIN_PAGE } from "./esplora-types.js";
import { headerHash } from "./headers.js";
import type { BitcoinNetwork } from "./networks.js";
import { txidOf } from "./tx.js";

export interface EsploraClientOptions {
  /** API root, e.g. https://blockstream.info/api or http://127.0.0.1:18443 (no trailing slash needed). */
  baseUrl: string;
  /** Per-attempt timeout, covering connect, headers and body. Default 10 s. */
  timeoutMs?: number;
  /** Extra attempts after the first on network errors, timeouts, HTTP 5xx and 429. Default 3. */
  retries?: number;
  /** First backoff; doubles per attempt (capped by maxBackoffMs). Default 250 ms. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Longest Retry-After (HTTP 429/503) honoured; longer values are clamped. Default 30 s. */
  maxRetryAfterMs?: number;
  /** Requests in flight at once from this client. Default 8. */
  concurrency?: number;
  /** When set, addresses are validated for this network before any request (UserInputError). */
  network?: BitcoinNetwork;
}

export interface Tip {
  height: number;
  hash: string;
}

export interface Utxo {
  txid: string;
  vout: number;
  value: bigint;
  confirmed: boolean;
  blockHeight: number | null;
  blockHash: string | null;
  blockTime: number | null;
}

export interface ConfirmedBalance {
  address: string;
  /** Sum of UTXOs with ≥ minConfirmations confirmations at `tipHash`. */
  sats: bigint;
  minConfirmations: number;
  tipHeight: number;
  tipHash: string;
  /** UTXOs counted in `sats`. */
  utxoCount: number;
  /** Sats seen but not counted (unconfirmed or too few confirmations). */
  pendingSats: bigint;
}

export interface BalancesResult {
  tipHeight: number;
  tipHash: string;
  minConfirmations: number;
  /** In input order. */
  balances: ConfirmedBalance[];
}

export interface ClientStats {
  requests: number;
  retries: number;
  failures: number;
}

const HEX64 = /^[0-9a-f]{64}$/;

/** A counting semaphore: at most `limit` holders at once, FIFO. */
export class Semaphore {
  #available: number;
  readonly #waiters: Array<() => void> = [];
  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new UserInputError(`concurrency must be an integer ≥ 1, got ${limit}`);
    this.#available = limit;
  }
  async acquire(): Promise<void> {
    if (this.#available > 0) {
      this.#available -= 1;
      return;
    }
    await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }
  release(): void {
    const next = this.#waiters.shift();
    if (next) next();
    else this.#available += 1;
  }
}

/** Runs `fn` over `items` with at most `limit` calls in flight; results in input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** The useful part of a fetch() or http.request failure: ECONNREFUSED, ENOTFOUND, … (undici nests it in `cause`). */
export function fetchErrorDetail(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string; errors?: Array<{ code?: string }> } })
    .cause;
  const own = error as { code?: string; errors?: Array<{ code?: string }> };
  return (
    cause?.code ??
    cause?.errors?.[0]?.code ??
    cause?.message ??
    own.code ??
    own.errors?.[0]?.code ??
    (error as Error).message
  );
}

/** An HTTP answer: status, the Retry-After header and the body text. */
interface HttpAnswer {
  status: number;
  retryAfter: string | null;
  body: string;
}

/**
 * GET over node:http(s) through a keep-alive agent. About 1.7× the requests per second of the global fetch for
 * the thousands of small GETs of a balance scan (measured against the devnet in one process).
 */
function httpGet(url: string, agent: HttpAgent | HttpsAgent, signal: AbortSignal): Promise<HttpAnswer> {
  const get = url.startsWith("https:") ? httpsGet : httpGetPlain;
  return new Promise<HttpAnswer>((resolve, reject) => {
    const request = get(url, { agent, signal }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("error", reject);
      response.on("end", () => {
        const header = response.headers["retry-after"];
        resolve({
          status: response.statusCode ?? 0,
          retryAfter: typeof header === "string" ? header : null,
          body: Buffer.concat(chunks).toString("utf8"),
        });
      });
    });
    request.on("error", reject);
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Parses Retry-After: delay-seconds or an HTTP date. */
function retryAfterMs(header: string | null): number | undefined {
  if (header === null) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

class RetryableError extends BackendError {
  constructor(
    message: string,
    code: string,
    status?: number,
    readonly waitMs?: number,
  ) {
    super(message, code, status);
  }
}

function malformed(url: string, detail: string): never {
  throw new BackendError(`malformed response from ${url}: ${detail}`, "BACKEND_MALFORMED");
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function validateStatus(url: string, v: unknown, where: string): EsploraTxStatus {
  if (!isObject(v) || typeof v.confirmed !== "boolean")
    malformed(url, `${where}.status.confirmed must be a boolean`);
  if (v.confirmed) {
    if (!Number.isSafeInteger(v.block_height) || (v.block_height as number) < 0)
      malformed(url, `${where}.status.block_height must be a height`);
    if (typeof v.block_hash !== "string" || !HEX64.test(v.block_hash))
      malformed(url, `${where}.status.block_hash must be 64 hex`);
  }
  return v as unknown as EsploraTxStatus;
}

function validateUtxos(url: string, v: unknown): EsploraUtxo[] {
  if (!Array.isArray(v)) malformed(url, "expected a JSON array of UTXOs");
  v.forEach((u: unknown, i) => {
    const where = `[${i}]`;
    if (!isObject(u)) malformed(url, `${where} is not an object`);
    if (typeof u.txid !== "string" || !HEX64.test(u.txid)) malformed(url, `${where}.txid must be 64 hex`);
    if (!Number.isSafeInteger(u.vout) || (u.vout as number) < 0)
      malformed(url, `${where}.vout must be an index`);
    if (!Number.isSafeInteger(u.value) || (u.value as number) < 0)
      malformed(url, `${where}.value must be sats`);
    validateStatus(url, u.status, where);
  });
  return v as EsploraUtxo[];
}

function validateTxs(url: string, v: unknown): EsploraTx[] {
  if (!Array.isArray(v)) malformed(url, "expected a JSON array of transactions");
  v.forEach((t: unknown, i) => {
    if (!isObject(t) || typeof t.txid !== "string" || !HEX64.test(t.txid))
      malformed(url, `[${i}].txid must be 64 hex`);
    if (!Array.isArray(t.vin) || !Array.isArray(t.vout)) malformed(url, `[${i}] needs vin and vout arrays`);
    validateStatus(url, t.status, `[${i}]`);
  });
  return v as EsploraTx[];
}

/**
 * An HTTP client for the Esplora API (blockstream.info, mempool.space, electrs-esplora, the local devnet).
 *
 * Behaviour: bounded concurrency; a timeout per attempt (AbortSignal); up to `retries` retries with
 * exponential backoff on network errors, timeouts, 5xx and 429 (honouring Retry-After), never on other 4xx;
 * every response is validated and malformed JSON raises `BackendError("malformed response from <url>: …")`.
 * Esplora does not filter UTXOs by confirmations: the client does, relative to one tip snapshot.
 */
export class EsploraClient {
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly backoffMs: number;
  readonly maxBackoffMs: number;
  readonly maxRetryAfterMs: number;
  readonly concurrency: number;
  readonly network: BitcoinNetwork | undefined;
  readonly #semaphore: Semaphore;
  /** Keep-alive connections, one per request in flight at most. */
  readonly #agent: HttpAgent | HttpsAgent;
  readonly #stats: ClientStats = { requests: 0, retries: 0, failures: 0 };

  constructor(options: EsploraClientOptions) {
    let url: URL;
    try {
      url = new URL(options.baseUrl);
    } catch {
      throw new UserInputError(`invalid Esplora URL "${options.baseUrl}"`, "BACKEND_URL");
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new UserInputError(`Esplora URL must be http(s), got "${options.baseUrl}"`, "BACKEND_URL");
    }
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.retries = options.retries ?? 3;
    this.backoffMs = options.backoffMs ?? 250;
    this.maxBackoffMs = options.maxBackoffMs ?? 10_000;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 30_000;
    this.concurrency = options.concurrency ?? 8;
    this.network = options.network;
    for (const [name, value, min] of [
      ["timeoutMs", this.timeoutMs, 1],
      ["retries", this.retries, 0],
      ["backoffMs", this.backoffMs, 0],
      ["maxBackoffMs", this.maxBackoffMs, 0],
      ["maxRetryAfterMs", this.maxRetryAfterMs, 0],
    ] as const) {
      if (!Number.isSafeInteger(value) || value < min) {
        throw new UserInputError(`${name} must be an integer ≥ ${min}, got ${value}`, "BACKEND_CONFIG");
      }
    }
    this.#semaphore = new Semaphore(this.concurrency);
    const agentOptions = { keepAlive: true, maxSockets: this.concurrency, maxFreeSockets: this.concurrency };
    this.#agent = url.protocol === "https:" ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions);
  }

  /** Request counters since construction (for metrics and tests). */
  stats(): ClientStats {
    return { ...this.#stats };
  }

  // ------------------------------------------------------------------ chain

  async tipHeight(): Promise<number> {
    const { url, body } = await this.#get("/blocks/tip/height");
    if (!/^\d+$/.test(body.trim()))
      malformed(url, `expected a block height, got ${JSON.stringify(body.slice(0, 80))}`);
    return Number(body.trim());
  }

  async tipHash(): Promise<string> {
    const { url, body } = await this.#get("/blocks/tip/hash");
    return this.#hash(url, body);
  }

  /** Height and hash of one block (hash first, then its height: the pair is always consistent). */
  async tip(): Promise<Tip> {
    const hash = await this.tipHash();
    const { url, json } = await this.#getJson(`/block/${hash}`);
    if (!isObject(json) || !Number.isSafeInteger(json.height))
      malformed(url, "block.height must be an integer");
    if (json.id !== hash) malformed(url, `block.id ${String(json.id)} is not the requested ${hash}`);
    return { height: json.height as number, hash };
  }

  async blockHashAt(height: number): Promise<string> {
    if (!Number.isSafeInteger(height) || height < 0)
      throw new UserInputError(`invalid block height ${height}`);
    const { url, body } = await this.#get(`/block-height/${height}`);
    return this.#hash(url, body);
  }

  // ---------------------------------------------------------------- address

  /** All UTXOs of the address, confirmed or not (Esplora hides outputs already spent in its mempool). */
  async addressUtxos(address: string): Promise<Utxo[]> {
    const { url, json } = await this.#getJson(`/address/${encodeURIComponent(this.#address(address))}/utxo`);
    return validateUtxos(url, json).map((u) => ({
      txid: u.txid,
      vout: u.vout,
      value: BigInt(u.value),
      confirmed: u.status.confirmed,
      blockHeight: u.status.confirmed ? (u.status.block_height ?? null) : null,
      blockHash: u.status.confirmed ? (u.status.block_hash ?? null) : null,
      blockTime: u.status.confirmed ? (u.status.block_time ?? null) : null,
    }));
  }

  /**
   * Confirmed balance: the UTXOs whose confirmations (tip.height − block_height + 1) are ≥ minConfirmations.
   * `tip` defaults to a fresh {@link tip}; pass one to evaluate many addresses against the same snapshot.
   */
  async confirmedBalance(address: string, minConfirmations: number, tip?: Tip): Promise<ConfirmedBalance> {
    if (!Number.isSafeInteger(minConfirmations) || minConfirmations < 1) {
      throw new UserInputError(`minConfirmations must be an integer ≥ 1, got ${minConfirmations}`);
    }
    const at = tip ?? (await this.tip());
    const utxos = await this.addressUtxos(address);
    let sats = 0n;
    let pendingSats = 0n;
    let utxoCount = 0;
    for (const u of utxos) {
      const confirmations = u.blockHeight === null ? 0 : at.height - u.blockHeight + 1;
      if (confirmations >= minConfirmations) {
        sats += u.value;
        utxoCount += 1;
      } else {
        pendingSats += u.value;
      }
    }
    return {
      address,
      sats,
      minConfirmations,
      tipHeight: at.height,
      tipHash: at.hash,
      utxoCount,
      pendingSats,
    };
  }

  /**
   * One page of history, newest first. Without `lastSeenTxid`: GET /address/:a/txs (mempool + newest 25
   * confirmed); with it: GET /address/:a/txs/chain/:lastSeenTxid (the next 25 confirmed).
   */
  async addressHistory(address: string, lastSeenTxid?: string): Promise<EsploraTx[]> {
    const a = encodeURIComponent(this.#address(address));
    if (lastSeenTxid !== undefined && !HEX64.test(lastSeenTxid))
      throw new UserInputError(`invalid txid "${lastSeenTxid}"`);
    const path = lastSeenTxid === undefined ? `/address/${a}/txs` : `/address/${a}/txs/chain/${lastSeenTxid}`;
    const { url, json } = await this.#getJson(path);
    return validateTxs(url, json);
  }

  /** Every transaction of the address (mempool first, then confirmed newest first), following pagination. */
  async allAddressHistory(address: string, options: { maxTxs?: number } = {}): Promise<EsploraTx[]> {
    const maxTxs = options.maxTxs ?? 10_000;
    const all = await this.addressHistory(address);
    let page = all.filter((t) => t.status.confirmed);
    while (page.length === ESPLORA_CHAIN_PAGE && all.length < maxTxs) {
      const last = page[page.length - 1] as EsploraTx;
      page = await this.addressHistory(address, last.txid);
      all.push(...page);
    }
    return all.slice(0, maxTxs);
  }

  /**
   * Confirmed balances of many addresses at one tip, with at most `concurrency` requests in flight.
   * The tip hash is re-read after the scan; if it moved, the scan is repeated once, then BackendError.
   */
  async balances(addresses: readonly string[], minConfirmations: number): Promise<BalancesResult> {
    for (const a of addresses) this.#address(a);
    for (let attempt = 0; attempt < 2; attempt++) {
      const tip = await this.tip();
      const balances = await mapLimit(addresses, this.concurrency, (a) =>
        this.confirmedBalance(a, minConfirmations, tip),
      );
      const after = await this.tipHash();
      if (after === tip.hash) return { tipHeight: tip.height, tipHash: tip.hash, minConfirmations, balances };
    }
    throw new BackendError(
      `tip of ${this.baseUrl} moved twice during a balance scan; retry later`,
      "BACKEND_TIP_MOVED",
    );
  }

  // ------------------------------------------------------ blocks and proofs

  /** The 80-byte header of a block, hex; checked to hash to `hash` (a backend cannot answer another block's). */
  async blockHeader(hash: string): Promise<string> {
    const { url, body } = await this.#get(`/block/${this.#txidOrHash(hash, "block hash")}/header`);
    const header = body.trim();
    if (!/^[0-9a-f]{160}$/.test(header)) malformed(url, "expected an 80-byte header in hex");
    if (headerHash(hex.decode(header)) !== hash) malformed(url, `the header does not hash to ${hash}`);
    return header;
  }

  /** The txids of a block in order, its coinbase first. */
  async blockTxids(hash: string): Promise<string[]> {
    const { url, json } = await this.#getJson(`/block/${this.#txidOrHash(hash, "block hash")}/txids`);
    if (
      !Array.isArray(json) ||
      json.length === 0 ||
      !json.every((t) => typeof t === "string" && HEX64.test(t))
    )
      malformed(url, "expected a non-empty JSON array of txids");
    return json as string[];
  }

  /** The txid at `index` of a block (index 0: its coinbase). */
  async blockTxidAt(hash: string, index: number): Promise<string> {
    if (!Number.isSafeInteger(index) || index < 0)
      throw new UserInputError(`invalid transaction index ${index}`);
    const { url, body } = await this.#get(`/block/${this.#txidOrHash(hash, "block hash")}/txid/${index}`);
    return this.#hash(url, body);
  }

  /** A transaction's raw hex; checked to hash (non-witness serialization) to `txid`. */
  async txHex(txid: string): Promise<string> {
    const { url, body } = await this.#get(`/tx/${this.#txidOrHash(txid, "txid")}/hex`);
    const raw = body.trim();
    let id: string;
    try {
      id = txidOf(raw);
    } catch (error) {
      return malformed(url, (error as Error).message);
    }
    if (id !== txid) malformed(url, `the transaction hashes to ${id}, not ${txid}`);
    return raw;
  }

  /** Whether and where a transaction is confirmed. */
  async txStatus(txid: string): Promise<EsploraTxStatus> {
    const { url, json } = await this.#getJson(`/tx/${this.#txidOrHash(txid, "txid")}/status`);
    return validateStatus(url, json, "tx");
  }

  /** A confirmed transaction's Merkle branch (Esplora's `/tx/:txid/merkle-proof`: display-order hashes, leaf up). */
  async txMerkleProof(txid: string): Promise<EsploraMerkleProof> {
    const { url, json } = await this.#getJson(`/tx/${this.#txidOrHash(txid, "txid")}/merkle-proof`);
    if (
      !isObject(json) ||
      !Number.isSafeInteger(json.block_height) ||
      !Number.isSafeInteger(json.pos) ||
      !Array.isArray(json.merkle) ||
      !json.merkle.every((h) => typeof h === "string" && HEX64.test(h))
    )
      malformed(url, "expected {block_height, merkle, pos}");
    return json as unknown as EsploraMerkleProof;
  }

  // ---------------------------------------------------------------- internals

  #address(address: string): string {
    return this.network === undefined ? address : parseAddress(address, this.network).address;
  }

  #txidOrHash(value: string, what: string): string {
    if (!HEX64.test(value)) throw new UserInputError(`invalid ${what} "${value}"`);
    return value;
  }

  #hash(url: string, body: string): string {
    const hash = body.trim();
    if (!HEX64.test(hash))
      malformed(url, `expected a 64-hex block hash, got ${JSON.stringify(body.slice(0, 80))}`);
    return hash;
  }

  async #getJson(path: string): Promise<{ url: string; json: unknown }> {
    const { url, body } = await this.#get(path);
    try {
      return { url, json: JSON.parse(body) as unknown };
    } catch (error) {
      return malformed(url, (error as Error).message);
    }
  }

  async #get(path: string): Promise<{ url: string; body: string }> {
    const url = `${this.baseUrl}${path}`;
    for (let attempt = 0; ; attempt++) {
      try {
        return { url, body: await this.#attempt(url) };
      } catch (error) {
        if (!(error instanceof RetryableError) || attempt >= this.retries) {
          this.#stats.failures += 1;
          if (error instanceof RetryableError) {
            throw new BackendError(
              `${error.message} (after ${attempt + 1} attempts)`,
              error.code,
              error.status,
            );
          }
          throw error;
        }
        this.#stats.retries += 1;
        const backoff = Math.min(this.backoffMs * 2 ** attempt, this.maxBackoffMs);
        await sleep(Math.max(backoff, Math.min(error.waitMs ?? 0, this.maxRetryAfterMs)));
      }
    }
  }

  async #attempt(url: string): Promise<string> {
    await this.#semaphore.acquire();
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    try {
      this.#stats.requests += 1;
      let response: HttpAnswer;
      try {
        response = await httpGet(url, this.#agent, controller.signal);
      } catch (error) {
        if (controller.signal.aborted) {
          throw new RetryableError(`GET ${url} timed out after ${this.timeoutMs} ms`, "BACKEND_TIMEOUT");
        }
        throw new RetryableError(`GET ${url} failed: ${fetchErrorDetail(error)}`, "BACKEND_UNREACHABLE");
      }
      const { body } = response;
      if (response.status >= 200 && response.status < 300) return body;
      const snippet = body.slice(0, 200).replace(/\s+/g, " ").trim();
      if (response.status === 429) {
        throw new RetryableError(
          `GET ${url} rate limited (HTTP 429)`,
          "BACKEND_RATE_LIMITED",
          429,
          retryAfterMs(response.retryAfter),
        );
      }
      if (response.status >= 500) {
        throw new RetryableError(
          `GET ${url} → HTTP ${response.status}: ${snippet}`,
          "BACKEND_HTTP",
          response.status,
          retryAfterMs(response.retryAfter),
        );
      }
      throw new BackendError(
        `GET ${url} → HTTP ${response.status}: ${snippet}`,
        "BACKEND_HTTP",
        response.status,
      );
    } finally {
      clearTimeout(timer);
      this.#semaphore.release();
    }
  }
}

export interface MultiEsploraOptions {
  /** Backend clients, or base URLs (each then gets `clientOptions`). */
  backends: Array<EsploraClient | string>;
  clientOptions?: Omit<EsploraClientOptions, "baseUrl">;
  /** Backends that must agree (same tip hash and same sats). Default: a strict majority. */
  quorum?: number;
}

export interface AgreedBalance extends ConfirmedBalance {
  /** Backends that agreed / that were asked. */
  agreeing: number;
  backends: number;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Several Esplora backends behind an agreement rule: a balance is reported only when at least `quorum`
 * backends report the same sats at the same tip hash; otherwise `BackendError("backends disagree …")`
 * (code BACKEND_DISAGREE) or, when too few answer, `BackendError("only k of n backends answered …")`.
 */
export class MultiEsplora {
  readonly clients: EsploraClient[];
  readonly quorum: number;

  constructor(options: MultiEsploraOptions) {
    if (options.backends.length === 0) throw new UserInputError("at least one Esplora backend is required");
    this.clients = options.backends.map((b) =>
      typeof b === "string" ? new EsploraClient({ ...options.clientOptions, baseUrl: b }) : b,
    );
    this.quorum = options.quorum ?? Math.floor(this.clients.length / 2) + 1;
    if (!Number.isInteger(this.quorum) || this.quorum < 1 || this.quorum > this.clients.length) {
      throw new UserInputError(`quorum must be between 1 and ${this.clients.length}, got ${this.quorum}`);
    }
  }

  async confirmedBalance(address: string, minConfirmations: number): Promise<AgreedBalance> {
    const settled = await Promise.allSettled(
      this.clients.map((c) => c.confirmedBalance(address, minConfirmations)),
    );
    const answers: Array<{ url: string; balance: ConfirmedBalance }> = [];
    const failures: string[] = [];
    settled.forEach((s, i) => {
      const url = (this.clients[i] as EsploraClient).baseUrl;
      if (s.status === "fulfilled") answers.push({ url, balance: s.value });
      else failures.push(`${url}: ${describe(s.reason)}`);
    });
    if (answers.length < this.quorum) {
      throw new BackendError(
        `only ${answers.length} of ${this.clients.length} backends answered (quorum ${this.quorum}): ${failures.join("; ")}`,
        "BACKEND_NO_QUORUM",
      );
    }
    const groups = new Map<string, Array<{ url: string; balance: ConfirmedBalance }>>();
    for (const a of answers) {
      const key = `${a.balance.tipHash}:${a.balance.sats}`;
      groups.set(key, [...(groups.get(key) ?? []), a]);
    }
    const best = [...groups.values()].sort((x, y) => y.length - x.length)[0] ?? [];
    const winner = best[0];
    if (winner === undefined || best.length < this.quorum) {
      const views = answers.map(
        (a) =>
          `${a.url} says ${a.balance.sats} sats at ${a.balance.tipHeight}/${a.balance.tipHash.slice(0, 16)}…`,
      );
      throw new BackendError(
        `backends disagree on ${address} (quorum ${this.quorum} of ${this.clients.length}): ${views.join("; ")}`,
        "BACKEND_DISAGREE",
      );
    }
    return { ...winner.balance, agreeing: best.length, backends: this.clients.length };
  }

  /** Agreed confirmed balances of many addresses: backends must share one tip hash (quorum) and agree per address. */
  async balances(
    addresses: readonly string[],
    minConfirmations: number,
  ): Promise<BalancesResult & { agreeing: number }> {
    const settled = await Promise.allSettled(
      this.clients.map((c) => c.balances(addresses, minConfirmations)),
    );
    const byTip = new Map<string, BalancesResult[]>();
    const failures: string[] = [];
    settled.forEach((s, i) => {
      if (s.status === "fulfilled")
        byTip.set(s.value.tipHash, [...(byTip.get(s.value.tipHash) ?? []), s.value]);
      else failures.push(`${(this.clients[i] as EsploraClient).baseUrl}: ${describe(s.reason)}`);
    });
    const answered = [...byTip.values()].reduce((n, g) => n + g.length, 0);
    if (answered < this.quorum) {
      throw new BackendError(
        `only ${answered} of ${this.clients.length} backends answered (quorum ${this.quorum}): ${failures.join("; ")}`,
        "BACKEND_NO_QUORUM",
      );
    }
    const group = [...byTip.values()].sort((x, y) => y.length - x.length)[0] ?? [];
    const first = group[0];
    if (first === undefined || group.length < this.quorum) {
      throw new BackendError(
        `backends disagree on the tip: ${[...byTip.entries()].map(([h, g]) => `${g.length}× ${h.slice(0, 16)}…`).join(", ")}`,
        "BACKEND_DISAGREE",
      );
    }
    const agreed = first.balances.map((b, i) => {
      const votes = new Map<bigint, number>();
      for (const g of group) {
        const sats = g.balances[i]?.sats;
        if (sats !== undefined) votes.set(sats, (votes.get(sats) ?? 0) + 1);
      }
      const [sats, count] = [...votes.entries()].sort((x, y) => y[1] - x[1])[0] ?? [0n, 0];
      if (count < this.quorum) {
        const views = group.map((g) => String(g.balances[i]?.sats)).join(" vs ");
        throw new BackendError(
          `backends disagree on ${b.address} at ${first.tipHash}: ${views} sats`,
          "BACKEND_DISAGREE",
        );
      }
      return group.find((g) => g.balances[i]?.sats === sats)?.balances[i] ?? b;
    });
    return { ...first, balances: agreed, agreeing: group.length };
  }
}
