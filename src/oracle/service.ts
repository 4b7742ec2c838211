/**
 * `oracle:run`: rounds every `interval` until stopped, with structured JSON logs (pino) and Prometheus metrics
 * (prom-client) on 127.0.0.1. A stop request lets the current round finish; state lives on chain, so a process
 * killed mid-round is simply restarted (the per-user sequence makes a resubmitted batch revert, never double-mint).
 */
import { createServer } from "node:http";
import type { Server } from "node:http";

import type { Logger } from "pino";
import { Counter, Gauge, Histogram, Registry } from "prom-client";

import { BackendError, ChainError, UserInputError, isUnreachableNetwork } from "../errors.js";
import type { RoundJson } from "./commands.js";
import { syncCommand } from "./commands.js";
import { CommitteeError } from "./committee.js";
import type { OracleContext } from "./context.js";
import type { BitcoinSource } from "./reports.js";
import type { RoundOptions } from "./round.js";

/**
 * Every `event` of the runner's log lines (this loop's and `oracle:run`'s), listed in docs/operations.md §4: `submit`
 * lines say what happened to a sync transaction in `submit.kind` (sent, retry, replaced, nonce-conflict,
 * already-applied); `progress` lines appear with `--log-level debug`. The monitor inside the runner logs its own
 * (docs/operations.md §10) with `"component":"monitor"`.
 */
export const RUNNER_LOG_EVENTS = [
  "start",
  "metrics",
  "monitor",
  "progress",
  "submit",
  "operator-refused",
  "round",
  "round-failed",
  "signal",
  "stop",
  "fatal",
] as const;

/** Failure kinds counted by `reservebtc_oracle_round_failures_total{kind}`. */
export type FailureKind = "committee" | "bitcoin" | "chain" | "input" | "other";

export function failureKind(error: unknown): FailureKind {
  if (error instanceof CommitteeError) return "committee";
  if (error instanceof BackendError) return "bitcoin";
  // The EVM node is down or does not answer (Hardhat's HHE703/HHE704): a chain failure, not a bug.
  if (error instanceof ChainError || isUnreachableNetwork(error)) return "chain";
  if (error instanceof UserInputError) return "input";
  return "other";
}

/** The runner's Prometheus metrics, in their own registry. */
export class OracleMetrics {
  readonly registry = new Registry();
  readonly roundDuration = new Histogram({
    name: "reservebtc_oracle_round_duration_seconds",
    help: "Wall time of a sync round (successful or not)",
    buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    registers: [this.registry],
  });
  readonly rounds = new Counter({
    name: "reservebtc_oracle_rounds_total",
    help: "Rounds run, by result",
    labelNames: ["result"] as const,
    registers: [this.registry],
  });
  readonly usersChecked = new Gauge({
    name: "reservebtc_oracle_users_checked",
    help: "Bound users checked by the last successful round",
    registers: [this.registry],
  });
  readonly usersSynced = new Counter({
    name: "reservebtc_oracle_users_synced_total",
    help: "Reports applied on chain (users whose attested total changed)",
    registers: [this.registry],
  });
  readonly usersSkipped = new Gauge({
    name: "reservebtc_oracle_users_skipped",
    help: "Users skipped by the last successful round (Bitcoin view failed or disagreed)",
    registers: [this.registry],
  });
  readonly bitcoinLag = new Gauge({
    name: "reservebtc_oracle_bitcoin_lag_blocks",
    help: "Bitcoin tip height minus the tip height of the last successful round",
    registers: [this.registry],
  });
  readonly failures = new Counter({
    name: "reservebtc_oracle_round_failures_total",
    help: "Failed rounds by kind (committee, bitcoin, chain, input, other)",
    labelNames: ["kind"] as const,
    registers: [this.registry],
  });
  readonly lastSuccess = new Gauge({
    name: "reservebtc_oracle_last_success_timestamp_seconds",
    help: "Unix time of the last successful round",
    registers: [this.registry],
  });
  readonly gasUsed = new Counter({
    name: "reservebtc_oracle_gas_used_total",
    help: "Gas used by sync transactions",
    registers: [this.registry],
  });
  readonly reportsDropped = new Counter({
    name: "reservebtc_oracle_reports_dropped_total",
    help: "Reports fewer than the threshold of operator nodes agreed to (not submitted; retried next round)",
    registers: [this.registry],
  });
  readonly operatorRefusals = new Counter({
    name: "reservebtc_oracle_operator_refusals_total",
    help: "Refusals received from operator nodes, by operator and reason",
    labelNames: ["operator", "reason"] as const,
    registers: [this.registry],
  });
}

