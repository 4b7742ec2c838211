import rateLimit from "@fastify/rate-limit";
import type { FastifyInstance, FastifyRequest, FastifyServerOptions } from "fastify";

import { UserInputError } from "../errors.js";
import { clientErrorHandler, errorBody } from "./errors.js";

/** Abuse limits of the HTTP API (`realtime:serve --rate-limit … --rate-window … --max-connections …`). */
export interface AbuseLimits {
  /** Requests per client (IP) per window before 429; 0 turns rate limiting off. */
  rateLimitMax: number;
  rateLimitWindowMs: number;
  /** Largest request body accepted (the API is read-only: anything bigger is refused with 413). */
  bodyLimitBytes: number;
  /** Longest request target (path + query string) accepted, in bytes; longer → 414. */
  maxUrlBytes: number;
  /** Largest request header block (Node's maxHeaderSize); larger → 431. */
  maxHeaderBytes: number;
  /** Open TCP connections at once (SSE clients included); further connections are refused by the server. */
  maxConnections: number;
  /** Time a client has to send a whole request (slow-loris guard), in ms. */
  requestTimeoutMs: number;
}

export const DEFAULT_LIMITS: AbuseLimits = {
  rateLimitMax: 600,
  rateLimitWindowMs: 60_000,
  bodyLimitBytes: 16 * 1024,
  maxUrlBytes: 2048,
  maxHeaderBytes: 16 * 1024,
  maxConnections: 1024,
  requestTimeoutMs: 30_000,
};

/** Merges given limits over the defaults, rejecting negative or non-integer values. */
export function resolveLimits(limits: Partial<AbuseLimits> = {}): AbuseLimits {
  const merged = { ...DEFAULT_LIMITS, ...limits };
  for (const [name, value] of Object.entries(merged)) {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new UserInputError(`limit ${name} must be a non-negative integer, got ${value}`, "BAD_LIMITS");
    }
  }
  return merged;
}

/**
 * The Fastify constructor options that enforce the limits; what Node's HTTP parser refuses (431 for a request line
 * and headers over the limit, 408) is answered in the API's JSON error shape.
 */
export function serverLimitOptions(limits: AbuseLimits): FastifyServerOptions & {
  http: { maxHeaderSize: number };
} {
  return {
    bodyLimit: limits.bodyLimitBytes,
    requestTimeout: limits.requestTimeoutMs,
    http: { maxHeaderSize: limits.maxHeaderBytes },
    clientErrorHandler: clientErrorHandler(limits),
  };
}

interface ErrorLike {
  statusCode: number;
  code: string;
  message: string;
}

/**
 * Registers the per-client rate limit (@fastify/rate-limit: 429 with `retry-after` and `x-ratelimit-*` headers and
 * the API's JSON error body; clients told apart by `keyGenerator`, default their socket address), the request-target
 * size check (414) and the connection cap. Call before any route.
 */
export async function registerAbuseLimits(
  app: FastifyInstance,
  limits: AbuseLimits,
  keyGenerator?: (request: FastifyRequest) => string,
  exempt?: (request: FastifyRequest) => boolean,
): Promise<void> {
  app.server.maxConnections = limits.maxConnections;
  app.addHook("onRequest", async (request, reply) => {
    if (Buffer.byteLength(request.url) > limits.maxUrlBytes) {
      await reply
        .code(414)
        .send(errorBody("URI_TOO_LONG", `request target longer than ${limits.maxUrlBytes} bytes`));
      return reply;
    }
  });
  if (limits.rateLimitMax === 0) return;
  await app.register(rateLimit, {
    max: limits.rateLimitMax,
    timeWindow: limits.rateLimitWindowMs,
    // Default: per socket address; the operator node keys authenticated aggregators by their token's name.
    ...(keyGenerator === undefined ? {} : { keyGenerator }),
    // Requests the caller exempts (the dashboard page, its files and /healthz) never count against the API's rate.
    ...(exempt === undefined ? {} : { allowList: (request: FastifyRequest) => exempt(request) }),
    // Thrown by the plugin; the server's error handler renders it as { error: { code, message } }.
    errorResponseBuilder: (_request, context): ErrorLike => ({
      statusCode: context.statusCode,
      code: "RATE_LIMITED",
      message: `more than ${context.max} requests in ${limits.rateLimitWindowMs / 1000} s from this client; retry in ${context.after}`,
    }),
  });
}

/**
 * The realtime server's exemption: a request to a registered route outside `/api/` (the page, its assets, the icon,
 * `/healthz`) is not rate-limited with the API — a burst of API calls must not take the page or the health probe
 * down with it. Unknown paths have no route and still count (URL scanning stays throttled).
 */
export function isPageOrHealthRoute(request: FastifyRequest): boolean {
  const route = request.routeOptions.url;
  return route !== undefined && !route.startsWith("/api/");
}

/**
 * Options for `setNotFoundHandler` that count unknown routes against the client's rate too (the plugin only hooks
 * the routes that exist), so scanning for URLs is throttled like any other request.
 */
export function notFoundLimit(
  app: FastifyInstance,
  limits: AbuseLimits,
): { preHandler?: ReturnType<FastifyInstance["rateLimit"]> } {
  return limits.rateLimitMax === 0 ? {} : { preHandler: app.rateLimit() };
}
