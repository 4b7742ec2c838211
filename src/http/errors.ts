/**
 * The one error contract of every HTTP server of ReserveBTC (the realtime API with the dashboard, the operator
 * node): each error is `{ "error": { "code", "message" } }` with its status — our own errors, Fastify's (no
 * `FST_ERR_*` code leaves the server), Node's HTTP parser's (431, 408, 400 written on the socket), unknown routes
 * (404) and wrong methods (405 with `Allow`). docs/queries.md § HTTP errors.
 */
import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";

import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

import { BackendError, UserInputError } from "../errors.js";

/** The JSON body of every error answer. */
export interface ErrorBody {
  error: { code: string; message: string };
}

export function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}

/** An error answer: status, body fields and extra headers. */
export interface HttpFailure {
  status: number;
  code: string;
  message: string;
  headers?: Record<string, string>;
}

/** The limits an error message quotes. */
export interface ErrorLimits {
  bodyLimitBytes: number;
  maxHeaderBytes: number;
}

/** Fastify's own request errors, by their code, as the API's code and message. */
const FASTIFY_ERRORS: Record<string, (limits: ErrorLimits) => Omit<HttpFailure, "headers">> = {
  FST_ERR_CTP_EMPTY_JSON_BODY: () => ({
    status: 400,
    code: "EMPTY_BODY",
    message: "the content-type is application/json but the body is empty",
  }),
  FST_ERR_CTP_INVALID_JSON_BODY: () => ({
    status: 400,
    code: "BAD_JSON",
    message: "the content-type is application/json but the body is not valid JSON",
  }),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () => ({
    status: 415,
    code: "UNSUPPORTED_MEDIA_TYPE",
    message: "unsupported content-type: request bodies are application/json",
  }),
  FST_ERR_CTP_BODY_TOO_LARGE: (limits) => ({
    status: 413,
    code: "BODY_TOO_LARGE",
    message: `request body larger than ${limits.bodyLimitBytes} bytes`,
  }),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () => ({
    status: 400,
    code: "BAD_CONTENT_LENGTH",
    message: "the body's size does not match its content-length",
  }),
  FST_ERR_BAD_URL: () => ({ status: 400, code: "BAD_URL", message: "the request target is not a valid URL" }),
  FST_ERR_INVALID_URL: () => ({
    status: 400,
    code: "BAD_URL",
    message: "the request target is not a valid URL",
  }),
};

/** `Payload Too Large` → `PAYLOAD_TOO_LARGE`: the code of a 4xx nobody named. */
function statusCode(status: number): string {
  return (STATUS_CODES[status] ?? "Bad Request").toUpperCase().replace(/[^A-Z0-9]+/g, "_");
}

/**
 * What to answer for an error thrown by a route, a hook or Fastify itself: 400 for bad input, 502 for a failing
 * backend, 400 for a schema violation, Fastify's errors under our codes, other 4xx under their own code (rate
 * limit: RATE_LIMITED) and anything else 500 INTERNAL with the first line of its message.
 */
export function describeHttpError(error: unknown, limits: ErrorLimits): HttpFailure {
  if (error instanceof UserInputError) return { status: 400, code: error.code, message: error.message };
  if (error instanceof BackendError) return { status: 502, code: error.code, message: error.message };
  const e = (error ?? {}) as {
    statusCode?: unknown;
    message?: unknown;
    code?: unknown;
    validation?: unknown;
  };
  const message = typeof e.message === "string" ? e.message : "";
  if (e.validation !== undefined)
    return { status: 400, code: "BAD_REQUEST", message: message || "bad request" };
  const fastify = typeof e.code === "string" ? FASTIFY_ERRORS[e.code] : undefined;
  if (fastify !== undefined) return fastify(limits);
  if (typeof e.statusCode === "number" && e.statusCode >= 400 && e.statusCode < 500) {
    const ours = typeof e.code === "string" && !e.code.startsWith("FST_");
    return {
      status: e.statusCode,
      code: ours ? (e.code as string) : statusCode(e.statusCode),
      message: (ours && message) || (STATUS_CODES[e.statusCode] ?? "bad request").toLowerCase(),
    };
  }
  return { status: 500, code: "INTERNAL", message: message.split("\n")[0] || "internal error" };
}

