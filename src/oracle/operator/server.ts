/**
 * The operator node's HTTP API (fastify): the four signing routes, `GET /healthz`, `GET /metrics`; JSON schemas,
 * request size limits, a per-client rate limit, an optional bearer-token allow-list for aggregators, pino JSON logs.
 * A node whose Bitcoin or chain view is unavailable answers 503 and signs nothing. docs/operations.md §12.
 */
import { createHash, timingSafeEqual } from "node:crypto";

import Fastify from "fastify";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Logger } from "pino";

import { UserInputError } from "../../errors.js";
import { errorBody, registerErrorHandling } from "../../http/errors.js";
import { notFoundLimit, registerAbuseLimits, resolveLimits, serverLimitOptions } from "../../http/limits.js";
import type { AbuseLimits } from "../../http/limits.js";
import type { Refusal } from "../refusals.js";
import { OperatorMetrics } from "./metrics.js";
import type { OperatorNode, SignOutcome } from "./node.js";
import { NotOnCommitteeError } from "./node.js";
import { BitcoinUnavailableError, ChainUnavailableError } from "./view.js";
import type { BindingBody, ReserveRoundBody, RevocationBody, SyncBatchBody } from "./wire.js";
import {
  BINDING_SCHEMA,
  RESERVE_ROUND_SCHEMA,
  REVOCATION_SCHEMA,
  SYNC_BATCH_SCHEMA,
  bindingFromWire,
  reportFromWire,
  revocationFromWire,
  roundFromWire,
} from "./wire.js";

/** The node's default limits: a 500-report batch is ≈ 130 KB of JSON; an aggregator sends a few requests a round. */
export const OPERATOR_LIMITS: Partial<AbuseLimits> = {
  bodyLimitBytes: 1024 * 1024,
  rateLimitMax: 1200,
  rateLimitWindowMs: 60_000,
  maxConnections: 256,
  requestTimeoutMs: 120_000,
};

/** One aggregator allowed to call the signing routes: a name (for logs and rate limits) and its bearer token. */
export interface ApiToken {
  name: string;
  token: string;
}

/**
 * Parses an allow-list: comma-separated `name:token` pairs (a bare token is named `token-<i>`). Tokens must be at
 * least 16 characters; the error never echoes one.
 */
export function parseApiTokens(raw: string, variable = "OPERATOR_API_TOKENS"): ApiToken[] {
  const entries = raw
    .split(",")
    .map((e) => e.trim())
    .filter((e) => e !== "");
  return entries.map((entry, i) => {
    const colon = entry.indexOf(":");
    const [name, token] =
      colon < 0 ? [`token-${i + 1}`, entry] : [entry.slice(0, colon), entry.slice(colon + 1)];
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name)) {
      throw new UserInputError(
        `${variable}: entry ${i + 1} has an invalid name (letters, digits, _ . -)`,
        "API_TOKENS",
      );
    }
    if (token.length < 16) {
      throw new UserInputError(
        `${variable}: entry ${i + 1}'s token is shorter than 16 characters`,
        "API_TOKENS",
      );
    }
    return { name, token };
  });
}

export interface OperatorServerOptions {
  node: OperatorNode;
  logger: Logger;
  host?: string;
  /** 0 = any free port. */
  port?: number;
  /** When given, the signing routes need `authorization: Bearer <token>` of one of these. */
  tokens?: readonly ApiToken[];
  limits?: Partial<AbuseLimits>;
}

export interface RunningOperatorServer {
  url: string;
  port: number;
  app: FastifyInstance;
  metrics: OperatorMetrics;
  close(): Promise<void>;
}

const sha256 = (text: string) => createHash("sha256").update(text).digest();

/** The kinds of request the node signs (metrics and logs). */
type Kind = "sync-batch" | "reserve-round" | "binding" | "revocation";

/** Most refusals written into one log line (the HTTP answer carries all of them). */
const LOGGED_REFUSALS = 20;

