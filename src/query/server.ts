import type { ServerResponse } from "node:http";

import cors from "@fastify/cors";
import Fastify from "fastify";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

import { BackendError, UserInputError } from "../errors.js";
import {
  isPageOrHealthRoute,
  notFoundLimit,
  registerAbuseLimits,
  resolveLimits,
  serverLimitOptions,
} from "../http/limits.js";
import type { AbuseLimits } from "../http/limits.js";
import { parseUser, queryKey, runQuery, validateParams } from "./query.js";
import type { RawParams } from "./query.js";
import type { ChainEventStream, StreamEvent } from "./stream.js";
import type { QueryName, QueryParams, QuerySource } from "./types.js";
import { QUERY_NAMES } from "./types.js";

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
   * operator dashboard here (`/`, `/api/dashboard/*`, per-route latency; src/dashboard/serve.ts).
   */
  routes?: (app: FastifyInstance) => Promise<unknown>;
}

export interface RunningServer {
  url: string;
  app: FastifyInstance;
  close(): Promise<void>;
}

interface ErrorBody {
  error: { code: string; message: string };
}

function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}

/**
 * `realtime:serve`: the eight queries at `GET /api/realtime/<name>`, the SSE event stream, `/healthz`, the caller's
 * `routes` (the operator dashboard); CORS, a per-client rate limit (429), size limits and a connection cap, an
 * in-flight limit (503 beyond it), a per-head-block answer cache with request coalescing, JSON errors.
 */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const { source, stream } = options;
  const maxInFlight = options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
  const cacheEntries = options.cacheEntries ?? DEFAULT_CACHE_ENTRIES;
  const limits = resolveLimits(options.limits);
  const app = Fastify({ logger: false, forceCloseConnections: true, ...serverLimitOptions(limits) });
  await app.register(cors, { origin: options.corsOrigin ?? "*", methods: ["GET", "HEAD", "OPTIONS"] });
  await registerAbuseLimits(app, limits, undefined, isPageOrHealthRoute);

  // ---- head tracking and cache ----------------------------------------------------------------------------------
  let headCache: { at: number; value: Promise<number> } | undefined;
  const currentHead = (): Promise<number> => {
    // The store's answers move with its checkpoint, not the chain head (the indexer may be a block behind).
    if (stream !== undefined && source.kind !== "postgres") return stream.head();
    const now = Date.now();
    if (headCache === undefined || now - headCache.at > HEAD_TTL_MS) {
      headCache = { at: now, value: source.head() };
      headCache.value.catch(() => (headCache = undefined));
    }
    return headCache.value;
  };
  // Answers are cached as serialized JSON per (query, params, head block); concurrent identical requests share one
  // computation (the promise is cached before it settles).
  const cache = new Map<string, { head: number; value: Promise<string> }>();
  const compute = async (name: QueryName, params: QueryParams): Promise<string> =>
    JSON.stringify(await runQuery(source, name, params));
  const answer = async (name: QueryName, raw: RawParams): Promise<string> => {
    const params = validateParams(name, raw);
    if (options.noCache === true) return compute(name, params);
    const head = await currentHead();
    const key = queryKey(name, params);
    const hit = cache.get(key);
    if (hit !== undefined && hit.head === head) return hit.value;
    if (cache.size >= cacheEntries) cache.clear();
    const value = compute(name, params);
    cache.set(key, { head, value });
    value.catch(() => cache.delete(key));
    return value;
  };

  // ---- bounded concurrency -------------------------------------------------------------------------------------
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

  // ---- errors ---------------------------------------------------------------------------------------------------
  app.setNotFoundHandler(notFoundLimit(app, limits), async (request, reply) =>
    reply
      .code(404)
      .send(errorBody("NOT_FOUND", `no route ${request.method} ${request.url.split("?")[0] ?? ""}`)),
  );
  app.setErrorHandler(async (error: unknown, _request, reply) => {
    if (error instanceof UserInputError) return reply.code(400).send(errorBody(error.code, error.message));
    if (error instanceof BackendError) return reply.code(502).send(errorBody(error.code, error.message));
    const e = error as { statusCode?: number; message?: string; code?: string };
    if (typeof e.statusCode === "number" && e.statusCode >= 400 && e.statusCode < 500) {
      return reply.code(e.statusCode).send(errorBody(e.code ?? "BAD_REQUEST", e.message ?? "bad request"));
    }
    return reply.code(500).send(errorBody("INTERNAL", e.message?.split("\n")[0] ?? "internal error"));
  });

  // ---- routes ---------------------------------------------------------------------------------------------------
  await options.routes?.(app);
  app.get("/healthz", async () => {
    const head = await currentHead();
    return { status: "ok", source: source.kind, head, inFlight, streamClients: clients.size };
  });
  for (const name of QUERY_NAMES) {
    app.get(`/api/realtime/${name}`, async (request: FastifyRequest<{ Querystring: RawParams }>, reply) =>
      reply.type("application/json; charset=utf-8").send(await answer(name, request.query)),
    );
  }

  const clients = new Set<ServerResponse>();
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
          : parseUser(request.query.user);
      const origin = Array.isArray(options.corsOrigin)
        ? options.corsOrigin.join(" ")
        : (options.corsOrigin ?? "*");
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
      const cleanup = () => {
        clearInterval(keepalive);
        unsubscribe();
        clients.delete(raw);
      };
      raw.on("close", cleanup);
      return reply;
    },
  );

  await app.listen({ host: options.host ?? "127.0.0.1", port: options.port ?? 0 });
  if (stream !== undefined) await stream.start();
  const address = app.server.address();
  const port = typeof address === "object" && address !== null ? address.port : (options.port ?? 0);
  const host = options.host ?? "127.0.0.1";
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
