/**
 * The independent reserve audit behind `reserves:check`: recompute every bound address's confirmed balance from a
 * Bitcoin backend (any Esplora), rebuild the reserve Merkle tree, and compare it with what the chain says — the
 * Oracle's attested totals, the rBTC and wrBTC supplies, the wrBTC deficit and the ProofOfReserves root and total.
 *
 * Verdict: the system is fully backed iff no wrBTC is uncovered, every user's rBTC (free + escrow) is covered by the
 * BTC at their bound addresses, and the BTC total covers the rBTC supply. A root that differs from the recomputed one
 * is reported (the committed round is older than Bitcoin's current state) but is not itself a deficit.
 */
import type { Oracle, ProofOfReserves, RBTCSynth, WrBTC } from "../../types/ethers-contracts/index.js";
import { BackendError } from "../errors.js";
import type { UserChainState } from "../oracle/chain-state.js";
import { readChainSnapshot } from "../oracle/chain-state.js";
import type { BitcoinSource, BitcoinTip } from "../oracle/reports.js";
import type { ReserveLeaf } from "../oracle/reserve-tree.js";
import { ReserveTree } from "../oracle/reserve-tree.js";

/** The contracts an audit reads. */
export interface ReserveContracts {
  readonly oracle: Oracle;
  readonly rbtc: RBTCSynth;
  readonly wrbtc: WrBTC;
  readonly proofOfReserves: ProofOfReserves;
}

/** Default Bitcoin backend: the local devnet's Esplora API. */
export const DEFAULT_BITCOIN_URL = "http://127.0.0.1:18443";
/** Default number of balance lookups in flight. */
export const DEFAULT_AUDIT_CONCURRENCY = 8;

/** Why a user is listed as a discrepancy. */
export type UserStatus = "ok" | "deficit" | "stale";

/** One user's audit line (amounts in sats). */
export interface UserAudit {
  user: string;
  addresses: { btcAddress: string; sats: bigint }[];
  /** Confirmed BTC at the user's bound addresses now (recomputed from Bitcoin). */
  bitcoinSats: bigint;
  /** The Oracle's attested total. */
  attestedSats: bigint;
  /** rBTC free + escrow. */
  rbtcBackedSats: bigint;
  /** wrBTC the user's escrow burns could not slash (their part of the deficit). */
  uncoveredSats: bigint;
  /** deficit: rBTC above the BTC; stale: attested ≠ BTC but the rBTC is covered. */
  status: UserStatus;
  /** max(0, rbtcBacked − bitcoin). */
  deficitSats: bigint;
}

/** The audit report (`reserves:check --json`). */
export interface ReserveReport {
  chainId: bigint;
  block: number;
  bitcoin: { tipHeight: number; tipHash: string; minConfirmations: number };
  totals: {
    bitcoinSats: bigint;
    attestedSats: bigint;
    rbtcSupply: bigint;
    rbtcFree: bigint;
    rbtcEscrow: bigint;
    wrbtcSupply: bigint;
    uncoveredSats: bigint;
    /** rBTC supply + uncovered wrBTC. */
    liabilitiesSats: bigint;
    /** max(0, liabilities − bitcoin). */
    deficitSats: bigint;
  };
  proofOfReserves: {
    round: bigint;
    merkleRoot: string;
    recomputedRoot: string;
    rootMatches: boolean;
    attestedSats: bigint;
    recomputedSats: bigint;
    btcHeight: bigint;
    backingRatio: bigint;
    isFullyBacked: boolean;
  };
  users: UserAudit[];
  discrepancies: UserAudit[];
  fullyBacked: boolean;
}

