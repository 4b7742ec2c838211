import { TypedDataEncoder, getAddress } from "ethers";
import type { TypedDataDomain, TypedDataField } from "ethers";

import { ChainError } from "../errors.js";
import type { OperatorRefusal } from "./refusals.js";
import { describeRefusal } from "./refusals.js";
import type { BindingRequest, OracleLike, ReserveRound, Revocation, TypedDataSigner } from "./signing.js";
import {
  BINDING_TYPES,
  RESERVE_ROUND_TYPES,
  REVOCATION_TYPES,
  SYNC_BATCH_TYPES,
  oracleDomain,
  reservesDomain,
  sortSigners,
} from "./signing.js";
import type { BatchSigner } from "./submit.js";

/** How long one operator may take to sign before it counts as offline. */
export const DEFAULT_SIGN_TIMEOUT_MS = 10_000;

/** The committee could not produce a threshold of signatures; nothing was submitted. */
export class CommitteeError extends ChainError {
  constructor(message: string, code = "COMMITTEE") {
    super(message, code);
  }
}

/**
 * Enough operators answered, but fewer than the threshold agreed to what was proposed (a reserve round, a binding,
 * a revocation): an outcome of independent verification, not an outage. Carries each operator's refusals.
 */
export class CommitteeRefusedError extends CommitteeError {
  constructor(
    what: string,
    readonly refusals: OperatorRefusal[],
    signed: number,
    threshold: number,
  ) {
    super(
      `${what} refused: ${signed} operator(s) signed, the threshold is ${threshold} — ` +
        refusals
          .slice(0, 5)
          .map((r) => describeRefusal(r))
          .join("; ") +
        (refusals.length > 5 ? `; … ${refusals.length - 5} more` : ""),
      "COMMITTEE_REFUSED",
    );
  }
}

/** The BIP-322 / BIP-137 ownership proof behind a binding request (operator nodes verify it themselves). */
export interface BindingProof {
  /** Base64 signature over the binding message. */
  signature: string;
}

/** Context the aggregator gives with a reserve round: the chain block its bindings were read at. */
export interface ReserveRoundContext {
  chainBlock?: number;
}

/** Signs a reserve round: ≥ threshold signatures sorted by signer, or CommitteeError (CommitteeRefusedError). */
export type ReserveSigner = (round: ReserveRound, context?: ReserveRoundContext) => Promise<string[]>;

/** What one operator did since the committee was created (the demo and `oracle:sync --json` report it). */
export interface OperatorTally {
  /** The operator's address (as far as known: a remote node that never answered shows its URL). */
  operator: string;
  /** The node's URL (remote operators only). */
  url?: string;
  /** Requests it signed (sync batches, reserve rounds, bindings, revocations). */
  signed: number;
  /** Requests it answered with a refusal. */
  refused: number;
  /** Requests it did not answer (down, timed out, 503, an invalid answer). */
  failed: number;
}

/**
 * The operators a runner asks for signatures, and the on-chain threshold. Two implementations: {@link LocalCommittee}
 * (operator keys in this process — the development default) and `RemoteCommittee` (src/oracle/remote-committee.ts:
 * independent operator nodes over HTTP, each verifying before it signs). The round, binding and reserve code only
 * sees this interface.
 */
export interface Committee {
  readonly kind: "local" | "remote";
  readonly threshold: number;
  /** Operators this runner can ask. */
  readonly size: number;
  /** Operators that failed or refused the last request, with the reason. */
  readonly lastFailures: ReadonlyArray<{ address: string; reason: string }>;
  /** Operators that signed the last request (the committee's reachability, which the monitor alerts on). */
  readonly lastSigned: readonly string[];
  /** When the last request was answered (ms since the epoch); undefined before the first. */
  readonly lastRequestAt: number | undefined;
  /** Signs sync batches for `oracle`'s domain (see BatchSigner: may drop reports too few operators agree to). */
  batchSigner(oracle: OracleLike): BatchSigner;
  /** Signs reserve rounds for the ProofOfReserves instance `reserves`. */
  reserveSigner(reserves: OracleLike): ReserveSigner;
  /** Signatures approving a binding (nodes verify `proof` themselves). */
  signBinding(oracle: OracleLike, request: BindingRequest, proof: BindingProof): Promise<string[]>;
  /** Signatures approving a binding revocation (a human decision: each node must have been told to sign it). */
  signRevocation(oracle: OracleLike, revocation: Revocation): Promise<string[]>;
  /** Per-operator counts since the committee was created. */
  tallies(): OperatorTally[];
}