/** Serves `GET /metrics` on 127.0.0.1:`port` (0 = any free port); resolves with the bound port. */
export async function serveMetrics(
  metrics: OracleMetrics,
  port: number,
): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    if (req.method === "GET" && (req.url === "/metrics" || req.url === "/")) {
      metrics.registry
        .metrics()
        .then((body) => {
          res.writeHead(200, { "content-type": metrics.registry.contentType });
          res.end(body);
        })
        .catch((error: unknown) => {
          res.writeHead(500);
          res.end(String(error));
        });
      return;
    }
    res.writeHead(404);
    res.end("not found\n");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  return { server, port: typeof address === "object" && address !== null ? address.port : port };
}

/** The committee's reachability during a round: who signed and who did not (addresses as the signers give them). */
export interface CommitteeReachability {
  signed: string[];
  unreachable: { address: string; reason: string }[];
}

/**
 * What a round came to, handed to `ServiceOptions.onRound` (the monitor inside `oracle:run` alerts on it).
 * `committee` is set when the round asked the committee to sign.
 */
export type RoundOutcome =
  | {
      ok: true;
      round: number;
      /** Unix seconds at the end of the round. */
      at: number;
      bitcoinTip: number;
      committee?: CommitteeReachability;
    }
  | {
      ok: false;
      round: number;
      at: number;
      kind: FailureKind;
      error: string;
      committee?: CommitteeReachability;
    };

export interface ServiceOptions {
  intervalMs: number;
  logger: Logger;
  metrics: OracleMetrics;
  /** Aborted → the current round finishes, then the loop returns. */
  signal: AbortSignal;
  round?: RoundOptions;
  /** Stop after this many rounds (tests, benchmarks). */
  maxRounds?: number;
  /** Called after every round with its outcome (must not throw; it is not awaited). */
  onRound?: (outcome: RoundOutcome) => void;
}

export interface ServiceResult {
  rounds: number;
  failures: number;
  last?: RoundJson;
}

/** Waits `ms`, or less when `signal` aborts (a stop request ends the wait at once). */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

/**
 * One cheap call with a retry before each round: the HTTP keep-alive connection to the node may have been closed
 * by the server while the runner slept, and the first request on it fails ("other side closed").
 */
async function wakeConnection(ctx: OracleContext): Promise<void> {
  const provider = ctx.system.oracle.runner?.provider;
  if (provider == null) return;
  try {
    await provider.getBlockNumber();
  } catch {
    await new Promise((resolve) => setTimeout(resolve, 200));
    await provider.getBlockNumber();
  }
}

