/**
 * The runner as an aggregator: a committee of independent operator nodes (`oracle:operator`) reached over HTTP. It
 * holds no operator key. Every node is asked in parallel with a timeout; a signature is checked (it must recover to
 * an on-chain operator); a node that refuses names the reports it disagrees with, so reports fewer than the
 * threshold of nodes agreed to are dropped (retried next round) and the rest is proposed again.
 */
import { TypedDataEncoder, getAddress, recoverAddress } from "ethers";
import type { TypedDataDomain, TypedDataField } from "ethers";

import { UserInputError } from "../errors.js";
import type {
  BindingProof,
  Committee,
  OperatorTally,
  ReserveRoundContext,
  ReserveSigner,
} from "./committee.js";
import { CommitteeError, CommitteeRefusedError } from "./committee.js";
import type { SignedAnswer } from "./operator/wire.js";
import { bindingToWire, revocationToWire, roundToWire, syncBatchToWire } from "./operator/wire.js";
import type { DroppedReport, OperatorRefusal, Refusal } from "./refusals.js";
import { refusalNames } from "./refusals.js";
import type { SyncReport } from "./reports.js";
import type { BindingRequest, OracleLike, ReserveRound, Revocation } from "./signing.js";
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

/** How long the aggregator waits for one node to verify and sign (a 500-report batch reads 500 balances). */
export const DEFAULT_REMOTE_TIMEOUT_MS = 30_000;
/** Proposals of one batch at most (each drops what too few nodes agreed to). */
export const MAX_PROPOSALS = 3;

/** One operator node: its URL and the bearer token this aggregator presents to it. */
export interface RemoteOperator {
  url: string;
  token?: string;
}

/** What one node answered. */
type NodeAnswer =
  | { kind: "signed"; signer: string; signature: string }
  | { kind: "refused"; signer: string | undefined; refusals: Refusal[] }
  | { kind: "failed"; reason: string };

export interface RemoteCommitteeOptions {
  timeoutMs?: number;
  /** Called for every refusal a node sent (the runner logs each one). */
  onRefusal?: (refusal: OperatorRefusal & { url: string; kind: string }) => void;
}

/**
 * Parses `--operators` / ORACLE_OPERATORS (comma-separated http(s) URLs) and ORACLE_OPERATOR_TOKENS (comma-separated
 * bearer tokens in the same order; one token for every node; or none). Errors never echo a token.
 */
export function parseRemoteOperators(urls: string, tokens?: string): RemoteOperator[] {
  const list = urls
    .split(",")
    .map((u) => u.trim())
    .filter((u) => u !== "");
  if (list.length === 0) throw new UserInputError("--operators needs at least one URL", "OPERATORS");
  const tokenList = (tokens ?? "")
    .split(",")
    .map((t) => t.trim())
    .filter((t, i, all) => t !== "" || all.length > 1);
  if (tokenList.length > 1 && tokenList.length !== list.length) {
    throw new UserInputError(
      `ORACLE_OPERATOR_TOKENS has ${tokenList.length} tokens for ${list.length} operators (give one per operator, ` +
        "in the same order, or one for all)",
      "OPERATORS",
    );
  }
  const seen = new Set<string>();
  return list.map((raw, i) => {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new UserInputError(`operator ${i + 1}: "${raw}" is not a URL`, "OPERATORS");
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new UserInputError(`operator ${i + 1}: ${raw} must be http(s)`, "OPERATORS");
    }
    if (url.username !== "" || url.password !== "") {
      throw new UserInputError(
        `operator ${i + 1}: put the token in ORACLE_OPERATOR_TOKENS, not in the URL (URLs are logged)`,
        "OPERATORS",
      );
    }
    const normalized = url.toString().replace(/\/+$/, "");
    if (seen.has(normalized)) throw new UserInputError(`operator ${normalized} is listed twice`, "OPERATORS");
    seen.add(normalized);
    const token = tokenList.length === 1 ? tokenList[0] : tokenList[i];
    return token === undefined || token === "" ? { url: normalized } : { url: normalized, token };
  });
}

function isRefusalList(value: unknown): value is Refusal[] {
  return (
    Array.isArray(value) &&
    value.every(
      (r) =>
        typeof r === "object" &&
        r !== null &&
        typeof (r as Refusal).field === "string" &&
        typeof (r as Refusal).reason === "string",
    )
  );
}

/** Operator nodes over HTTP (see the module comment). */
export class RemoteCommittee implements Committee {
  readonly kind = "remote" as const;
  readonly #operators: readonly RemoteOperator[];
  readonly #members: ReadonlySet<string>;
  readonly #threshold: number;
  readonly #timeoutMs: number;
  readonly #onRefusal: NonNullable<RemoteCommitteeOptions["onRefusal"]>;
  /** Tallies by URL; the operator's address is learned from its first valid answer. */
  readonly #tallies: Map<string, OperatorTally>;
  lastFailures: { address: string; reason: string }[] = [];
  lastSigned: string[] = [];
  lastRequestAt: number | undefined;

