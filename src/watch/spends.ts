/**
 * The off-chain half of the spend watchtower (issue 20): follow every bound address through the watcher's own Esplora
 * backends and, for every confirmed spend of a bound address's output after the user's last committee report, build
 * the relay proof — raw transaction, Merkle branch, coinbase, header chain anchored at the report's block — and check
 * it against the relay's current view. Submitting it (`proveSpend`) is the on-chain half, not here yet.
 *
 * Several backends are read and their answers united: a backend that hides a spend cannot suppress it as long as one
 * backend shows it, and a backend that lies about a transaction or a header is caught by the proof checks (txids,
 * proof of work, Merkle roots) and the next backend is tried.
 */
import type { LightRelay, Oracle } from "../../types/ethers-contracts/index.js";
import type { EsploraTx } from "../bitcoin/esplora-types.js";
import type { EsploraClient } from "../bitcoin/esplora.js";
import { BackendError, UserInputError } from "../errors.js";
import type { TxProofArgs } from "../relay/proof.js";
import { buildTxProof, verifyOnRelay } from "../relay/proof.js";

/** Longest header chain the relay validates in one call. */
const MAX_CHAIN_HEADERS = 2015;
/** Bindings and user states read per call. */
const PAGE = 500;

/** A user with BTC the committee attested: what the watchtower follows. */
export interface WatchTarget {
  user: string;
  addresses: string[];
  /** Height and display-order hash of the block of the user's last committee report (0 / null: never synced). */
  anchorHeight: number;
  anchorHash: string | null;
  attestedSats: bigint;
}

/** An output of a bound address that a spend consumed (value as the backend reports it). */
export interface SpentOutput {
  txid: string;
  vout: number;
  address: string;
  sats: string;
}

export type SpendStatus = "waiting" | "verified" | "refused" | "unavailable";

/** One confirmed spend of a user's bound output, and where its proof stands. */
export interface SpendFinding {
  user: string;
  txid: string;
  blockHeight: number;
  blockHash: string;
  confirmations: number;
  spent: SpentOutput[];
  /** Sats of the user's bound outputs it spends, of its outputs back to the user's bound addresses, and the
   * difference (what a spend-proof burn would take), per the backend's prevout values. Decimal strings. */
  spentSats: string;
  returnedSats: string;
  leftSats: string;
  /** waiting: fewer confirmations than the relay needs; verified: the relay accepts the proof; refused: it does not
   * (`reason`); unavailable: no backend yielded a consistent proof (`reason`). */
  status: SpendStatus;
  reason: string | null;
  /** Whether the proof's header chain starts at the user's report block (false: it starts at the spend's block). */
  anchored: boolean;
  proof: TxProofArgs | null;
  /** Backends whose address history showed the spend. */
  seenBy: string[];
}

export interface WatchReport {
  tipHeight: number;
  tipHash: string;
  /** Headers a proof needs from the confirming block on (the relay's factor). */
  requiredConfirmations: number;
  users: number;
  addresses: number;
  spends: SpendFinding[];
  backends: Array<{ url: string; ok: boolean; error: string | null }>;
}

/** Every bound address with attested BTC, grouped by user, with the user's last report anchor. */
export async function loadWatchTargets(oracle: Oracle): Promise<WatchTarget[]> {
  const total = Number(await oracle.bindingsLength());
  const byUser = new Map<string, string[]>();
  for (let start = 0; start < total; start += PAGE) {
    for (const binding of await oracle.bindingsSlice(start, start + PAGE)) {
      byUser.set(binding.user, [...(byUser.get(binding.user) ?? []), binding.btcAddress]);
    }
  }
  const users = [...byUser.keys()];
  const targets: WatchTarget[] = [];
  for (let start = 0; start < users.length; start += PAGE) {
    const page = users.slice(start, start + PAGE);
    const states = await oracle.userStates(page);
    for (const [i, user] of page.entries()) {
      const state = states[i];
      if (state === undefined || state.attestedSats === 0n) continue;
      const anchor = await oracle.btcAnchor(state.btcHeight);
      targets.push({
        user,
        addresses: byUser.get(user) ?? [],
        anchorHeight: Number(state.btcHeight),
        anchorHash: /^0x0{64}$/.test(anchor) ? null : anchor.slice(2),
        attestedSats: state.attestedSats,
      });
    }
  }
  return targets;
}

export interface ScanOptions {
  targets: readonly WatchTarget[];
  /** The watcher's own backends, in order of preference for building proofs. */
  backends: readonly EsploraClient[];
  relay: LightRelay;
}