/** Runs rounds every `intervalMs` (measured start to start) until `signal` aborts. Never throws for a failed round. */
export async function runOracleService(
  ctx: OracleContext,
  bitcoin: BitcoinSource,
  options: ServiceOptions,
): Promise<ServiceResult> {
  const { logger, metrics, signal } = options;
  let rounds = 0;
  let failures = 0;
  let lastTipHeight: number | undefined;
  let last: RoundJson | undefined;
  logger.info(
    {
      event: "start",
      chainId: ctx.chainId.toString(),
      oracle: ctx.deployment.oracle,
      submitter: ctx.submitterAddress,
      committee: `${ctx.threshold} of ${ctx.operators.length}`,
      localOperators: ctx.localOperators,
      remoteOperators: ctx.remoteOperators,
      keySource: ctx.keySource,
      intervalMs: options.intervalMs,
    },
    "oracle runner started",
  );
  const reachability = (since: number): { committee?: CommitteeReachability } => {
    const { committee } = ctx;
    if (committee.lastRequestAt === undefined || committee.lastRequestAt < since) return {};
    return { committee: { signed: [...committee.lastSigned], unreachable: [...committee.lastFailures] } };
  };
  while (!signal.aborted && (options.maxRounds === undefined || rounds < options.maxRounds)) {
    const started = Date.now();
    rounds += 1;
    const endTimer = metrics.roundDuration.startTimer();
    try {
      await wakeConnection(ctx);
      const { json } = await syncCommand(ctx, bitcoin, {
        ...options.round,
        onProgress: (message) => logger.debug({ event: "progress", round: rounds }, message),
        submit: {
          ...options.round?.submit,
          onEvent: (event) =>
            logger.info({ event: "submit", round: rounds, submit: event }, `submit: ${event.kind}`),
        },
      });
      last = json;
      endTimer();
      metrics.rounds.inc({ result: "ok" });
      metrics.usersChecked.set(json.usersChecked);
      metrics.usersSynced.inc(json.batches.reduce((sum, b) => sum + b.reports, 0));
      metrics.usersSkipped.set(json.skipped.length);
      metrics.reportsDropped.inc(json.dropped.length);
      metrics.gasUsed.inc(Number(json.gasUsed));
      metrics.lastSuccess.set(Date.now() / 1000);
      lastTipHeight = json.bitcoin.tipHeight;
      metrics.bitcoinLag.set(0);
      logger.info(
        {
          event: "round",
          round: rounds,
          chainBlock: json.chainBlock,
          bitcoinTip: json.bitcoin.tipHeight,
          usersChecked: json.usersChecked,
          changed: json.changed,
          mintedSats: json.mintedSats,
          burnedSats: json.burnedSats,
          deferred: json.deferred.length,
          queued: json.queued.length,
          skipped: json.skipped,
          dropped: json.dropped.map((d) => ({
            user: d.user,
            sequence: d.sequence,
            newTotalSats: d.newTotalSats,
            refusedBy: [...new Set(d.refusals.map((r) => r.operator))],
          })),
          reserves: json.reserves,
          gasUsed: json.gasUsed,
          rpcCallsPerUser: json.rpcCalls.perUser,
          durationMs: json.durationMs,
        },
        "round complete",
      );
      options.onRound?.({
        ok: true,
        round: rounds,
        at: Math.floor(Date.now() / 1000),
        bitcoinTip: json.bitcoin.tipHeight,
        ...reachability(started),
      });
    } catch (error) {
      endTimer();
      failures += 1;
      const kind = failureKind(error);
      const message = error instanceof Error ? error.message : String(error);
      metrics.rounds.inc({ result: "failed" });
      metrics.failures.inc({ kind });
      logger.error(
        { event: "round-failed", round: rounds, kind, error: message },
        "round failed; the next round starts from chain state",
      );
      options.onRound?.({
        ok: false,
        round: rounds,
        at: Math.floor(Date.now() / 1000),
        kind,
        error: message.split("\n")[0] ?? message,
        ...reachability(started),
      });
      if (lastTipHeight !== undefined) {
        try {
          metrics.bitcoinLag.set((await bitcoin.tip()).height - lastTipHeight);
        } catch {
          // the Bitcoin backend is down: the lag is unknown, keep the last value
        }
      }
    }
    if (signal.aborted || (options.maxRounds !== undefined && rounds >= options.maxRounds)) break;
    await sleep(Math.max(0, options.intervalMs - (Date.now() - started)), signal);
  }
  logger.info({ event: "stop", rounds, failures }, "oracle runner stopped");
  return { rounds, failures, ...(last !== undefined ? { last } : {}) };
}
