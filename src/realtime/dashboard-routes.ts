import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyRequest } from "fastify";

import { parsePoints } from "../dashboard/history.js";
import type { DashboardService } from "../dashboard/status.js";
import { LatencyRecorder } from "./latency.js";

/** The page loads only its own files and talks only to this server (no CDN, no inline script). */
const PAGE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Routes whose latency is not recorded (long-lived streams would swamp the figures). */
const UNTIMED = new Set(["/api/realtime/stream"]);

export interface DashboardRoutesOptions {
  /** Status and history; without it those two routes answer 503 NO_DASHBOARD. */
  service?: DashboardService;
  /** Folder of the built page (index.html + assets), served at `/`; absent or missing → `/` answers 503. */
  staticRoot?: string;
}

/**
 * The dashboard's routes on the realtime server: per-route latency recording for every API route,
 * `GET /api/dashboard/{status,history,latency}` and the built page at `/`. Call before the other routes are added
 * (the latency hook only sees routes registered after it).
 */
export async function registerDashboard(
  app: FastifyInstance,
  options: DashboardRoutesOptions,
): Promise<LatencyRecorder> {
  const latency = new LatencyRecorder();
  app.addHook("onResponse", async (request, reply) => {
    const route = request.routeOptions.url;
    if (route === undefined || UNTIMED.has(route) || !isApiRoute(route)) return;
    latency.record(request.method, route, reply.elapsedTime, reply.statusCode);
  });

  app.addHook("onSend", async (_request, reply, payload) => {
    if (String(reply.getHeader("content-type") ?? "").startsWith("text/html")) {
      reply.header("content-security-policy", PAGE_CSP);
      reply.header("x-content-type-options", "nosniff");
    }
    return payload;
  });

  const noService = { error: { code: "NO_DASHBOARD", message: "this server has no dashboard service" } };
  app.get("/api/dashboard/status", async (_request, reply) => {
    if (options.service === undefined) return reply.code(503).send(noService);
    return options.service.status();
  });
  app.get(
    "/api/dashboard/history",
    async (request: FastifyRequest<{ Querystring: { points?: string } }>, reply) => {
      const points = parsePoints(request.query.points);
      if (options.service === undefined) return reply.code(503).send(noService);
      return options.service.history(points);
    },
  );
  app.get("/api/dashboard/latency", async () => latency.report());

  const root = options.staticRoot;
  // Browsers and tools ask for /favicon.ico whatever the page links: answer with the page's icon (or 204).
  const icon = root === undefined ? undefined : path.join(root, "favicon.svg");
  const iconBytes = icon !== undefined && existsSync(icon) ? readFileSync(icon) : undefined;
  app.get("/favicon.ico", async (_request, reply) =>
    iconBytes === undefined
      ? reply.code(204).send()
      : reply.type("image/svg+xml").header("cache-control", "public, max-age=86400").send(iconBytes),
  );
  if (root !== undefined && existsSync(path.join(root, "index.html"))) {
    // Files are listed once (wildcard: false): the build is immutable while the server runs, and unknown paths
    // fall through to the JSON 404 handler.
    await app.register(fastifyStatic, { root: path.resolve(root), prefix: "/", wildcard: false });
  } else {
    app.get("/", async (_request, reply) =>
      reply.code(503).send({
        error: {
          code: "NO_DASHBOARD_BUILD",
          message:
            "the dashboard page is not built (realtime:serve builds it with Vite when it is available)",
        },
      }),
    );
  }
  return latency;
}

function isApiRoute(route: string): boolean {
  return route.startsWith("/api/") || route === "/healthz";
}
