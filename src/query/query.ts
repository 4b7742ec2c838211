import { ZeroAddress, getAddress, isAddress } from "ethers";

import { UserInputError } from "../errors.js";
import { badInput, missingInput, parseInteger } from "../input.js";
import type { InputOrigin } from "../input.js";
import type {
  DisputeFilter,
  DisputeItem,
  DisputeStatus,
  DisputesAvailable,
  QueryName,
  QueryParams,
  QueryResult,
  QuerySource,
  TransactionItem,
} from "./types.js";
import { DISPUTE_STATUSES, QUERY_NAMES } from "./types.js";

/** Default and largest `--limit` of `transactions`. */
export const DEFAULT_TRANSACTION_LIMIT = 10;
export const MAX_TRANSACTION_LIMIT = 1_000;
/** Default `--limit` of `disputes`. */
export const DEFAULT_DISPUTE_LIMIT = 100;

/** Decimals of `backingRatio`. */
const RATIO_DECIMALS = 6;
const RATIO_SCALE = 10n ** BigInt(RATIO_DECIMALS);

/** Checksummed EVM address, or a UserInputError naming the input (`--user` or `user`) and the bad value. */
export function parseUser(value: string | undefined, name = "user", origin: InputOrigin = "flag"): string {
  if (value === undefined || value === "") throw missingInput(name, origin, "MISSING_USER");
  if (!isAddress(value) || value.toLowerCase() === ZeroAddress) {
    throw badInput(name, origin, `"${value}" is not an EVM address`, "BAD_ADDRESS");
  }
  return getAddress(value);
}

export function parseLimit(
  value: string | number | undefined,
  fallback = DEFAULT_TRANSACTION_LIMIT,
  origin: InputOrigin = "flag",
): number {
  return parseInteger(value, {
    name: "limit",
    origin,
    min: 1,
    max: MAX_TRANSACTION_LIMIT,
    fallback,
    code: "BAD_LIMIT",
  });
}

export function parseStatus(
  value: string | undefined,
  origin: InputOrigin = "flag",
): DisputeStatus | undefined {
  if (value === undefined || value === "" || value === "all") return undefined;
  if (!(DISPUTE_STATUSES as readonly string[]).includes(value)) {
    throw badInput(
      "status",
      origin,
      `"${value}" is not one of ${DISPUTE_STATUSES.join(", ")}, all`,
      "BAD_STATUS",
    );
  }
  return value as DisputeStatus;
}

export function parseQueryName(value: string): QueryName {
  if (!(QUERY_NAMES as readonly string[]).includes(value)) {
    throw new UserInputError(`unknown query "${value}": one of ${QUERY_NAMES.join(", ")}`, "UNKNOWN_QUERY");
  }
  return value as QueryName;
}

/** Raw (string) inputs as they come from task flags or URL query parameters. */
export interface RawParams {
  user?: string;
  limit?: string | number;
  status?: string;
}

/**
 * Validates raw inputs for `name`: required user, limit range, status enum. Unused inputs are ignored. Messages name
 * task flags (`--limit`) or, with `origin` "query", the HTTP query parameters (`limit`).
 */
export function validateParams(name: QueryName, raw: RawParams, origin: InputOrigin = "flag"): QueryParams {
  const user = (value: string | undefined) => parseUser(value, "user", origin);
  switch (name) {
    case "balances":
      return { user: user(raw.user) };
    case "transactions":
      return { user: user(raw.user), limit: parseLimit(raw.limit, DEFAULT_TRANSACTION_LIMIT, origin) };
    case "bitcoin-addresses":
    case "yield-status":
      return raw.user === undefined || raw.user === "" ? {} : { user: user(raw.user) };
    case "disputes": {
      const status = parseStatus(raw.status, origin);
      return {
        ...(status === undefined ? {} : { status }),
        ...(raw.user === undefined || raw.user === "" ? {} : { user: user(raw.user) }),
        limit: parseLimit(raw.limit, DEFAULT_DISPUTE_LIMIT, origin),
      };
    }
    default:
      return {};
  }
}

