import { UserInputError } from "../errors.js";

/** Parses an amount in sats from a decimal string, a safe integer or a bigint. */
export function parseSats(value: unknown, field = "sats"): bigint {
  if (typeof value === "bigint") return value;
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value))
      throw new UserInputError(`${field} must be an integer number of sats, got ${value}`, "BTC_AMOUNT");
    return BigInt(value);
  }
  if (typeof value === "string" && /^\d+$/.test(value.trim())) return BigInt(value.trim());
  throw new UserInputError(
    `${field} must be a non-negative integer number of sats, got ${JSON.stringify(value)}`,
    "BTC_AMOUNT",
  );
}

/** Parses a positive integer count (blocks, depth, confirmations). */
export function parseCount(value: unknown, field: string, min = 1): number {
  const n = typeof value === "string" && /^\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n < min) {
    throw new UserInputError(
      `${field} must be an integer ≥ ${min}, got ${JSON.stringify(value)}`,
      "BTC_COUNT",
    );
  }
  return n;
}
