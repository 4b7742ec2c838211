/**
 * Strict parsers of the numbers users type — task flags (`--limit 5`) and HTTP query parameters (`?limit=5`) go
 * through the same code; only the name in the message differs (`--limit: …` for a flag, `limit: …` for a query
 * parameter). Plain decimal only: `0x10`, `1e3`, `+5`, ` 5` and `5.0` are refused, not guessed at.
 */
import { UserInputError } from "./errors.js";

/** Where an input came from: a task flag or an HTTP query parameter. */
export type InputOrigin = "flag" | "query";

/** How a message names an input: `--min-conf` for the flag `minConf`, `minConf` for a query parameter. */
export function inputLabel(name: string, origin: InputOrigin = "flag"): string {
  return origin === "flag" ? `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}` : name;
}

/** A {@link UserInputError} `<label>: <problem>`. */
export function badInput(
  name: string,
  origin: InputOrigin,
  problem: string,
  code = "BAD_INPUT",
): UserInputError {
  return new UserInputError(`${inputLabel(name, origin)}: ${problem}`, code);
}

/** Bounds and naming of a numeric input. */
export interface NumberInput<T> {
  name: string;
  origin?: InputOrigin;
  min?: T;
  max?: T;
  /** Used when the input is absent or empty; without it the input is required. */
  fallback?: T;
  /** Error code (default BAD_INPUT). */
  code?: string;
}

const INTEGER = /^-?\d+$/;
const DECIMAL = /^\d+(\.\d+)?$/;

function range<T extends number | bigint>(spec: NumberInput<T>, what: string): string {
  if (spec.min !== undefined && Number(spec.min) === 0 && spec.max === undefined)
    return what.replace(/^an? /, "a non-negative ");
  if (spec.min !== undefined && spec.max !== undefined) return `${what} from ${spec.min} to ${spec.max}`;
  if (spec.min !== undefined) return `${what} of at least ${spec.min}`;
  if (spec.max !== undefined) return `${what} of at most ${spec.max}`;
  return what;
}

/** `<label>: "<value>" is not <what within the bounds>`. */
function notA<T extends number | bigint>(value: unknown, spec: NumberInput<T>, what: string): UserInputError {
  return badInput(
    spec.name,
    spec.origin ?? "flag",
    `"${String(value)}" is not ${range(spec, what)}`,
    spec.code,
  );
}

function checked<T extends number | bigint>(value: T, raw: unknown, spec: NumberInput<T>, what: string): T {
  if ((spec.min !== undefined && value < spec.min) || (spec.max !== undefined && value > spec.max)) {
    throw notA(raw, spec, what);
  }
  return value;
}

function absent(value: unknown): value is undefined | "" {
  return value === undefined || value === "";
}

function required<T>(spec: NumberInput<T>): T {
  if (spec.fallback !== undefined) return spec.fallback;
  throw missingInput(spec.name, spec.origin ?? "flag", spec.code);
}

/** A {@link UserInputError} `<label> is required`. */
export function missingInput(name: string, origin: InputOrigin, code = "MISSING_INPUT"): UserInputError {
  return new UserInputError(`${inputLabel(name, origin)} is required`, code);
}

/** A safe integer written in plain decimal, within the bounds. */
export function parseInteger(value: string | number | undefined, spec: NumberInput<number>): number {
  if (absent(value)) return required(spec);
  const n = typeof value === "number" ? value : INTEGER.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n)) {
    throw notA(value, spec, "an integer");
  }
  return checked(n, value, spec, "an integer");
}

/** A whole amount (sats, wei, a nonce) of any size written in plain decimal, within the bounds. */
export function parseBigInteger(value: string | bigint | undefined, spec: NumberInput<bigint>): bigint {
  if (absent(value)) return required(spec);
  if (typeof value === "string" && !INTEGER.test(value)) {
    throw notA(value, spec, "an integer");
  }
  return checked(BigInt(value), value, spec, "an integer");
}

/** A non-negative decimal number (seconds, a ratio) like `2` or `0.5`, within the bounds. */
export function parseDecimal(value: string | number | undefined, spec: NumberInput<number>): number {
  if (absent(value)) return required(spec);
  const n = typeof value === "number" ? value : DECIMAL.test(value) ? Number(value) : Number.NaN;
  if (!Number.isFinite(n) || n < 0) {
    throw notA(value, spec, "a number");
  }
  return checked(n, value, spec, "a number");
}