/** Runs one query with validated parameters. */
export async function runQuery(
  source: QuerySource,
  name: QueryName,
  params: QueryParams,
): Promise<QueryResult> {
  switch (name) {
    case "balances":
      return source.balances(parseUser(params.user));
    case "sync-status":
      return source.syncStatus();
    case "transactions":
      return source.transactions(parseUser(params.user), params.limit ?? DEFAULT_TRANSACTION_LIMIT);
    case "bitcoin-addresses":
      return source.bitcoinAddresses(params.user);
    case "emergency-burns":
      return source.emergencyBurns();
    case "yield-status":
      return source.yieldStatus(params.user);
    case "disputes":
      return source.disputes({
        ...(params.status === undefined ? {} : { status: params.status }),
        ...(params.user === undefined ? {} : { user: params.user }),
        limit: params.limit ?? DEFAULT_DISPUTE_LIMIT,
      });
    case "proof-of-reserves":
      return source.proofOfReserves();
  }
}

/** Cache/route key of a query and its parameters. */
export function queryKey(name: QueryName, params: QueryParams): string {
  return `${name}|${params.user ?? ""}|${params.limit ?? ""}|${params.status ?? ""}`;
}

/** Newest first: block, then log index, descending. */
export function newestFirst(a: Pick<TransactionItem, "block" | "logIndex">, b: typeof a): number {
  return b.block - a.block || b.logIndex - a.logIndex;
}

/** attested ÷ claims as a fixed-point decimal string (null when there are no claims). */
export function backingRatio(attestedSats: bigint, claimsSats: bigint): string | null {
  if (claimsSats === 0n) return null;
  const scaled = (attestedSats * RATIO_SCALE) / claimsSats;
  const whole = scaled / RATIO_SCALE;
  const frac = (scaled % RATIO_SCALE).toString().padStart(RATIO_DECIMALS, "0");
  return `${whole}.${frac}`;
}

/** Why the ProofOfReserves round fields are null before the committee's first round. */
export const POR_NO_ROUND = "ProofOfReserves has no committed reserve round yet";
/** Why yield-status is unavailable on a deployment without a pool. */
export const YIELD_NO_POOL =
  "this deployment has no YieldScalesPool (the address book has no yieldPool): deploy deploy/modules/YieldLocal.ts " +
  "on a local network, deploy/modules/Yield.ts on a real one";

/** DisputeManager `Status` names by their uint8 code (NONE = 0 is never listed). */
export const DISPUTE_STATUS_CODES: readonly (DisputeStatus | undefined)[] = [
  undefined,
  "open",
  "upheld",
  "rejected",
  "expired",
];

/** Applies the dispute filters: newest first (by id), `count` before the limit. */
export function selectDisputes(all: DisputeItem[], filter: DisputeFilter): DisputesAvailable {
  const matching = all
    .filter((d) => filter.status === undefined || d.status === filter.status)
    .filter((d) => filter.user === undefined || d.user === filter.user)
    .sort((a, b) => (BigInt(b.id) > BigInt(a.id) ? 1 : BigInt(b.id) < BigInt(a.id) ? -1 : 0));
  return {
    available: true,
    status: filter.status ?? null,
    user: filter.user ?? null,
    limit: filter.limit,
    count: matching.length,
    disputes: matching.slice(0, filter.limit),
  };
}

/** `runwaySeconds` as reported: "forever" for the contract's max uint (nothing accrues). */
export function runwayText(seconds: bigint): string {
  return seconds === 2n ** 256n - 1n ? "forever" : seconds.toString();
}

/** Oracle `EmergencyBurnReason` names by their uint8 code (IOracle.EmergencyBurnReason). */
export const EMERGENCY_BURN_REASONS = ["FEE_EXHAUSTED", "BINDING_REVOKED", "DISPUTE_UPHELD", "BACKING_LOST"];

export function emergencyReasonName(code: number): string {
  return EMERGENCY_BURN_REASONS[code] ?? `UNKNOWN_${code}`;
}
