import { TypedDataEncoder } from "ethers";
import type { TypedDataDomain, TypedDataField } from "ethers";

import { ChainError } from "../errors.js";
import type { SyncReport } from "./reports.js";
import type { BindingRequest, OracleLike, ReserveRound, TypedDataSigner } from "./signing.js";
import {
  BINDING_TYPES,
  RESERVE_ROUND_TYPES,
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
  constructor(message: string) {
    super(message, "COMMITTEE");
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, label: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${label} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The operators a runner can reach and the on-chain threshold. Every reachable operator is asked in parallel; the
 * first `threshold` signatures in signer order are used (more would only cost gas). An operator that fails or times
 * out is reported, and the round goes on while at least `threshold` signed.
 */
export class Committee {
  readonly #operators: readonly TypedDataSigner[];
  readonly #threshold: number;
  readonly #timeoutMs: number;
  /** Operators that failed the last request, with the reason. */
  lastFailures: { address: string; reason: string }[] = [];
  /** Operators that signed the last request (the committee's reachability, which the monitor alerts on). */
  lastSigned: string[] = [];
  /** When the last request was answered (ms since the epoch); undefined before the first. */
  lastRequestAt: number | undefined;

  constructor(operators: readonly TypedDataSigner[], threshold: number, timeoutMs = DEFAULT_SIGN_TIMEOUT_MS) {
    if (threshold < 1) throw new CommitteeError(`threshold must be at least 1, got ${threshold}`);
    this.#operators = sortSigners(operators);
    this.#threshold = threshold;
    this.#timeoutMs = timeoutMs;
  }

  get threshold(): number {
    return this.#threshold;
  }

  get size(): number {
    return this.#operators.length;
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
      if (result.status === "fulfilled") {
        signatures.push(result.value);
        this.lastSigned.push(address);
      } else {
        const reason = result.reason instanceof Error ? result.reason.message : String(result.reason);
        this.lastFailures.push({ address, reason });
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

  /** A BatchSigner for `oracle`'s domain. */
  batchSigner(oracle: OracleLike): BatchSigner {
    let domain: Promise<TypedDataDomain> | undefined;
    return async (reports: readonly SyncReport[], deadline: bigint) => {
      domain ??= oracleDomain(oracle);
      return this.sign(await domain, SYNC_BATCH_TYPES, { reports: reports.map((r) => ({ ...r })), deadline });
    };
  }

  /** A signer of reserve rounds for the ProofOfReserves instance `reserves`. */
  reserveSigner(reserves: OracleLike): (round: ReserveRound) => Promise<string[]> {
    let domain: Promise<TypedDataDomain> | undefined;
    return async (round: ReserveRound) => {
      domain ??= reservesDomain(reserves);
      return this.sign(await domain, RESERVE_ROUND_TYPES, { ...round });
    };
  }

  /** Signatures approving a binding for `oracle`. */
  async signBinding(oracle: OracleLike, request: BindingRequest): Promise<string[]> {
    return this.sign(await oracleDomain(oracle), BINDING_TYPES, { ...request });
  }
}
