import type { UserChainState } from "./chain-state.js";

/** The Bitcoin tip a round computes every balance at. */
export interface BitcoinTip {
  height: number;
  /** Block hash, 64 hex characters as Esplora prints it (big-endian display order). */
  hash: string;
}

/**
 * Where a round reads Bitcoin from. `EsploraClient` (src/bitcoin/esplora.ts) implements it against any Esplora API:
 * a public server, a self-hosted electrs, or the local devnet.
 */
export interface BitcoinSource {
  tip(): Promise<BitcoinTip>;
  /** Hash of the block at `height` on the backend's current best chain. */
  blockHashAt(height: number): Promise<string>;
  /** Sats of `address` in outputs with ≥ `minConfirmations` confirmations at `tip`. */
  confirmedBalance(address: string, minConfirmations: number, tip: BitcoinTip): Promise<{ sats: bigint }>;
  /** Requests made so far (optional; the round reports Bitcoin calls per user from it). */
  stats?(): { requests: number };
}

/** A report as the Oracle's EIP-712 `Report` struct takes it. */
export interface SyncReport {
  user: string;
  newTotalSats: bigint;
  btcHeight: bigint;
  btcBlockHash: string;
  sequence: bigint;
}

/**
 * Why a user got no report this round. `frozen`: the user's observed total rose while an open dispute freezes her —
 * the Oracle would hold the rise back (`ReportSkipped` DISPUTE_OPEN), so it is not proposed; her drops still are.
 */
export type SkipReason = "bitcoin-backend-error" | "backend-behind-chain" | "frozen";

export interface SkippedUser {
  user: string;
  reason: SkipReason;
  detail: string;
}

/** A user's observed total, or why it could not be observed. */
export type Observation = { user: string; totalSats: bigint } | SkippedUser;

/** Esplora prints block hashes in display order; the Oracle stores them as bytes32 in the same order. */
export function blockHashToBytes32(hash: string): string {
  if (!/^[0-9a-fA-F]{64}$/.test(hash)) throw new Error(`not a block hash: ${hash}`);
  return `0x${hash.toLowerCase()}`;
}

/**
 * Builds the reports of a round: one per user whose observed total differs from the attested one (a queued mint is
 * settled by the contract, so only the attested total matters), plus one per user with a deferred (unpaid) rise whose
 * observed total no longer exceeds the attested one — that report clears the deferral on chain, so a user is only ever
 * FEE_EXHAUSTED for a rise she still holds. Users whose Bitcoin view failed are skipped — never guessed — and so are
 * users whose last report was at a higher Bitcoin height than this tip (the backend is behind; a report would revert
 * with OracleHeightRegressed) and frozen users whose total rose (the Oracle holds a frozen user's rise back).
 */
export function buildReports(
  states: readonly UserChainState[],
  observations: ReadonlyMap<string, Observation>,
  tip: BitcoinTip,
): { reports: SyncReport[]; skipped: SkippedUser[]; unchanged: number } {
  const reports: SyncReport[] = [];
  const skipped: SkippedUser[] = [];
  let unchanged = 0;
  const btcBlockHash = blockHashToBytes32(tip.hash);
  for (const state of states) {
    const observation = observations.get(state.user);
    if (observation === undefined) {
      skipped.push({ user: state.user, reason: "bitcoin-backend-error", detail: "no observation" });
      continue;
    }
    if ("reason" in observation) {
      skipped.push(observation);
      continue;
    }
    if (BigInt(tip.height) < state.btcHeight) {
      skipped.push({
        user: state.user,
        reason: "backend-behind-chain",
        detail: `Bitcoin tip ${tip.height} is below the user's last attested height ${state.btcHeight}`,
      });
      continue;
    }
    // A deferred mint means the attested total is stale on purpose: a rise still held is re-reported (and charged)
    // every round, and an unchanged total is reported too, to clear the deferral of a rise that is gone.
    if (observation.totalSats === state.attestedSats && state.deferredSats === 0n) {
      unchanged += 1;
      continue;
    }
    if (state.syncFrozen && observation.totalSats > state.attestedSats) {
      skipped.push({
        user: state.user,
        reason: "frozen",
        detail: `an open dispute holds back the rise from ${state.attestedSats} to ${observation.totalSats} sats`,
      });
      continue;
    }
    reports.push({
      user: state.user,
      newTotalSats: observation.totalSats,
      btcHeight: BigInt(tip.height),
      btcBlockHash,
      sequence: state.sequence + 1n,
    });
  }
  return { reports, skipped, unchanged };
}