export function sendFailure(reply: FastifyReply, failure: HttpFailure): FastifyReply {
  if (failure.headers !== undefined) void reply.headers(failure.headers);
  return reply.code(failure.status).send(errorBody(failure.code, failure.message));
}

/**
 * Errors Node's HTTP parser raises before Fastify sees a request (a request line and headers over
 * `maxHeaderBytes` — a long query string counts —, a client too slow to send its request, a malformed request),
 * written on the socket in the API's shape. Fastify's `clientErrorHandler` option.
 */
export function clientErrorHandler(
  limits: ErrorLimits,
): (error: Error & { code?: string }, socket: Socket) => void {
  return (error, socket) => {
    if (error.code === "ECONNRESET" || socket.destroyed) return;
    const failure: Omit<HttpFailure, "headers"> =
      error.code === "HPE_HEADER_OVERFLOW"
        ? {
            status: 431,
            code: "HEADERS_TOO_LARGE",
            message: `request line and headers larger than ${limits.maxHeaderBytes} bytes`,
          }
        : error.code === "ERR_HTTP_REQUEST_TIMEOUT"
          ? { status: 408, code: "REQUEST_TIMEOUT", message: "the request was not received in time" }
          : { status: 400, code: "BAD_REQUEST", message: "malformed HTTP request" };
    const body = JSON.stringify(errorBody(failure.code, failure.message));
    if (socket.writable) {
      socket.write(
        `HTTP/1.1 ${failure.status} ${STATUS_CODES[failure.status] ?? ""}\r\nconnection: close\r\n` +
          `content-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
    }
    socket.destroy(error);
  };
}

/** Options of {@link registerErrorHandling}. */
export interface ErrorHandlingOptions {
  limits: ErrorLimits;
  /** Route options of the not-found/405 answer: the rate limit's preHandler, so URL scanning is throttled too. */
  notFound?: { preHandler?: ReturnType<FastifyInstance["rateLimit"]> };
  /** The server's own errors (checked first); undefined → the common mapping ({@link describeHttpError}). */
  classify?: (error: unknown, request: FastifyRequest) => HttpFailure | undefined;
  /** Called for every 500 (logging). */
  onInternal?: (error: unknown, request: FastifyRequest, failure: HttpFailure) => void;
}

/**
 * Installs the error contract on `app`: the error handler, a not-found handler that answers 405 with `Allow` for a
 * path that exists under other methods and 404 otherwise. Call before any route (it learns the routes as they are
 * added).
 */
export function registerErrorHandling(app: FastifyInstance, options: ErrorHandlingOptions): void {
  const methodsByPath = new Map<string, Set<string>>();
  app.addHook("onRoute", (route) => {
    if (/[:*(]/.test(route.url)) return; // parametric and wildcard routes (CORS preflight) are not listed
    const methods = methodsByPath.get(route.url) ?? new Set<string>();
    for (const method of [route.method].flat()) methods.add(method);
    methodsByPath.set(route.url, methods);
  });

  app.setNotFoundHandler(options.notFound ?? {}, async (request, reply) => {
    const path = request.url.split("?")[0] ?? "";
    const allowed = methodsByPath.get(path);
    if (allowed !== undefined && !allowed.has(request.method)) {
      const allow = [...allowed].sort().join(", ");
      return sendFailure(reply, {
        status: 405,
        code: "METHOD_NOT_ALLOWED",
        message: `${request.method} is not allowed on ${path}: use ${allow}`,
        headers: { allow },
      });
    }
    return sendFailure(reply, {
      status: 404,
      code: "NOT_FOUND",
      message: `no route ${request.method} ${path}`,
    });
  });

  app.setErrorHandler(async (error: unknown, request, reply) => {
    const failure = options.classify?.(error, request) ?? describeHttpError(error, options.limits);
    if (failure.status >= 500 && failure.code === "INTERNAL") options.onInternal?.(error, request, failure);
    return sendFailure(reply, failure);
  });
}
