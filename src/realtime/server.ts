import type { ServerResponse } from "node:http";

import cors from "@fastify/cors";
import Fastify from "fastify";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

import { errorBody, registerErrorHandling } from "../http/errors.js";
import {
  isPageOrHealthRoute,
  notFoundLimit,
  registerAbuseLimits,
  resolveLimits,
  serverLimitOptions,
} from "../http/limits.js";
import type { AbuseLimits } from "../http/limits.js";
import { parseUser, queryKey, runQuery, validateParams } from "../query/query.js";
import type { RawParams } from "../query/query.js";
import type { ChainEventStream, StreamEvent } from "../query/stream.js";
import type { QueryName, QueryParams, QuerySource } from "../query/types.js";
import { QUERY_NAMES } from "../query/types.js";

/** Requests served at once before new ones get 503 (the stream's long-lived connections are not counted). */
export const DEFAULT_MAX_IN_FLIGHT = 512;
/** Cached answers kept (per head block; older heads are dropped as the chain moves). */
export const DEFAULT_CACHE_ENTRIES = 10_000;
/** SSE comment sent to idle stream clients so proxies keep the connection. */
const KEEPALIVE_MS = 15_000;
/** Head re-read interval when no chain stream drives the cache (subgraph source without a node). */
const HEAD_TTL_MS = 250;

export interface ServeOptions {
  source: QuerySource;
  /** Drives `/api/realtime/stream` and the cache key; without it the stream route answers 503. */
  stream?: ChainEventStream;
  host?: string;
  port?: number;
  maxInFlight?: number;
  cacheEntries?: number;
  /** Allowed CORS origin(s); default any (`*`). */
  corsOrigin?: string | string[];
  /** Disable the per-block answer cache (benchmarks of the uncached path). */
  noCache?: boolean;
  /** Rate limit, size limits and connection cap (src/http/limits.ts defaults for what is not given). */
  limits?: Partial<AbuseLimits>;
  /**
   * Routes and hooks registered before the query routes, so the hooks see every route: `realtime:serve` adds the
   * operator dashboard here (`/`, `/api/dashboard/*`, per-route latency; src/realtime/serve.ts).
   */
  routes?: (app: FastifyInstance) => Promise<unknown>;
}

export interface RunningServer {
  url: string;
  app: FastifyInstance;
  close(): Promise<void>;
}

/**
 * Answers a query as serialized JSON, cached per (query, params, head block); concurrent identical requests share
 * one computation (the promise is cached before it settles).
 */
class AnswerCache {
  readonly #cache = new Map<string, { head: number; value: Promise<string> }>();
  #headCache: { at: number; value: Promise<number> } | undefined;

  constructor(
    private readonly source: QuerySource,
    private readonly stream: ChainEventStream | undefined,
    private readonly maxEntries: number,
    private readonly noCache: boolean,
  ) {}