/** Starts the node's HTTP server; resolves once it listens. */
export async function startOperatorServer(options: OperatorServerOptions): Promise<RunningOperatorServer> {
  const { node, logger } = options;
  const limits = resolveLimits({ ...OPERATOR_LIMITS, ...options.limits });
  const metrics = new OperatorMetrics(node.protection);
  node.bitcoin.onError = () => metrics.bitcoinErrors.inc();
  const tokens = (options.tokens ?? []).map((t) => ({ name: t.name, digest: sha256(t.token) }));
  const app = Fastify({ logger: false, forceCloseConnections: true, ...serverLimitOptions(limits) });

  /** The aggregator's name when its bearer token is on the allow-list. */
  const clientOf = (request: FastifyRequest): string | undefined => {
    const header = request.headers.authorization;
    if (header === undefined || !header.startsWith("Bearer ")) return undefined;
    const given = sha256(header.slice("Bearer ".length).trim());
    return tokens.find((t) => timingSafeEqual(t.digest, given))?.name;
  };
  await registerAbuseLimits(app, limits, (request) => clientOf(request) ?? request.ip);

  app.addHook("onRequest", async (request, reply) => {
    if (!request.url.startsWith("/v1/") || tokens.length === 0) return;
    if (clientOf(request) === undefined) {
      await reply
        .code(401)
        .header("www-authenticate", 'Bearer realm="reservebtc-operator"')
        .send(errorBody("UNAUTHORIZED", "a bearer token on this node's allow-list is required"));
      return reply;
    }
  });
  app.addHook("onResponse", async (request, reply) => {
    const route = request.routeOptions.url ?? "(unknown)";
    metrics.requests.inc({ route, status: String(reply.statusCode) });
    logger.info(
      {
        event: "request",
        method: request.method,
        route,
        status: reply.statusCode,
        client: clientOf(request) ?? request.ip,
        durationMs: Math.round(reply.elapsedTime),
      },
      `${request.method} ${route} ${reply.statusCode}`,
    );
  });

  registerErrorHandling(app, {
    limits,
    notFound: notFoundLimit(app, limits),
    classify: (error) => {
      if (error instanceof NotOnCommitteeError)
        return { status: 403, code: "NOT_ON_COMMITTEE", message: error.message };
      if (error instanceof BitcoinUnavailableError || error instanceof ChainUnavailableError) {
        if (error instanceof ChainUnavailableError) metrics.chainErrors.inc();
        logger.error(
          { event: "unavailable", code: error.code, error: error.message },
          "request failed: view unavailable",
        );
        return { status: 503, code: error.code, message: error.message, headers: { "retry-after": "5" } };
      }
      return undefined;
    },
    onInternal: (_error, request, failure) =>
      logger.error({ event: "internal-error", route: request.url, error: failure.message }, "internal error"),
  });

  /** Answers a signing outcome (200 or 422), counting and logging it. */
  const answer = (kind: Kind, request: FastifyRequest, reply: FastifyReply, outcome: SignOutcome) => {
    const client = clientOf(request) ?? request.ip;
    if (outcome.kind === "signed") {
      metrics.signed.inc({ kind });
      if (kind === "sync-batch") metrics.reportsSigned.inc(outcome.items);
      metrics.lastSigned.set(Date.now() / 1000);
      metrics.onCommittee.set(1);
      logger.info(
        { event: "signed", kind, client, items: outcome.items, digest: outcome.digest },
        `signed a ${kind} (${outcome.items} item(s))`,
      );
      return reply
        .code(200)
        .send({ signer: outcome.signer, signature: outcome.signature, digest: outcome.digest });
    }
    metrics.refused.inc({ kind });
    for (const r of outcome.refusals) metrics.refusals.inc({ kind, reason: r.reason });
    logger.warn(
      {
        event: "refused",
        kind,
        client,
        items: outcome.items,
        refused: outcome.refusals.length,
        refusals: outcome.refusals.slice(0, LOGGED_REFUSALS),
      },
      `refused a ${kind}: ${summarise(outcome.refusals)}`,
    );
    return reply.code(422).send({
      error: { code: "REFUSED", message: `refused: ${summarise(outcome.refusals)}` },
      signer: outcome.signer,
      refusals: outcome.refusals,
    });
  };
  const timed = async <T>(route: string, work: () => Promise<T>): Promise<T> => {
    const end = metrics.duration.startTimer({ route });
    try {
      return await work();
    } finally {
      end();
    }
  };

  app.post<{ Body: SyncBatchBody }>(
    "/v1/sign/sync-batch",
    { schema: { body: SYNC_BATCH_SCHEMA } },
    async (request, reply) =>
      answer(
        "sync-batch",
        request,
        reply,
        await timed("/v1/sign/sync-batch", () =>
          node.signSyncBatch(request.body.reports.map(reportFromWire), BigInt(request.body.deadline)),
        ),
      ),
  );
  app.post<{ Body: ReserveRoundBody }>(
    "/v1/sign/reserve-round",
    { schema: { body: RESERVE_ROUND_SCHEMA } },
    async (request, reply) =>
      answer(
        "reserve-round",
        request,
        reply,
        await timed("/v1/sign/reserve-round", () =>
          node.signReserveRound(roundFromWire(request.body), request.body.chainBlock),
        ),
      ),
  );
  app.post<{ Body: BindingBody }>(
    "/v1/sign/binding",
    { schema: { body: BINDING_SCHEMA } },
    async (request, reply) => {
      const { request: binding, signature } = bindingFromWire(request.body);
      return answer(
        "binding",
        request,
        reply,
        await timed("/v1/sign/binding", () => node.signBinding(binding, signature)),
      );
    },
  );
  app.post<{ Body: RevocationBody }>(
    "/v1/sign/revocation",
    { schema: { body: REVOCATION_SCHEMA } },
    async (request, reply) =>
      answer(
        "revocation",
        request,
        reply,
        await timed("/v1/sign/revocation", () => node.signRevocation(revocationFromWire(request.body))),
      ),
  );
  app.get("/healthz", async (_request, reply) => {
    const health = await node.health();
    if (health.onCommittee !== null) metrics.onCommittee.set(health.onCommittee ? 1 : 0);
    if (!("error" in health.bitcoin)) {
      metrics.bitcoinTip.set(health.bitcoin.tipHeight);
      if (health.bitcoin.lagBlocks !== null) metrics.bitcoinLag.set(health.bitcoin.lagBlocks);
    }
    return reply.code(health.status === "ok" ? 200 : 503).send(health);
  });
  app.get("/metrics", async (_request, reply) =>
    reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  );

  await app.listen({ host: options.host ?? "127.0.0.1", port: options.port ?? 0 });
  const address = app.server.address();
  const port = typeof address === "object" && address !== null ? address.port : (options.port ?? 0);
  const host = options.host ?? "127.0.0.1";
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    port,
    app,
    metrics,
    close: () => app.close(),
  };
}

/** "3 refusals: 0xab… newTotalSats (TOTAL_MISMATCH), …" */
function summarise(refusals: readonly Refusal[]): string {
  const shown = refusals
    .slice(0, 3)
    .map((r) => `${r.user === undefined ? "" : `${r.user} `}${r.field} (${r.reason})`)
    .join(", ");
  return `${refusals.length} refusal(s): ${shown}${refusals.length > 3 ? ", …" : ""}`;
}
