import type { EndpointLatency, LatencyReport } from "../dashboard/types.js";

/** Requests kept per route for the percentiles. */
export const LATENCY_WINDOW = 256;
/** Routes tracked at most (route patterns, not URLs, so this bounds memory against URL scanning). */
const MAX_ROUTES = 200;

interface RouteSamples {
  method: string;
  route: string;
  count: number;
  errors: number;
  /** Ring buffer of the newest handling times, in ms. */
  samples: number[];
  next: number;
  last: number;
}

/** Per-route server-side handling time (fastify's `reply.elapsedTime`), newest `window` requests per route. */
export class LatencyRecorder {
  private readonly routes = new Map<string, RouteSamples>();
  readonly since = Date.now();

  constructor(readonly window = LATENCY_WINDOW) {}

  record(method: string, route: string, ms: number, statusCode: number): void {
    const key = `${method} ${route}`;
    let r = this.routes.get(key);
    if (r === undefined) {
      if (this.routes.size >= MAX_ROUTES) return;
      r = { method, route, count: 0, errors: 0, samples: [], next: 0, last: 0 };
      this.routes.set(key, r);
    }
    r.count += 1;
    if (statusCode >= 400) r.errors += 1;
    r.last = ms;
    if (r.samples.length < this.window) r.samples.push(ms);
    else r.samples[r.next] = ms;
    r.next = (r.next + 1) % this.window;
  }

  report(): LatencyReport {
    const endpoints: EndpointLatency[] = [...this.routes.values()]
      .map((r) => {
        const sorted = [...r.samples].sort((a, b) => a - b);
        return {
          method: r.method,
          route: r.route,
          count: r.count,
          errors: r.errors,
          lastMs: round(r.last),
          p50Ms: round(percentile(sorted, 0.5)),
          p95Ms: round(percentile(sorted, 0.95)),
          maxMs: round(sorted.at(-1) ?? 0),
        };
      })
      .sort((a, b) => a.route.localeCompare(b.route) || a.method.localeCompare(b.method));
    return { since: this.since, window: this.window, endpoints };
  }
}

/** Nearest-rank percentile of ascending samples. */
function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] ?? 0;
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