  /** The head block answers are cached at. */
  head(): Promise<number> {
    // The store's answers move with its checkpoint, not the chain head (the indexer may be a block behind).
    if (this.stream !== undefined && this.source.kind !== "postgres") return this.stream.head();
    const now = Date.now();
    if (this.#headCache === undefined || now - this.#headCache.at > HEAD_TTL_MS) {
      const cached = { at: now, value: this.source.head() };
      this.#headCache = cached;
      cached.value.catch(() => (this.#headCache = undefined));
    }
    return this.#headCache.value;
  }

  async answer(name: QueryName, raw: RawParams): Promise<string> {
    const params = validateParams(name, raw, "query");
    if (this.noCache) return this.#compute(name, params);
    const head = await this.head();
    const key = queryKey(name, params);
    const hit = this.#cache.get(key);
    if (hit !== undefined && hit.head === head) return hit.value;
    if (this.#cache.size >= this.maxEntries) this.#cache.clear();
    const value = this.#compute(name, params);
    this.#cache.set(key, { head, value });
    value.catch(() => this.#cache.delete(key));
    return value;
  }

  async #compute(name: QueryName, params: QueryParams): Promise<string> {
    return JSON.stringify(await runQuery(this.source, name, params));
  }
}

/** At most `maxInFlight` requests at once (the stream's long-lived connections aside); beyond it 503. */
function registerInFlightLimit(app: FastifyInstance, maxInFlight: number): { current(): number } {
  let inFlight = 0;
  const counted = new WeakSet<FastifyRequest>();
  app.addHook("onRequest", async (request, reply) => {
    if (request.url.startsWith("/api/realtime/stream")) return;
    if (inFlight >= maxInFlight) {
      await reply
        .code(503)
        .header("retry-after", "1")
        .send(errorBody("OVERLOADED", `more than ${maxInFlight} requests in flight; retry shortly`));
      return reply;
    }
    inFlight += 1;
    counted.add(request);
  });
  const release = async (request: FastifyRequest) => {
    if (counted.delete(request)) inFlight -= 1;
  };
  app.addHook("onResponse", release);
  app.addHook("onRequestAbort", release);
  return { current: () => inFlight };
}

/** `/api/realtime/stream`: the chain's events as SSE (optionally one user's), a head line per block, keepalives. */
function registerStreamRoute(
  app: FastifyInstance,
  stream: ChainEventStream | undefined,
  corsOrigin: ServeOptions["corsOrigin"],
  clients: Set<ServerResponse>,
): void {
  app.get(
    "/api/realtime/stream",
    async (request: FastifyRequest<{ Querystring: { user?: string } }>, reply: FastifyReply) => {
      if (stream === undefined) {
        return reply
          .code(503)
          .send(errorBody("NO_STREAM", "this server has no chain connection to stream from"));
      }
      const user =
        request.query.user === undefined || request.query.user === ""
          ? undefined
          : parseUser(request.query.user, "user", "query");
      const origin = Array.isArray(corsOrigin) ? corsOrigin.join(" ") : (corsOrigin ?? "*");
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache, no-transform",
        connection: "keep-alive",
        "x-accel-buffering": "no",
        "access-control-allow-origin": origin,
      });
      raw.write(`retry: 1000\n: connected at block ${await stream.head()}\n\n`);
      clients.add(raw);
      streamTo(raw, stream, user, clients);
      return reply;
    },
  );
}

/** Writes the stream's events (those of `user` when given) and heads to one client until it disconnects. */
function streamTo(
  raw: ServerResponse,
  stream: ChainEventStream,
  user: string | undefined,
  clients: Set<ServerResponse>,
): void {
  const send = (events: StreamEvent[], head: number) => {
    let chunk = "";
    for (const e of events) {
      if (user !== undefined && e.user !== user && !Object.values(e.args).includes(user)) continue;
      chunk += `id: ${e.id}\nevent: ${e.event}\ndata: ${JSON.stringify(e)}\n\n`;
    }
    chunk += `event: head\ndata: {"block":${head}}\n\n`;
    raw.write(chunk);
  };
  const unsubscribe = stream.subscribe(send);
  const keepalive = setInterval(() => raw.write(": keepalive\n\n"), KEEPALIVE_MS);
  raw.on("close", () => {
    clearInterval(keepalive);
    unsubscribe();
    clients.delete(raw);
  });
}

/** Listens, starts the chain stream, and returns the server with a close that ends every stream client first. */
async function listen(
  app: FastifyInstance,
  options: ServeOptions,
  clients: Set<ServerResponse>,
): Promise<RunningServer> {
  const { stream } = options;
  const host = options.host ?? "127.0.0.1";
  await app.listen({ host, port: options.port ?? 0 });
  if (stream !== undefined) await stream.start();
  const address = app.server.address();
  const port = typeof address === "object" && address !== null ? address.port : (options.port ?? 0);
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    app,
    close: () => {
      closing ??= (async () => {
        stream?.stop();
        for (const c of clients) c.end();
        clients.clear();
        await app.close();
      })();
      return closing;
    },
  };
}

/**
 * `realtime:serve`: the eight queries at `GET /api/realtime/<name>`, the SSE event stream, `/healthz`, the caller's
 * `routes` (the operator dashboard); CORS, a per-client rate limit (429), size limits and a connection cap, an
 * in-flight limit (503 beyond it), a per-head-block answer cache with request coalescing, JSON errors.
 */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const { source, stream } = options;
  const limits = resolveLimits(options.limits);
  const app = Fastify({ logger: false, forceCloseConnections: true, ...serverLimitOptions(limits) });
  await app.register(cors, { origin: options.corsOrigin ?? "*", methods: ["GET", "HEAD", "OPTIONS"] });
  await registerAbuseLimits(app, limits, undefined, isPageOrHealthRoute);
  const cache = new AnswerCache(
    source,
    stream,
    options.cacheEntries ?? DEFAULT_CACHE_ENTRIES,
    options.noCache === true,
  );
  const inFlight = registerInFlightLimit(app, options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT);
  registerErrorHandling(app, { limits, notFound: notFoundLimit(app, limits) });

  await options.routes?.(app);
  const clients = new Set<ServerResponse>();
  app.get("/healthz", async () => {
    const head = await cache.head();
    return {
      status: "ok",
      source: source.kind,
      head,
      inFlight: inFlight.current(),
      streamClients: clients.size,
    };
  });
  for (const name of QUERY_NAMES) {
    app.get(`/api/realtime/${name}`, async (request: FastifyRequest<{ Querystring: RawParams }>, reply) =>
      reply.type("application/json; charset=utf-8").send(await cache.answer(name, request.query)),
    );
  }
  registerStreamRoute(app, stream, options.corsOrigin, clients);
  return listen(app, options, clients);
}
