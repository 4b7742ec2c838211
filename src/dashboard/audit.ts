/**
 * The dashboard's Bitcoin-side view of backing: `reserves:check`'s audit (src/reserves/check.ts `checkReserves`, the
 * same function, not a copy) run in the background — when the Bitcoin tip changes, when the chain moved (the caller
 * calls `trigger()`), and at least every `intervalMs` — and kept as its last result, so the status route never waits
 * for Bitcoin.
 */
import type { BitcoinSource } from "../oracle/reports.js";
import { sleep } from "../oracle/service.js";
import type { ReserveContracts, ReserveReport } from "../reserves/check.js";
import { checkReserves } from "../reserves/check.js";
import type { BitcoinAudit, BitcoinAuditResult } from "./types.js";

/** An audit at least this often even when nothing moved. */
export const DEFAULT_AUDIT_INTERVAL_MS = 30_000;
/** The Bitcoin tip is read this often (one request per backend); a new tip starts an audit. */
export const DEFAULT_TIP_POLL_MS = 2_000;
/** Users with a discrepancy listed in the status at most (the count is always complete). */
export const MAX_LISTED_USERS = 50;

export interface AuditorOptions {
  intervalMs?: number;
  tipPollMs?: number;
  /** Balance lookups in flight (reserves:check's default when absent). */
  concurrency?: number;
}

export class ReserveAuditor {
  readonly #contracts: ReserveContracts;
  readonly #bitcoin: BitcoinSource;
  readonly #intervalMs: number;
  readonly #tipPollMs: number;
  readonly #concurrency: number | undefined;
  readonly #stop = new AbortController();
  #wake: (() => void) | undefined;
  #triggered = false;
  #loop: Promise<void> | undefined;
  #tipHash: string | undefined;
  /** 0: the first pass is due at once (the interval has elapsed since the epoch). */
  #lastRunAt = 0;
  #report: ReserveReport | undefined;
  #checkedAt: number | null = null;
  #lastAttemptAt: number | null = null;
  #durationMs: number | null = null;
  #error: string | null = null;
  #running = false;
  #runs = 0;

  constructor(contracts: ReserveContracts, bitcoin: BitcoinSource, options: AuditorOptions = {}) {
    this.#contracts = contracts;
    this.#bitcoin = bitcoin;
    this.#intervalMs = options.intervalMs ?? DEFAULT_AUDIT_INTERVAL_MS;
    this.#tipPollMs = options.tipPollMs ?? DEFAULT_TIP_POLL_MS;
    this.#concurrency = options.concurrency;
  }

  /** Starts the background loop (the first audit runs at once). */
  start(): void {
    this.#loop ??= this.#run();
  }

  /** Stops the loop; resolves once the audit in progress (if any) has finished. */
  async stop(): Promise<void> {
    this.#stop.abort();
    this.#wake?.();
    await this.#loop;
  }

  /** The chain moved: audit again as soon as the current audit (if any) is done. */
  trigger(): void {
    this.#triggered = true;
    this.#wake?.();
  }

  /** The latest successful report (undefined before the first). */
  get report(): ReserveReport | undefined {
    return this.#report;
  }

  /** Completed audits, failed ones included (tests wait on it). */
  get runs(): number {
    return this.#runs;
  }

  /** The audit as `/api/dashboard/status` carries it. */
  snapshot(): BitcoinAudit {
    const state = this.#error !== null ? "failed" : this.#report === undefined ? "pending" : "ok";
    return {
      configured: true,
      state,
      running: this.#running,
      checkedAt: this.#checkedAt,
      lastAttemptAt: this.#lastAttemptAt,
      durationMs: this.#durationMs,
      error: this.#error,
      intervalMs: this.#intervalMs,
      result: this.#report === undefined ? null : auditResult(this.#report),
    };
  }

  async #run(): Promise<void> {
    const signal = this.#stop.signal;
    while (!signal.aborted) {
      // A chain-triggered audit waits at least one tip poll after the previous one (a busy chain must not keep
      // Bitcoin backends under constant audit); a new Bitcoin tip or the interval starts one at once.
      const sinceLast = Date.now() - this.#lastRunAt;
      const due =
        (this.#triggered && sinceLast >= this.#tipPollMs) ||
        sinceLast >= this.#intervalMs ||
        (await this.#newTip());
      if (signal.aborted) break;
      if (due) {
        this.#triggered = false;
        await this.#audit();
        continue;
      }
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        void sleep(this.#tipPollMs, signal).then(resolve);
      });
      this.#wake = undefined;
    }
  }

  /** True when the Bitcoin tip differs from the one the last audit read (a failed read is not a new tip). */
  async #newTip(): Promise<boolean> {
    try {
      const tip = await this.#bitcoin.tip();
      return tip.hash !== this.#tipHash;
    } catch {
      return false;
    }
  }

  async #audit(): Promise<void> {
    const started = Date.now();
    this.#running = true;
    this.#lastAttemptAt = started;
    try {
      const report = await checkReserves(
        this.#contracts,
        this.#bitcoin,
        this.#concurrency === undefined ? {} : { concurrency: this.#concurrency },
      );
      this.#report = report;
      this.#tipHash = report.bitcoin.tipHash;
      this.#checkedAt = Date.now();
      this.#error = null;
    } catch (error) {
      this.#error = (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "";
    } finally {
      this.#lastRunAt = Date.now();
      this.#durationMs = this.#lastRunAt - started;
      this.#running = false;
      this.#runs += 1;
    }
  }
}

/** A report in the status's JSON terms (sats as decimal strings), discrepancies capped at MAX_LISTED_USERS. */
export function auditResult(r: ReserveReport): BitcoinAuditResult {
  const t = r.totals;
  // Deficits first (largest first), then stale attestations.
  const listed = [...r.discrepancies].sort(
    (a, b) =>
      (a.status === b.status ? 0 : a.status === "deficit" ? -1 : 1) ||
      (b.deficitSats > a.deficitSats ? 1 : b.deficitSats < a.deficitSats ? -1 : 0),
  );
  return {
    block: r.block,
    bitcoinTip: { height: r.bitcoin.tipHeight, hash: r.bitcoin.tipHash },
    minConfirmations: r.bitcoin.minConfirmations,
    bitcoinSats: t.bitcoinSats.toString(),
    attestedSats: t.attestedSats.toString(),
    rbtcSupply: t.rbtcSupply.toString(),
    wrbtcSupply: t.wrbtcSupply.toString(),
    uncoveredSats: t.uncoveredSats.toString(),
    liabilitiesSats: t.liabilitiesSats.toString(),
    deficitSats: t.deficitSats.toString(),
    fullyBacked: r.fullyBacked,
    rootMatches: r.proofOfReserves.rootMatches,
    porRound: Number(r.proofOfReserves.round),
    users: r.users.length,
    deficitUsers: r.discrepancies.filter((u) => u.status === "deficit").length,
    discrepancyCount: r.discrepancies.length,
    discrepancies: listed.slice(0, MAX_LISTED_USERS).map((u) => ({
      user: u.user,
      status: u.status === "deficit" ? "deficit" : "stale",
      bitcoinSats: u.bitcoinSats.toString(),
      attestedSats: u.attestedSats.toString(),
      rbtcBackedSats: u.rbtcBackedSats.toString(),
      uncoveredSats: u.uncoveredSats.toString(),
      deficitSats: u.deficitSats.toString(),
      addresses: u.addresses.map((a) => ({ btcAddress: a.btcAddress, sats: a.sats.toString() })),
    })),
  };
}
