import type { AuditorOptions } from "../dashboard/audit.js";
import { DashboardService } from "../dashboard/status.js";
import type { MonitorThresholds } from "../monitor/config.js";
import type { ChainAccess } from "../query/context.js";
import { SubgraphSource } from "../query/subgraph.js";
import { registerDashboard } from "./dashboard-routes.js";
import { builtDashboard, ensureDashboardBuilt } from "./page.js";
import { startServer } from "./server.js";
import type { RunningServer, ServeOptions } from "./server.js";

export interface RealtimeServeOptions extends Omit<ServeOptions, "routes"> {
  /** Direct chain access (rpc): the dashboard's head probe, committee signatures and backing history. */
  chain?: ChainAccess;
  /** Esplora API roots the dashboard probes. */
  bitcoin: string[];
  /** A subgraph endpoint whose indexing lag the dashboard shows (when one is configured). */
  subgraphUrl?: string;
  /** The Bitcoin-side audit's schedule (false: no audit). */
  audit?: AuditorOptions | false;
  /** The monitor's thresholds the lights and alerts use (default: the monitor's defaults). */
  thresholds?: MonitorThresholds;
  /** Monitor state files read for runner-only conditions (default: the monitors' default files). */
  monitorStateFiles?: string[];
  /** Longest time between two status computations, in ms. */
  refreshMs?: number;
  /** Emergency burns newer than this many seconds (chain time) are active alerts (default one day). */
  eventWindowSeconds?: number;
}

export interface RealtimeServer extends RunningServer {
  dashboard: DashboardService;
  /** How the page came to be served: built now, already up to date, or not available (with the reason). */
  page: { state: "built" | "current" | "missing"; reason?: string };
}

/**
 * `realtime:serve` assembled: builds the dashboard page when its output is missing or stale (Vite's JS API), then
 * starts the realtime server with the dashboard service. Without Vite (production install without dev
 * dependencies) an existing build is served; with neither, the API runs and `/` says the page is not built.
 */
export async function startRealtimeServer(options: RealtimeServeOptions): Promise<RealtimeServer> {
  let page: RealtimeServer["page"];
  let staticRoot: string | undefined;
  try {
    const result = await ensureDashboardBuilt();
    staticRoot = result.outDir;
    page = { state: result.built ? "built" : "current" };
  } catch (error) {
    staticRoot = builtDashboard();
    const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
    page = staticRoot === undefined ? { state: "missing", reason } : { state: "current", reason };
  }
  const subgraph =
    options.subgraphUrl === undefined
      ? undefined
      : options.source instanceof SubgraphSource
        ? options.source
        : new SubgraphSource(options.subgraphUrl);
  const dashboard = new DashboardService({
    source: options.source,
    ...(options.chain === undefined ? {} : { chain: options.chain }),
    bitcoin: options.bitcoin,
    ...(subgraph === undefined ? {} : { subgraph }),
    ...(options.audit === undefined ? {} : { audit: options.audit }),
    ...(options.thresholds === undefined ? {} : { thresholds: options.thresholds }),
    ...(options.monitorStateFiles === undefined ? {} : { monitorStateFiles: options.monitorStateFiles }),
    ...(options.refreshMs === undefined ? {} : { refreshMs: options.refreshMs }),
    ...(options.eventWindowSeconds === undefined ? {} : { eventWindowSeconds: options.eventWindowSeconds }),
  });
  const server = await startServer({
    ...options,
    routes: (app) =>
      registerDashboard(app, { service: dashboard, ...(staticRoot === undefined ? {} : { staticRoot }) }),
  });
  dashboard.start();
  let closing: Promise<void> | undefined;
  return {
    ...server,
    dashboard,
    page,
    close: () => {
      closing ??= Promise.all([server.close(), dashboard.close()]).then(() => undefined);
      return closing;
    },
  };
}