/** Confirmed balances of every bound address at one tip (bounded concurrency); a failure is a BackendError. */
export async function readAddressBalances(
  bitcoin: BitcoinSource,
  users: readonly UserChainState[],
  minConfirmations: number,
  tip: BitcoinTip,
  concurrency = DEFAULT_AUDIT_CONCURRENCY,
): Promise<ReserveLeaf[]> {
  const jobs = users.flatMap((state) =>
    state.addresses.map((btcAddress) => ({ user: state.user, btcAddress })),
  );
  const leaves: ReserveLeaf[] = new Array<ReserveLeaf>(jobs.length);
  let next = 0;
  async function worker(): Promise<void> {
    for (;;) {
      const index = next++;
      const job = jobs[index];
      if (job === undefined) return;
      try {
        const { sats } = await bitcoin.confirmedBalance(job.btcAddress, minConfirmations, tip);
        leaves[index] = { user: job.user, btcAddress: job.btcAddress, sats };
      } catch (error) {
        if (error instanceof BackendError) throw error;
        throw new BackendError(
          `balance of ${job.btcAddress}: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
  }
  const workers = Math.max(1, Math.min(concurrency, jobs.length));
  await Promise.all(Array.from({ length: workers }, () => worker()));
  return leaves;
}

/** The token supplies and the latest reserve round (amounts in sats), read at one block. */
export interface ReserveTotals {
  rbtcFree: bigint;
  rbtcEscrow: bigint;
  wrbtcSupply: bigint;
  uncoveredSats: bigint;
  /** 0 before the first round. */
  roundId: bigint;
  round: { merkleRoot: string; attestedSats: bigint; btcHeight: bigint; committedAt: bigint };
  /** ProofOfReserves.backingRatio (1e8 = 100%) and isFullyBacked. */
  backingRatio: bigint;
  isFullyBacked: boolean;
}

/** Reads the supplies, the uncovered wrBTC and the latest ProofOfReserves round at `blockTag`. */
export async function readReserveTotals(
  contracts: Pick<ReserveContracts, "rbtc" | "wrbtc" | "proofOfReserves">,
  blockTag: number,
): Promise<ReserveTotals> {
  const { rbtc, wrbtc, proofOfReserves } = contracts;
  const at = { blockTag };
  const [rbtcFree, rbtcEscrow, wrbtcSupply, uncoveredSats, roundId, backingRatio, isFullyBacked] =
    await Promise.all([
      rbtc.totalFree(at),
      rbtc.totalEscrow(at),
      wrbtc.totalSupply(at),
      wrbtc.uncoveredSats(at),
      proofOfReserves.latestRoundId(at),
      proofOfReserves.backingRatio(at),
      proofOfReserves.isFullyBacked(at),
    ]);
  const round = await proofOfReserves.round(roundId, at);
  return { rbtcFree, rbtcEscrow, wrbtcSupply, uncoveredSats, roundId, round, backingRatio, isFullyBacked };
}

/** Runs the audit. Throws BackendError when Bitcoin cannot be read consistently. */
export async function checkReserves(
  contracts: ReserveContracts,
  bitcoin: BitcoinSource,
  options: { concurrency?: number } = {},
): Promise<ReserveReport> {
  const { oracle, rbtc, wrbtc } = contracts;
  const snapshot = await readChainSnapshot(oracle);
  const at = { blockTag: snapshot.blockNumber };
  const provider = oracle.runner?.provider;
  if (provider == null) throw new Error("oracle contract has no provider");
  const { chainId } = await provider.getNetwork();

  let tip: BitcoinTip;
  try {
    tip = await bitcoin.tip();
  } catch (error) {
    if (error instanceof BackendError) throw error;
    throw new BackendError(`bitcoin tip: ${error instanceof Error ? error.message : String(error)}`);
  }
  const leaves = await readAddressBalances(
    bitcoin,
    snapshot.users,
    snapshot.minConfirmations,
    tip,
    options.concurrency,
  );
  const hashNow = await bitcoin.blockHashAt(tip.height);
  if (hashNow !== tip.hash)
    throw new BackendError(`Bitcoin reorganised during the audit at ${tip.height}; retry`);
  const tree = new ReserveTree(leaves);

  const {
    rbtcFree,
    rbtcEscrow,
    wrbtcSupply,
    uncoveredSats,
    roundId,
    round,
    backingRatio: onChainRatio,
    isFullyBacked: onChainFullyBacked,
  } = await readReserveTotals(contracts, snapshot.blockNumber);

  const users: UserAudit[] = [];
  for (const state of snapshot.users) {
    const own = leaves.filter((leaf) => leaf.user === state.user);
    const bitcoinSats = own.reduce((sum, leaf) => sum + leaf.sats, 0n);
    const [rbtcBackedSats, userUncovered] = await Promise.all([
      rbtc.totalBackedOf(state.user, at),
      wrbtc.uncoveredOf(state.user, at),
    ]);
    const deficitSats = rbtcBackedSats > bitcoinSats ? rbtcBackedSats - bitcoinSats : 0n;
    const status: UserStatus =
      deficitSats > 0n || userUncovered > 0n
        ? "deficit"
        : state.attestedSats !== bitcoinSats
          ? "stale"
          : "ok";
    users.push({
      user: state.user,
      addresses: own.map((leaf) => ({ btcAddress: leaf.btcAddress, sats: leaf.sats })),
      bitcoinSats,
      attestedSats: state.attestedSats,
      rbtcBackedSats,
      uncoveredSats: userUncovered,
      status,
      deficitSats,
    });
  }

  const rbtcSupply = rbtcFree + rbtcEscrow;
  const liabilitiesSats = rbtcSupply + uncoveredSats;
  const bitcoinSats = tree.totalSats;
  const deficitSats = liabilitiesSats > bitcoinSats ? liabilitiesSats - bitcoinSats : 0n;
  const fullyBacked =
    uncoveredSats === 0n && bitcoinSats >= rbtcSupply && users.every((u) => u.status !== "deficit");

  return {
    chainId,
    block: snapshot.blockNumber,
    bitcoin: { tipHeight: tip.height, tipHash: tip.hash, minConfirmations: snapshot.minConfirmations },
    totals: {
      bitcoinSats,
      attestedSats: snapshot.users.reduce((sum, u) => sum + u.attestedSats, 0n),
      rbtcSupply,
      rbtcFree,
      rbtcEscrow,
      wrbtcSupply,
      uncoveredSats,
      liabilitiesSats,
      deficitSats,
    },
    proofOfReserves: {
      round: roundId,
      merkleRoot: round.merkleRoot,
      recomputedRoot: tree.root,
      rootMatches: round.merkleRoot === tree.root,
      attestedSats: round.attestedSats,
      recomputedSats: bitcoinSats,
      btcHeight: round.btcHeight,
      backingRatio: onChainRatio,
      isFullyBacked: onChainFullyBacked,
    },
    users,
    discrepancies: users.filter((u) => u.status !== "ok"),
    fullyBacked,
  };
}

/** Exit code of `reserves:check`: 0 fully backed, 3 on any deficit. */
export function reserveExitCode(report: ReserveReport): number {
  return report.fullyBacked ? 0 : 3;
}

/** "1 user", "2 users". */
function users(count: number): string {
  return `${count} ${count === 1 ? "user" : "users"}`;
}

/**
 * The discrepancies of an audit in words, for human output: "no discrepancies", "1 user with rBTC above their BTC
 * (deficit)", "2 users whose attested total differs from their BTC, rBTC covered (stale)", or both.
 */
export function describeDiscrepancies(discrepancies: readonly Pick<UserAudit, "status">[]): string {
  const deficit = discrepancies.filter((u) => u.status === "deficit").length;
  const stale = discrepancies.filter((u) => u.status === "stale").length;
  const parts = [
    ...(deficit > 0 ? [`${users(deficit)} with rBTC above their BTC (deficit)`] : []),
    ...(stale > 0
      ? [`${users(stale)} whose attested total differs from their BTC, rBTC covered (stale)`]
      : []),
  ];
  return parts.length === 0 ? "no discrepancies" : parts.join("; ");
}