function withTimeout<T>(promise: Promise<T>, ms: number, label: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${label} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Operator keys held by this process (ethers wallets, or any TypedDataSigner: an HSM, a KMS). Every operator is asked
 * in parallel; the first `threshold` signatures in signer order are used (more would only cost gas). An operator
 * that fails or times out is reported, and the round goes on while at least `threshold` signed. Local operators do
 * not verify what they sign: this is the development default (and a single-organisation setup), not a committee
 * of independent observers — see docs/operations.md §12.
 */
export class LocalCommittee implements Committee {
  readonly kind = "local" as const;
  readonly #operators: readonly TypedDataSigner[];
  readonly #threshold: number;
  readonly #timeoutMs: number;
  readonly #tallies = new Map<string, OperatorTally>();
  lastFailures: { address: string; reason: string }[] = [];
  lastSigned: string[] = [];
  lastRequestAt: number | undefined;

  constructor(operators: readonly TypedDataSigner[], threshold: number, timeoutMs = DEFAULT_SIGN_TIMEOUT_MS) {
    if (threshold < 1) throw new CommitteeError(`threshold must be at least 1, got ${threshold}`);
    this.#operators = sortSigners(operators);
    this.#threshold = threshold;
    this.#timeoutMs = timeoutMs;
    for (const op of this.#operators) {
      const operator = getAddress(op.address);
      this.#tallies.set(operator, { operator, signed: 0, refused: 0, failed: 0 });
    }
  }

  get threshold(): number {
    return this.#threshold;
  }

  get size(): number {
    return this.#operators.length;
  }

  tallies(): OperatorTally[] {
    return [...this.#tallies.values()].map((t) => ({ ...t }));
  }

  /** ≥ threshold signatures over typed data, sorted by signer address, or CommitteeError. */
  async sign(
    domain: TypedDataDomain,
    types: Record<string, TypedDataField[]>,
    value: Record<string, unknown>,
  ): Promise<string[]> {
    // Operators holding their key in process sign the EIP-712 digest directly: it is hashed once per request
    // instead of once per operator (hashing a batch of hundreds of reports costs more than the signature).
    let digest: string | undefined;
    const signOne = async (op: TypedDataSigner): Promise<string> => {
      if (op.signingKey === undefined) return op.signTypedData(domain, types, value);
      digest ??= TypedDataEncoder.hash(domain, types, value);
      return op.signingKey.sign(digest).serialized;
    };
    const results = await Promise.allSettled(
      this.#operators.map((op) => withTimeout(signOne(op), this.#timeoutMs, `operator ${op.address}`)),
    );
    const signatures: string[] = [];
    this.lastFailures = [];
    this.lastSigned = [];
    this.lastRequestAt = Date.now();
    results.forEach((result, i) => {
      const address = (this.#operators[i] as TypedDataSigner).address;
      const tally = this.#tallies.get(getAddress(address));
      if (result.status === "fulfilled") {
        signatures.push(result.value);
        this.lastSigned.push(address);
        if (tally !== undefined) tally.signed += 1;
      } else {
        const reason = result.reason instanceof Error ? result.reason.message : String(result.reason);
        this.lastFailures.push({ address, reason });
        if (tally !== undefined) tally.failed += 1;
      }
    });
    if (signatures.length < this.#threshold) {
      throw new CommitteeError(
        `only ${signatures.length} of ${this.#operators.length} operators signed; the threshold is ${this.#threshold}` +
          (this.lastFailures.length > 0 ? ` (${this.lastFailures.map((f) => f.reason).join("; ")})` : ""),
      );
    }
    return signatures.slice(0, this.#threshold);
  }

  batchSigner(oracle: OracleLike): BatchSigner {
    let domain: Promise<TypedDataDomain> | undefined;
    return async (reports, deadline) => {
      domain ??= oracleDomain(oracle);
      const signatures = await this.sign(await domain, SYNC_BATCH_TYPES, {
        reports: reports.map((r) => ({ ...r })),
        deadline,
      });
      return { reports: [...reports], signatures, dropped: [] };
    };
  }

  reserveSigner(reserves: OracleLike): ReserveSigner {
    let domain: Promise<TypedDataDomain> | undefined;
    return async (round) => {
      domain ??= reservesDomain(reserves);
      return this.sign(await domain, RESERVE_ROUND_TYPES, { ...round });
    };
  }

  async signBinding(oracle: OracleLike, request: BindingRequest): Promise<string[]> {
    return this.sign(await oracleDomain(oracle), BINDING_TYPES, { ...request });
  }

  async signRevocation(oracle: OracleLike, revocation: Revocation): Promise<string[]> {
    return this.sign(await oracleDomain(oracle), REVOCATION_TYPES, { ...revocation });
  }
}