/** One pass: find every confirmed spend after each user's anchor, build and check its proof. */
export async function scanSpends(options: ScanOptions): Promise<WatchReport> {
  if (options.backends.length === 0) throw new UserInputError("at least one Esplora backend is required");
  const rules = await options.relay.rules();
  const required = Number(rules.txProofDifficultyFactor);
  const backendStatus = options.backends.map((b) => ({
    url: b.baseUrl,
    ok: true,
    error: null as string | null,
  }));
  const tip = await firstAnswer(options.backends, backendStatus, (b) => b.tip());

  const spends: SpendFinding[] = [];
  for (const target of options.targets) {
    const bound = new Set(target.addresses);
    const seen = new Map<string, { tx: EsploraTx; seenBy: string[] }>();
    for (const [i, backend] of options.backends.entries()) {
      for (const address of target.addresses) {
        let history: EsploraTx[];
        try {
          history = await backend.allAddressHistory(address);
        } catch (error) {
          markFailed(backendStatus, i, error);
          continue;
        }
        for (const tx of history) {
          if (!isSpendAfter(tx, bound, target.anchorHeight)) continue;
          const entry = seen.get(tx.txid) ?? { tx, seenBy: [] };
          if (!entry.seenBy.includes(backend.baseUrl)) entry.seenBy.push(backend.baseUrl);
          seen.set(tx.txid, entry);
        }
      }
    }
    for (const { tx, seenBy } of seen.values()) {
      spends.push(await examineSpend(options, target, tx, seenBy, tip.height, required));
    }
  }
  spends.sort((a, b) => a.blockHeight - b.blockHeight || a.txid.localeCompare(b.txid));
  return {
    tipHeight: tip.height,
    tipHash: tip.hash,
    requiredConfirmations: required,
    users: options.targets.length,
    addresses: options.targets.reduce((n, t) => n + t.addresses.length, 0),
    spends,
    backends: backendStatus,
  };
}

/** A confirmed transaction above the anchor that spends an output of one of `bound`. */
function isSpendAfter(tx: EsploraTx, bound: ReadonlySet<string>, anchorHeight: number): boolean {
  if (!tx.status.confirmed || (tx.status.block_height ?? 0) <= anchorHeight) return false;
  return tx.vin.some(
    (v) => v.prevout?.scriptpubkey_address !== undefined && bound.has(v.prevout.scriptpubkey_address),
  );
}

async function examineSpend(
  options: ScanOptions,
  target: WatchTarget,
  tx: EsploraTx,
  seenBy: string[],
  tipHeight: number,
  required: number,
): Promise<SpendFinding> {
  const bound = new Set(target.addresses);
  const spent: SpentOutput[] = tx.vin
    .filter((v) => v.prevout?.scriptpubkey_address !== undefined && bound.has(v.prevout.scriptpubkey_address))
    .map((v) => ({
      txid: v.txid,
      vout: v.vout,
      address: v.prevout?.scriptpubkey_address ?? "",
      sats: String(v.prevout?.value ?? 0),
    }));
  const spentSats = spent.reduce((n, o) => n + BigInt(o.sats), 0n);
  const returnedSats = tx.vout
    .filter((o) => o.scriptpubkey_address !== undefined && bound.has(o.scriptpubkey_address))
    .reduce((n, o) => n + BigInt(o.value), 0n);
  const blockHeight = tx.status.block_height ?? 0;
  const confirmations = tipHeight - blockHeight + 1;
  const finding: SpendFinding = {
    user: target.user,
    txid: tx.txid,
    blockHeight,
    blockHash: tx.status.block_hash ?? "",
    confirmations,
    spent,
    spentSats: spentSats.toString(),
    returnedSats: returnedSats.toString(),
    leftSats: (spentSats > returnedSats ? spentSats - returnedSats : 0n).toString(),
    status: "waiting",
    reason: null,
    anchored: false,
    proof: null,
    seenBy,
  };
  if (confirmations < required) return finding;

  // Anchor the chain at the report's block when it fits in one relay call.
  const lastHeight = blockHeight + required - 1;
  const anchorFits = target.anchorHash !== null && lastHeight - target.anchorHeight + 1 <= MAX_CHAIN_HEADERS;
  const errors: string[] = [];
  for (const backend of options.backends) {
    try {
      const anchored = anchorFits && (await backend.blockHashAt(target.anchorHeight)) === target.anchorHash;
      const bundle = await buildTxProof(backend, tx.txid, {
        confirmations: required,
        ...(anchored ? { fromHeight: target.anchorHeight } : {}),
      });
      finding.proof = bundle.proof;
      finding.anchored = anchored;
      try {
        await verifyOnRelay(options.relay, bundle);
        finding.status = "verified";
      } catch (error) {
        finding.status = "refused";
        finding.reason = (error as Error).message;
      }
      return finding;
    } catch (error) {
      errors.push(`${backend.baseUrl}: ${(error as Error).message}`);
    }
  }
  finding.status = "unavailable";
  finding.reason = errors.join("; ");
  return finding;
}

/** The first backend's answer to `read`, marking the ones that failed; BackendError when all fail. */
async function firstAnswer<T>(
  backends: readonly EsploraClient[],
  status: Array<{ ok: boolean; error: string | null }>,
  read: (backend: EsploraClient) => Promise<T>,
): Promise<T> {
  for (const [i, backend] of backends.entries()) {
    try {
      return await read(backend);
    } catch (error) {
      markFailed(status, i, error);
    }
  }
  throw new BackendError(
    `no Bitcoin backend answered: ${status.map((s) => s.error).join("; ")}`,
    "WATCH_NO_BACKEND",
  );
}

function markFailed(status: Array<{ ok: boolean; error: string | null }>, i: number, error: unknown): void {
  const entry = status[i];
  if (entry === undefined) return;
  entry.ok = false;
  entry.error = error instanceof Error ? error.message : String(error);
}
