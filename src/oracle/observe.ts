import type { UserChainState } from "./chain-state.js";
import type { BitcoinSource, BitcoinTip, Observation } from "./reports.js";

/** Default number of balance lookups in flight at once (public Esplora servers answer 429 above a few). */
export const DEFAULT_BITCOIN_CONCURRENCY = 16;

/**
 * Reads every bound address's confirmed balance at `tip` with bounded concurrency and sums them per user. A user any
 * of whose lookups failed gets no total (the failure is returned instead): a partial sum would burn BTC that exists.
 */
export async function observeUsers(
  source: BitcoinSource,
  users: ReadonlyArray<Pick<UserChainState, "user" | "addresses">>,
  minConfirmations: number,
  tip: BitcoinTip,
  options: { concurrency?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<Map<string, Observation>> {
  const jobs = users.flatMap((state) => state.addresses.map((address) => ({ user: state.user, address })));
  const totals = new Map<string, bigint>(users.map((state) => [state.user, 0n]));
  const failures = new Map<string, string>();
  let next = 0;
  let done = 0;

  async function worker(): Promise<void> {
    for (;;) {
      const job = jobs[next++];
      if (job === undefined) return;
      if (!failures.has(job.user)) {
        try {
          const { sats } = await source.confirmedBalance(job.address, minConfirmations, tip);
          totals.set(job.user, (totals.get(job.user) ?? 0n) + sats);
        } catch (error) {
          failures.set(job.user, `${job.address}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      done += 1;
      options.onProgress?.(done, jobs.length);
    }
  }

  const concurrency = Math.max(1, Math.min(options.concurrency ?? DEFAULT_BITCOIN_CONCURRENCY, jobs.length));
  await Promise.all(Array.from({ length: concurrency }, () => worker()));

  const observations = new Map<string, Observation>();
  for (const state of users) {
    const failure = failures.get(state.user);
    observations.set(
      state.user,
      failure === undefined
        ? { user: state.user, totalSats: totals.get(state.user) ?? 0n }
        : { user: state.user, reason: "bitcoin-backend-error", detail: failure },
    );
  }
  return observations;
}