  /**
   * @param operators the nodes to ask
   * @param members the on-chain committee (a signature must recover to one of them)
   * @param threshold the on-chain threshold
   */
  constructor(
    operators: readonly RemoteOperator[],
    members: readonly string[],
    threshold: number,
    options: RemoteCommitteeOptions = {},
  ) {
    if (threshold < 1) throw new CommitteeError(`threshold must be at least 1, got ${threshold}`);
    this.#operators = operators;
    this.#members = new Set(members.map((m) => getAddress(m)));
    this.#threshold = threshold;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_REMOTE_TIMEOUT_MS;
    this.#onRefusal = options.onRefusal ?? (() => undefined);
    this.#tallies = new Map(
      operators.map((o) => [o.url, { operator: o.url, url: o.url, signed: 0, refused: 0, failed: 0 }]),
    );
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

  /** One node's answer to `body` at `path`; a signature must recover (from `digest`) to a committee member. */
  async #askOne(operator: RemoteOperator, path: string, body: unknown, digest: string): Promise<NodeAnswer> {
    let response: Response;
    try {
      response = await fetch(`${operator.url}${path}`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(operator.token === undefined ? {} : { authorization: `Bearer ${operator.token}` }),
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const reason =
        error instanceof Error && error.name === "TimeoutError"
          ? `did not answer within ${this.#timeoutMs} ms`
          : (cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error)));
      return { kind: "failed", reason: `${operator.url}: ${reason}` };
    }
    let json: unknown;
    try {
      json = await response.json();
    } catch {
      return {
        kind: "failed",
        reason: `${operator.url}: HTTP ${response.status} with a body that is not JSON`,
      };
    }
    const answer = json as Partial<SignedAnswer> & {
      refusals?: unknown;
      error?: { code?: string; message?: string };
    };
    if (
      response.status === 200 &&
      typeof answer.signature === "string" &&
      typeof answer.signer === "string"
    ) {
      let recovered: string;
      try {
        recovered = recoverAddress(digest, answer.signature);
      } catch {
        return { kind: "failed", reason: `${operator.url}: the signature does not parse` };
      }
      if (recovered !== getAddress(answer.signer)) {
        return {
          kind: "failed",
          reason: `${operator.url}: the signature recovers to ${recovered}, not to ${answer.signer} (another message?)`,
        };
      }
      if (!this.#members.has(recovered)) {
        return { kind: "failed", reason: `${operator.url}: ${recovered} is not on the Oracle's committee` };
      }
      return { kind: "signed", signer: recovered, signature: answer.signature };
    }
    if (response.status === 422 && isRefusalList(answer.refusals)) {
      const signer = typeof answer.signer === "string" ? getAddress(answer.signer) : undefined;
      return { kind: "refused", signer, refusals: answer.refusals };
    }
    const code = answer.error?.code ?? "ERROR";
    return {
      kind: "failed",
      reason: `${operator.url}: HTTP ${response.status} ${code}: ${answer.error?.message ?? ""}`.trim(),
    };
  }

  /**
   * Every node's answer, tallied; `lastSigned` / `lastFailures` describe this request. Returns the answers in
   * operator order and the refusals with their operators.
   */
  async #askAll(
    kind: string,
    path: string,
    body: unknown,
    digest: string,
  ): Promise<{ answers: NodeAnswer[]; refusals: OperatorRefusal[] }> {
    const answers = await Promise.all(this.#operators.map((op) => this.#askOne(op, path, body, digest)));
    this.lastRequestAt = Date.now();
    this.lastSigned = [];
    this.lastFailures = [];
    const refusals: OperatorRefusal[] = [];
    answers.forEach((answer, i) => {
      const op = this.#operators[i] as RemoteOperator;
      const tally = this.#tallies.get(op.url) as OperatorTally;
      if (answer.kind === "signed") {
        tally.operator = answer.signer;
        tally.signed += 1;
        this.lastSigned.push(answer.signer);
      } else if (answer.kind === "refused") {
        if (answer.signer !== undefined) tally.operator = answer.signer;
        tally.refused += 1;
        const operator = answer.signer ?? op.url;
        for (const r of answer.refusals) {
          refusals.push({ ...r, operator });
          this.#onRefusal({ ...r, operator, url: op.url, kind });
        }
        this.lastFailures.push({ address: operator, reason: `refused: ${answer.refusals.length} item(s)` });
      } else {
        tally.failed += 1;
        this.lastFailures.push({ address: tally.operator, reason: answer.reason });
      }
    });
    return { answers, refusals };
  }

  /** Signatures of distinct signers, sorted by signer, the first `threshold` of them. */
  #signatures(answers: readonly NodeAnswer[]): string[] {
    const bySigner = new Map<string, { address: string; signature: string }>();
    for (const a of answers) {
      if (a.kind === "signed" && !bySigner.has(a.signer)) {
        bySigner.set(a.signer, { address: a.signer, signature: a.signature });
      }
    }
    return sortSigners([...bySigner.values()])
      .slice(0, this.#threshold)
      .map((s) => s.signature);
  }

  #tooFewAnswered(answers: readonly NodeAnswer[]): CommitteeError | undefined {
    const answered = answers.filter((a) => a.kind !== "failed").length;
    if (answered >= this.#threshold) return undefined;
    const signed = answers.filter((a) => a.kind === "signed").length;
    const reasons = answers.flatMap((a) => (a.kind === "failed" ? [a.reason] : []));
    return new CommitteeError(
      `only ${signed} of ${this.#operators.length} operators signed; the threshold is ${this.#threshold}` +
        (reasons.length > 0 ? ` (${reasons.join("; ")})` : ""),
    );
  }

  /** One request that is either signed by the threshold or refused (reserve rounds, bindings, revocations). */
  async #signWhole(
    kind: string,
    path: string,
    body: unknown,
    domain: TypedDataDomain,
    types: Record<string, TypedDataField[]>,
    value: Record<string, unknown>,
  ): Promise<string[]> {
    const digest = TypedDataEncoder.hash(domain, types, value);
    const { answers, refusals } = await this.#askAll(kind, path, body, digest);
    const signatures = this.#signatures(answers);
    if (signatures.length >= this.#threshold) return signatures;
    const outage = this.#tooFewAnswered(answers);
    if (outage !== undefined) throw outage;
    throw new CommitteeRefusedError(`the ${kind}`, refusals, signatures.length, this.#threshold);
  }

  batchSigner(oracle: OracleLike): BatchSigner {
    let domain: Promise<TypedDataDomain> | undefined;
    return async (reports, deadline) => {
      domain ??= oracleDomain(oracle);
      const resolved = await domain;
      const dropped: DroppedReport[] = [];
      let proposal: SyncReport[] = [...reports];
      for (let attempt = 1; proposal.length > 0; attempt++) {
        const value = { reports: proposal.map((r) => ({ ...r })), deadline };
        const digest = TypedDataEncoder.hash(resolved, SYNC_BATCH_TYPES, value);
        const { answers, refusals } = await this.#askAll(
          "sync-batch",
          "/v1/sign/sync-batch",
          syncBatchToWire(proposal, deadline),
          digest,
        );
        const signatures = this.#signatures(answers);
        if (signatures.length >= this.#threshold) return { reports: proposal, signatures, dropped };
        const outage = this.#tooFewAnswered(answers);
        if (outage !== undefined) throw outage;
        // Enough nodes answered but too few signed: keep the reports at least `threshold` answering nodes did not
        // object to, drop the others (with every refusal naming them) and propose again.
        const answering = answers.filter((a) => a.kind !== "failed");
        const keep: SyncReport[] = [];
        for (const report of proposal) {
          const objecting = answering.filter(
            (a) => a.kind === "refused" && a.refusals.some((r) => refusalNames(r, report)),
          ).length;
          if (answering.length - objecting >= this.#threshold && attempt < MAX_PROPOSALS) keep.push(report);
          else dropped.push({ report, refusals: refusals.filter((r) => refusalNames(r, report)) });
        }
        if (keep.length === proposal.length) {
          // Nobody named a report, yet too few signed (inconsistent answers): nothing can be agreed this round.
          for (const report of keep) dropped.push({ report, refusals });
          break;
        }
        proposal = keep;
      }
      return { reports: [], signatures: [], dropped };
    };
  }

  reserveSigner(reserves: OracleLike): ReserveSigner {
    let domain: Promise<TypedDataDomain> | undefined;
    return async (round: ReserveRound, context?: ReserveRoundContext) => {
      domain ??= reservesDomain(reserves);
      return this.#signWhole(
        "reserve-round",
        "/v1/sign/reserve-round",
        roundToWire(round, context?.chainBlock),
        await domain,
        RESERVE_ROUND_TYPES,
        { ...round },
      );
    };
  }

  async signBinding(oracle: OracleLike, request: BindingRequest, proof: BindingProof): Promise<string[]> {
    return this.#signWhole(
      "binding",
      "/v1/sign/binding",
      bindingToWire(request, proof.signature),
      await oracleDomain(oracle),
      BINDING_TYPES,
      { ...request },
    );
  }

  async signRevocation(oracle: OracleLike, revocation: Revocation): Promise<string[]> {
    return this.#signWhole(
      "revocation",
      "/v1/sign/revocation",
      revocationToWire(revocation),
      await oracleDomain(oracle),
      REVOCATION_TYPES,
      { ...revocation },
    );
  }
}
