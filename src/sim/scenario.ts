/**
 * The `sim:run` scenario format (docs/simulations.md, design.md "Scenario format"): parsing, defaults and validation.
 * Everything is checked before anything runs: an unknown step kind, action, key or expectation field is an error
 * naming it (with the step index).
 */
import { parseEther, parseUnits } from "ethers";

import type { WalletAddressType } from "../bitcoin/devnet/wallet.js";
import { WALLET_ADDRESS_TYPES } from "../bitcoin/devnet/wallet.js";
import { UserInputError } from "../errors.js";

/** Largest committee a scenario may ask for (operators are Hardhat accounts 1..N; users come after them). */
export const MAX_COMMITTEE = 16;
/** Largest generated user count (`generateUsers.count`). */
export const MAX_GENERATED_USERS = 10_000;
/** The key of a per-user expectation map (or a btc step's `user`) that means "every scenario user". */
export const ALL_USERS = "*";

export interface NetworkSettings {
  minConfirmations: number;
  committee: number;
  threshold: number;
}

export interface UserSpec {
  id: string;
  btcAddresses: WalletAddressType[];
  /** Prepaid FeeVault deposit in wei (parsed from the scenario's ETH string). */
  feeVaultWei: bigint;
  bind: boolean;
  /** Hardhat account index of the user's EVM account (default: the next one after the committee). */
  account?: number;
}

/** A comparison for a numeric expectation: an exact value (string) or a bound. */
export type Comparison = { eq: bigint } | { gt: bigint } | { gte: bigint } | { lt: bigint } | { lte: bigint };

/** Per-user numeric expectation fields available now. */
export const USER_FIELDS = [
  "rbtcFree",
  "rbtcEscrow",
  "wrbtc",
  "attested",
  "feeVaultWei",
  "deferredMint",
  "queuedMint",
  "wrbtcUncovered",
  "emergencyBurnedSats",
  "yieldClaimable",
  "yieldClaimed",
  "yieldRateBps",
  "yieldStaked",
  "droppedReports",
] as const;
export type UserField = (typeof USER_FIELDS)[number];

/** Per-user fields that need the YieldScalesPool. */
export const YIELD_USER_FIELDS: readonly UserField[] = [
  "yieldClaimable",
  "yieldClaimed",
  "yieldRateBps",
  "yieldStaked",
];

/** Names of `Oracle.EmergencyBurnReason` (the `EmergencyBurn.reason` code is the index). */
export const EMERGENCY_BURN_REASON_NAMES = [
  "FEE_EXHAUSTED",
  "BINDING_REVOKED",
  "DISPUTE_UPHELD",
  "BACKING_LOST",
] as const;

/**
 * System-wide expectation fields, by group: numeric ones take a Comparison, boolean ones true/false. The field of a
 * failure is `<group>.<key>` (or the group alone for `emergencyBurns`).
 */
export const GLOBAL_FIELDS = {
  disputes: { numeric: ["open", "upheld", "rejected", "expired"], boolean: [] },
  proofOfReserves: {
    numeric: ["attestedSats", "rbtcSupply", "wrbtcSupply", "uncoveredSats", "backingRatio", "round"],
    boolean: ["isFullyBacked", "rootMatches"],
  },
  yield: {
    numeric: [
      "rateBps",
      "scaleWad",
      "holders",
      "supplySats",
      "peakSupplySats",
      "rewardReserve",
      "liquidityProviders",
    ],
    boolean: ["ratePositive"],
  },
} as const;
export type GlobalGroup = keyof typeof GLOBAL_FIELDS;

/** One system-wide expectation: `field` is e.g. "emergencyBurns", "disputes.upheld", "proofOfReserves.rootMatches". */
export interface GlobalExpectation {
  field: string;
  expected: Comparison | boolean;
}

export interface Expectations {
  perUser: Partial<Record<UserField, Map<string, Comparison>>>;
  /** System-wide numeric and boolean fields, in the order given. */
  global: GlobalExpectation[];
  /** `emergencyBurnReasons`: per user, the reason names of their emergency burns during the scenario, in order. */
  burnReasons: Map<string, string[]>;
  /** `refusedBy`: the operators (0-based) that refused anything in the latest oracle round, in order. */
  refusedBy?: number[];
}

export type BtcStep =
  | { btc: "fund"; user: string; address: number; sats: bigint }
  | { btc: "spend"; user: string; address: number; sats: bigint; feeSats: bigint }
  | { btc: "mine"; blocks: number }
  | { btc: "reorg"; depth: number };

export type OracleStep =
  | { oracle: "sync" }
  | { oracle: "bind"; user: string; address: number }
  | { oracle: "pause" }
  | { oracle: "unpause" }
  | { oracle: "kill-operator"; operator: number }
  | { oracle: "revive-operator"; operator: number }
  | { oracle: "operator-lies"; operator: number; inflateSats: bigint }
  | { oracle: "operator-lags"; operator: number; blocks: number }
  | { oracle: "operator-honest"; operator: number }
  | { oracle: "malicious-proposal"; user: string; inflateSats: bigint };

/** Oracle actions that name an operator (validated against the committee size). */
export const OPERATOR_ACTIONS = [
  "kill-operator",
  "revive-operator",
  "operator-lies",
  "operator-lags",
  "operator-honest",
] as const;

export type DoStep =
  | { do: "wrap"; user: string; sats: bigint }
  | { do: "redeem"; user: string; sats: bigint }
  | { do: "transfer"; token: "wrBTC"; from: string; to: string; sats: bigint }
  | { do: "depositFee"; user: string; wei: bigint }
  | { do: "withdrawFee"; user: string; wei: bigint | "all" }
  | { do: "advanceTime"; seconds: number }
  | { do: "executeQueuedMint"; user: string }
  | { do: "cancelQueuedMint"; user: string }
  | { do: "dispute"; challenger: string; user: string; claimedSats: bigint; bondWei: bigint }
  | { do: "resolve"; upheld: boolean; resolvedSats: bigint }
  | { do: "expireDispute" }
  | { do: "fundDisputeRewards"; wei: bigint }
  | { do: "joinYield" | "leaveYield" | "claimYield"; user: string }
  | { do: "stakeWrBTC" | "unstakeWrBTC"; user: string; sats: bigint }
  | { do: "depositLiquidity"; user: string; units: bigint }
  | { do: "fundRewards"; units: bigint };

/** `do` actions that need the YieldScalesPool (a scenario using one deploys the system with the pool). */
export const YIELD_ACTIONS = [
  "joinYield",
  "leaveYield",
  "claimYield",
  "stakeWrBTC",
  "unstakeWrBTC",
  "depositLiquidity",
  "fundRewards",
] as const;

export type StepAction = BtcStep | OracleStep | DoStep | { expect: Expectations };

export interface Step {
  index: number;
  action: StepAction;
  /** The step must fail with an error containing this text (case-insensitive) and change nothing. */
  expectError?: string;
  /** Free text shown in the report. */
  note?: string;
}

export interface Scenario {
  name: string;
  description?: string;
  network: NetworkSettings;
  users: UserSpec[];
  steps: Step[];
}

// ------------------------------------------------------------------------------------------------ parsing helpers

/** A scenario that is not valid; the message names the step, key or field. */
export class ScenarioError extends UserInputError {
  constructor(message: string) {
    super(message, "SCENARIO");
  }
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function checkKeys(where: string, value: Json, allowed: readonly string[]): void {
  const unknown = Object.keys(value).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) {
    throw new ScenarioError(
      `${where}: unknown field${unknown.length > 1 ? "s" : ""} ${unknown.map((k) => `"${k}"`).join(", ")} ` +
        `(allowed: ${allowed.join(", ")})`,
    );
  }
}

function int(where: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new ScenarioError(
      `${where}: expected an integer between ${min} and ${max}, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

function sats(where: string, value: unknown, min = 1n): bigint {
  let parsed: bigint | undefined;
  if (typeof value === "number" && Number.isSafeInteger(value)) parsed = BigInt(value);
  if (typeof value === "string" && /^\d+$/.test(value)) parsed = BigInt(value);
  if (parsed === undefined || parsed < min || parsed > 2_100_000_000_000_000n) {
    throw new ScenarioError(
      `${where}: expected sats (an integer ≥ ${min}, as a number or decimal string), got ${JSON.stringify(value)}`,
    );
  }
  return parsed;
}

function eth(where: string, value: unknown): bigint {
  if (typeof value !== "string" && typeof value !== "number") {
    throw new ScenarioError(`${where}: expected an ETH amount like "0.1", got ${JSON.stringify(value)}`);
  }
  try {
    const wei = parseEther(String(value));
    if (wei < 0n) throw new Error("negative");
    return wei;
  } catch {
    throw new ScenarioError(`${where}: expected an ETH amount like "0.1", got ${JSON.stringify(value)}`);
  }
}

function str(where: string, value: unknown): string {
  if (typeof value !== "string" || value.trim() === "") {
    throw new ScenarioError(`${where}: expected a non-empty string, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** A non-negative integer amount (sats or wei) as a decimal string or safe integer. */
function amount(where: string, value: unknown): bigint {
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  if (typeof value === "string" && /^\d+$/.test(value)) return BigInt(value);
  throw new ScenarioError(`${where}: expected an amount (a decimal string), got ${JSON.stringify(value)}`);
}

function comparison(where: string, value: unknown): Comparison {
  if (typeof value === "string" || typeof value === "number") return { eq: amount(where, value) };
  if (isObject(value)) {
    const keys = Object.keys(value);
    const op = keys[0];
    if (keys.length === 1 && (op === "eq" || op === "gt" || op === "gte" || op === "lt" || op === "lte")) {
      return { [op]: amount(`${where}.${op}`, value[op]) } as Comparison;
    }
  }
  throw new ScenarioError(
    `${where}: expected an amount string or one of {"eq"|"gt"|"gte"|"lt"|"lte": "<amount>"}, got ${JSON.stringify(value)}`,
  );
}

/** True when `actual` satisfies `expected`; `describe` renders the expectation for messages. */
export function compare(expected: Comparison, actual: bigint): boolean {
  if ("eq" in expected) return actual === expected.eq;
  if ("gt" in expected) return actual > expected.gt;
  if ("gte" in expected) return actual >= expected.gte;
  if ("lt" in expected) return actual < expected.lt;
  return actual <= expected.lte;
}

export function describeComparison(expected: Comparison): string {
  const [op, value] = Object.entries(expected)[0] as [string, bigint];
  return op === "eq" ? value.toString() : `${op} ${value}`;
}

// ------------------------------------------------------------------------------------------------ the parser

function parseNetwork(value: unknown): NetworkSettings {
  const network: NetworkSettings = { minConfirmations: 1, committee: 3, threshold: 2 };
  if (value === undefined) return network;
  if (!isObject(value)) throw new ScenarioError("network: expected an object");
  checkKeys("network", value, ["minConfirmations", "committee", "threshold"]);
  if (value.minConfirmations !== undefined) {
    network.minConfirmations = int("network.minConfirmations", value.minConfirmations, 1, 100);
  }
  if (value.committee !== undefined)
    network.committee = int("network.committee", value.committee, 1, MAX_COMMITTEE);
  if (value.threshold !== undefined)
    network.threshold = int("network.threshold", value.threshold, 1, MAX_COMMITTEE);
  if (network.threshold > network.committee) {
    throw new ScenarioError(
      `network: threshold ${network.threshold} exceeds the committee size ${network.committee}`,
    );
  }
  return network;
}

const USER_KEYS = ["id", "btcAddresses", "feeVaultEth", "bind", "account"] as const;

function parseUser(where: string, value: unknown): UserSpec {
  if (!isObject(value)) throw new ScenarioError(`${where}: expected an object`);
  checkKeys(where, value, USER_KEYS);
  const id = str(`${where}.id`, value.id);
  if (id === ALL_USERS)
    throw new ScenarioError(`${where}.id: "${ALL_USERS}" is reserved (it means every user)`);
  let btcAddresses: WalletAddressType[] = ["p2wpkh"];
  if (value.btcAddresses !== undefined) {
    if (!Array.isArray(value.btcAddresses) || value.btcAddresses.length === 0) {
      throw new ScenarioError(`${where}.btcAddresses: expected a non-empty list of address types`);
    }
    btcAddresses = value.btcAddresses.map((t, i) => {
      if (typeof t !== "string" || !(WALLET_ADDRESS_TYPES as readonly string[]).includes(t)) {
        throw new ScenarioError(
          `${where}.btcAddresses[${i}]: unknown address type ${JSON.stringify(t)} ` +
            `(expected one of ${WALLET_ADDRESS_TYPES.join(", ")})`,
        );
      }
      return t as WalletAddressType;
    });
  }
  const feeVaultWei =
    value.feeVaultEth === undefined ? parseEther("0.1") : eth(`${where}.feeVaultEth`, value.feeVaultEth);
  if (value.bind !== undefined && typeof value.bind !== "boolean") {
    throw new ScenarioError(`${where}.bind: expected true or false`);
  }
  const user: UserSpec = { id, btcAddresses, feeVaultWei, bind: value.bind !== false };
  if (value.account !== undefined) user.account = int(`${where}.account`, value.account, 0, 1_000_000);
  return user;
}

/** `generateUsers: {count, prefix?, btcAddresses?, feeVaultEth?, bind?}` → users prefix0 … prefix(count-1). */
function generateUsers(value: unknown): UserSpec[] {
  if (!isObject(value)) throw new ScenarioError("generateUsers: expected an object");
  checkKeys("generateUsers", value, ["count", "prefix", "btcAddresses", "feeVaultEth", "bind"]);
  const count = int("generateUsers.count", value.count, 1, MAX_GENERATED_USERS);
  const prefix = value.prefix === undefined ? "user" : str("generateUsers.prefix", value.prefix);
  const { count: _count, prefix: _prefix, ...template } = value;
  return Array.from({ length: count }, (_, i) =>
    parseUser("generateUsers", { ...template, id: `${prefix}${i}` }),
  );
}

function userMap<T>(
  where: string,
  body: unknown,
  users: ReadonlySet<string>,
  parse: (where: string, value: unknown) => T,
): Map<string, T> {
  if (!isObject(body) || Object.keys(body).length === 0) {
    throw new ScenarioError(`${where}: expected a map from user id to a value`);
  }
  const map = new Map<string, T>();
  for (const [user, value] of Object.entries(body)) {
    if (user !== ALL_USERS && !users.has(user)) {
      throw new ScenarioError(`${where}: unknown user "${user}"`);
    }
    map.set(user, parse(`${where}.${user}`, value));
  }
  return map;
}

function bool(where: string, value: unknown): boolean {
  if (typeof value !== "boolean")
    throw new ScenarioError(`${where}: expected true or false, got ${JSON.stringify(value)}`);
  return value;
}

function reasonList(where: string, value: unknown): string[] {
  const names: readonly string[] = EMERGENCY_BURN_REASON_NAMES;
  if (!Array.isArray(value) || value.some((r) => typeof r !== "string" || !names.includes(r))) {
    throw new ScenarioError(
      `${where}: expected a list of reason names (${names.join(", ")}), got ${JSON.stringify(value)}`,
    );
  }
  return value as string[];
}

const EXPECT_FIELDS = [
  ...USER_FIELDS,
  "emergencyBurns",
  "emergencyBurnReasons",
  "refusedBy",
  ...Object.keys(GLOBAL_FIELDS),
];

function operatorList(where: string, value: unknown): number[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== "number" || !Number.isInteger(v) || v < 0)) {
    throw new ScenarioError(
      `${where}: expected a list of operator indices (0-based), got ${JSON.stringify(value)}`,
    );
  }
  return [...(value as number[])].sort((a, b) => a - b);
}

function parseExpect(where: string, value: unknown, users: ReadonlySet<string>): Expectations {
  if (!isObject(value)) throw new ScenarioError(`${where}: expected an object of expectations`);
  const expectations: Expectations = { perUser: {}, global: [], burnReasons: new Map() };
  for (const [field, body] of Object.entries(value)) {
    if ((USER_FIELDS as readonly string[]).includes(field)) {
      expectations.perUser[field as UserField] = userMap(`${where}.${field}`, body, users, comparison);
    } else if (field === "emergencyBurns") {
      expectations.global.push({ field, expected: comparison(`${where}.${field}`, body) });
    } else if (field === "emergencyBurnReasons") {
      expectations.burnReasons = userMap(`${where}.${field}`, body, users, reasonList);
    } else if (field === "refusedBy") {
      expectations.refusedBy = operatorList(`${where}.${field}`, body);
    } else if (field in GLOBAL_FIELDS) {
      const group = GLOBAL_FIELDS[field as GlobalGroup];
      const numeric: readonly string[] = group.numeric;
      const booleans: readonly string[] = group.boolean;
      if (!isObject(body) || Object.keys(body).length === 0) {
        throw new ScenarioError(
          `${where}.${field}: expected an object of ${[...numeric, ...booleans].join(", ")}`,
        );
      }
      checkKeys(`${where}.${field}`, body, [...numeric, ...booleans]);
      for (const [key, v] of Object.entries(body)) {
        const name = `${field}.${key}`;
        expectations.global.push({
          field: name,
          expected: booleans.includes(key) ? bool(`${where}.${name}`, v) : comparison(`${where}.${name}`, v),
        });
      }
    } else {
      throw new ScenarioError(
        `${where}: unknown expectation field "${field}" (known: ${EXPECT_FIELDS.join(", ")})`,
      );
    }
  }
  return expectations;
}

/** True when the scenario needs the YieldScalesPool (a yield action or expectation). */
export function usesYield(scenario: Scenario): boolean {
  return scenario.steps.some((step) => {
    const a = step.action;
    if ("do" in a) return (YIELD_ACTIONS as readonly string[]).includes(a.do);
    if (!("expect" in a)) return false;
    return (
      a.expect.global.some((g) => g.field.startsWith("yield.")) ||
      YIELD_USER_FIELDS.some((f) => a.expect.perUser[f] !== undefined)
    );
  });
}

function tokens(where: string, value: unknown): bigint {
  try {
    if (typeof value !== "string" && typeof value !== "number") throw new Error("type");
    const units = parseUnits(String(value), 18);
    if (units <= 0n) throw new Error("not positive");
    return units;
  } catch {
    throw new ScenarioError(
      `${where}: expected a positive token amount like "1000" (18 decimals), got ${JSON.stringify(value)}`,
    );
  }
}

/** One step being parsed: where it is (for messages), its JSON, its kind and the scenario's users. */
interface StepInput {
  where: string;
  value: Json;
  kind: string;
  users: ReadonlyMap<string, UserSpec>;
}

/** Only these keys (besides the kind, expectError and note) may be on the step. */
function allowKeys(s: StepInput, ...allowed: string[]): void {
  checkKeys(s.where, s.value, [s.kind, "expectError", "note", ...allowed]);
}

/** A user id field (`*` for every user where `allowAll`). */
function userRef(s: StepInput, key: string, allowAll = false): string {
  const id = str(`${s.where}.${key}`, s.value[key]);
  if (allowAll && id === ALL_USERS) return id;
  if (!s.users.has(id)) throw new ScenarioError(`${s.where}.${key}: unknown user "${id}"`);
  return id;
}

/** The `address` index of one of `user`'s BTC addresses (default 0). */
function addressIndex(s: StepInput, user: string): number {
  if (s.value.address === undefined) return 0;
  const spec = s.users.get(user);
  const max = spec === undefined ? Number.MAX_SAFE_INTEGER : spec.btcAddresses.length - 1;
  return int(`${s.where}.address`, s.value.address, 0, max);
}

function operatorIndex(s: StepInput): number {
  return int(`${s.where}.operator`, s.value.operator, 0, MAX_COMMITTEE - 1);
}

function satsField(s: StepInput, key: string, min?: bigint): bigint {
  return sats(`${s.where}.${key}`, s.value[key], min);
}

/** The step's one kind (btc, oracle, do or expect). */
function stepKind(where: string, value: Json): string {
  const kinds = ["btc", "oracle", "do", "expect"].filter((k) => k in value);
  if (kinds.length !== 1) {
    const keys = Object.keys(value).filter((k) => k !== "expectError" && k !== "note");
    throw new ScenarioError(
      kinds.length === 0
        ? `${where}: unknown step kind ${keys.map((k) => `"${k}"`).join(", ") || "(none)"} (expected btc, oracle, do or expect)`
        : `${where}: a step has exactly one kind, found ${kinds.join(" and ")}`,
    );
  }
  return kinds[0] as string;
}

function btcAction(s: StepInput, action: string): BtcStep {
  const { where, value } = s;
  switch (action) {
    case "fund": {
      allowKeys(s, "user", "address", "sats");
      const user = userRef(s, "user", true);
      return { btc: "fund", user, address: addressIndex(s, user), sats: satsField(s, "sats") };
    }
    case "spend": {
      allowKeys(s, "user", "address", "sats", "feeSats");
      const user = userRef(s, "user", true);
      return {
        btc: "spend",
        user,
        address: addressIndex(s, user),
        sats: satsField(s, "sats"),
        feeSats: value.feeSats === undefined ? 0n : satsField(s, "feeSats", 0n),
      };
    }
    case "mine":
      allowKeys(s, "blocks");
      return {
        btc: "mine",
        blocks: value.blocks === undefined ? 1 : int(`${where}.blocks`, value.blocks, 1, 1000),
      };
    case "reorg":
      allowKeys(s, "depth");
      return { btc: "reorg", depth: int(`${where}.depth`, value.depth, 1, 1000) };
    default:
      throw new ScenarioError(
        `${where}: unknown btc action "${action}" (expected fund, spend, mine or reorg)`,
      );
  }
}

function oracleAction(s: StepInput, action: string): OracleStep {
  const { where, value } = s;
  switch (action) {
    case "sync":
    case "pause":
    case "unpause":
      allowKeys(s);
      return { oracle: action };
    case "bind": {
      allowKeys(s, "user", "address");
      const user = userRef(s, "user");
      return { oracle: "bind", user, address: addressIndex(s, user) };
    }
    case "kill-operator":
    case "revive-operator":
    case "operator-honest":
      allowKeys(s, "operator");
      return { oracle: action, operator: operatorIndex(s) };
    case "operator-lies":
      allowKeys(s, "operator", "inflateSats");
      return { oracle: action, operator: operatorIndex(s), inflateSats: satsField(s, "inflateSats") };
    case "operator-lags":
      allowKeys(s, "operator", "blocks");
      return {
        oracle: action,
        operator: operatorIndex(s),
        blocks: int(`${where}.blocks`, value.blocks, 1, 1000),
      };
    case "malicious-proposal":
      allowKeys(s, "user", "inflateSats");
      return { oracle: action, user: userRef(s, "user"), inflateSats: satsField(s, "inflateSats") };
    default:
      throw new ScenarioError(
        `${where}: unknown oracle action "${action}" (expected sync, bind, pause, unpause, kill-operator, ` +
          "revive-operator, operator-lies, operator-lags, operator-honest or malicious-proposal)",
      );
  }
}

function unknownDoAction(s: StepInput, action: string): ScenarioError {
  return new ScenarioError(
    `${s.where}: unknown do action "${action}" (expected wrap, redeem, transfer, depositFee, withdrawFee, ` +
      `advanceTime, executeQueuedMint, cancelQueuedMint, dispute, resolve, expireDispute, fundDisputeRewards, ` +
      `${YIELD_ACTIONS.join(", ")})`,
  );
}

function doAction(s: StepInput, action: string): DoStep {
  switch (action) {
    case "dispute":
    case "resolve":
    case "expireDispute":
    case "fundDisputeRewards":
      return disputeAction(s, action);
    default:
      return (YIELD_ACTIONS as readonly string[]).includes(action)
        ? yieldAction(s, action)
        : userAction(s, action);
  }
}

/** A user's own actions: tokens, fees, queued mints; and time passing. */
function userAction(s: StepInput, action: string): DoStep {
  const { where, value } = s;
  switch (action) {
    case "wrap":
    case "redeem":
      allowKeys(s, "user", "sats");
      return { do: action, user: userRef(s, "user"), sats: satsField(s, "sats") };
    case "transfer": {
      allowKeys(s, "token", "from", "to", "sats");
      const token = value.token === undefined ? "wrBTC" : value.token;
      if (token !== "wrBTC") {
        throw new ScenarioError(
          `${where}.token: only "wrBTC" transfers (rBTC-SYNTH is soulbound), got ${JSON.stringify(token)}`,
        );
      }
      return {
        do: "transfer",
        token,
        from: userRef(s, "from"),
        to: userRef(s, "to"),
        sats: satsField(s, "sats"),
      };
    }
    case "depositFee":
      allowKeys(s, "user", "eth");
      return { do: "depositFee", user: userRef(s, "user"), wei: eth(`${where}.eth`, value.eth) };
    case "withdrawFee":
      allowKeys(s, "user", "eth");
      return {
        do: "withdrawFee",
        user: userRef(s, "user"),
        wei: value.eth === "all" ? "all" : eth(`${where}.eth`, value.eth),
      };
    case "executeQueuedMint":
    case "cancelQueuedMint":
      allowKeys(s, "user");
      return { do: action, user: userRef(s, "user") };
    case "advanceTime":
      allowKeys(s, "seconds");
      return { do: "advanceTime", seconds: int(`${where}.seconds`, value.seconds, 1) };
    default:
      throw unknownDoAction(s, action);
  }
}

function disputeAction(s: StepInput, action: string): DoStep {
  const { where, value } = s;
  switch (action) {
    case "dispute":
      allowKeys(s, "challenger", "user", "claimedSats", "bondEth");
      return {
        do: "dispute",
        challenger: userRef(s, "challenger"),
        user: userRef(s, "user"),
        claimedSats: satsField(s, "claimedSats", 0n),
        bondWei: eth(`${where}.bondEth`, value.bondEth),
      };
    case "resolve": {
      allowKeys(s, "upheld", "resolvedSats");
      const upheld = bool(`${where}.upheld`, value.upheld);
      const resolvedSats = value.resolvedSats === undefined ? 0n : satsField(s, "resolvedSats", 0n);
      if (upheld && value.resolvedSats === undefined) {
        throw new ScenarioError(`${where}.resolvedSats: an upheld dispute needs the resolved total`);
      }
      return { do: "resolve", upheld, resolvedSats };
    }
    case "expireDispute":
      allowKeys(s);
      return { do: "expireDispute" };
    case "fundDisputeRewards":
      allowKeys(s, "eth");
      return { do: "fundDisputeRewards", wei: eth(`${where}.eth`, value.eth) };
    default:
      throw unknownDoAction(s, action);
  }
}

function yieldAction(s: StepInput, action: string): DoStep {
  const { where, value } = s;
  switch (action) {
    case "joinYield":
    case "leaveYield":
    case "claimYield":
      allowKeys(s, "user");
      return { do: action, user: userRef(s, "user") };
    case "stakeWrBTC":
    case "unstakeWrBTC":
      allowKeys(s, "user", "sats");
      return { do: action, user: userRef(s, "user"), sats: satsField(s, "sats") };
    case "depositLiquidity":
      allowKeys(s, "user", "tokens");
      return { do: action, user: userRef(s, "user"), units: tokens(`${where}.tokens`, value.tokens) };
    case "fundRewards":
      allowKeys(s, "tokens");
      return { do: action, units: tokens(`${where}.tokens`, value.tokens) };
    default:
      throw unknownDoAction(s, action);
  }
}

function parseStep(index: number, value: unknown, users: ReadonlyMap<string, UserSpec>): Step {
  const where = `step ${index}`;
  if (!isObject(value)) throw new ScenarioError(`${where}: expected an object`);
  const kind = stepKind(where, value);
  const step: Step = { index, action: { oracle: "sync" } };
  if (value.expectError !== undefined) step.expectError = str(`${where}.expectError`, value.expectError);
  if (value.note !== undefined) step.note = str(`${where}.note`, value.note);
  const s: StepInput = { where, value, kind, users };
  if (kind === "expect") {
    allowKeys(s);
    step.action = { expect: parseExpect(`${where}.expect`, value.expect, new Set(users.keys())) };
    return step;
  }
  const action = value[kind];
  if (typeof action !== "string") throw new ScenarioError(`${where}.${kind}: expected an action name`);
  step.action =
    kind === "btc" ? btcAction(s, action) : kind === "oracle" ? oracleAction(s, action) : doAction(s, action);
  return step;
}

/** Steps that name an operator outside the committee, or bind an address the setup already bound. */
function checkStepsAgainstSetup(
  steps: readonly Step[],
  network: Scenario["network"],
  byId: ReadonlyMap<string, UserSpec>,
): void {
  for (const step of steps) {
    const a = step.action;
    if (
      "oracle" in a &&
      (OPERATOR_ACTIONS as readonly string[]).includes(a.oracle) &&
      "operator" in a &&
      a.operator >= network.committee
    ) {
      throw new ScenarioError(
        `step ${step.index}.operator: no operator ${a.operator} in a committee of ${network.committee} (0-based)`,
      );
    }
    if ("expect" in a) {
      const beyond = a.expect.refusedBy?.find((i) => i >= network.committee);
      if (beyond !== undefined) {
        throw new ScenarioError(
          `step ${step.index}.expect.refusedBy: no operator ${beyond} in a committee of ${network.committee} (0-based)`,
        );
      }
    }
    if ("oracle" in a && a.oracle === "bind" && byId.get(a.user)?.bind === true) {
      // binding an address the setup already bound is a scenario bug unless the step expects the error
      if (step.expectError === undefined) {
        throw new ScenarioError(
          `step ${step.index}: user "${a.user}" is bound at setup (set "bind": false to bind in a step)`,
        );
      }
    }
  }
}

/** Pinned user accounts: not an operator's, not twice. */
function checkAccounts(users: readonly UserSpec[], network: Scenario["network"]): void {
  const accounts = new Set<number>();
  for (const user of users) {
    if (user.account === undefined) continue;
    if (user.account >= 1 && user.account <= network.committee) {
      throw new ScenarioError(
        `users: "${user.id}" account ${user.account} is a committee operator (1..${network.committee})`,
      );
    }
    if (accounts.has(user.account)) throw new ScenarioError(`users: account ${user.account} used twice`);
    accounts.add(user.account);
  }
}

/** Parses and validates a scenario document (already JSON-decoded). Throws ScenarioError naming the problem. */
export function parseScenario(document: unknown): Scenario {
  if (!isObject(document)) throw new ScenarioError("scenario: expected a JSON object");
  checkKeys("scenario", document, ["name", "description", "network", "users", "generateUsers", "steps"]);
  const name = str("scenario.name", document.name);
  const network = parseNetwork(document.network);
  const users: UserSpec[] = [];
  if (document.users !== undefined) {
    if (!Array.isArray(document.users)) throw new ScenarioError("users: expected a list");
    document.users.forEach((u, i) => users.push(parseUser(`users[${i}]`, u)));
  }
  if (document.generateUsers !== undefined) users.push(...generateUsers(document.generateUsers));
  const byId = new Map<string, UserSpec>();
  for (const user of users) {
    if (byId.has(user.id)) throw new ScenarioError(`users: duplicate id "${user.id}"`);
    byId.set(user.id, user);
  }
  if (!Array.isArray(document.steps) || document.steps.length === 0) {
    throw new ScenarioError("steps: expected a non-empty list");
  }
  const steps = document.steps.map((s, i) => parseStep(i, s, byId));
  checkStepsAgainstSetup(steps, network, byId);
  checkAccounts(users, network);
  const scenario: Scenario = { name, network, users, steps };
  if (document.description !== undefined)
    scenario.description = str("scenario.description", document.description);
  return scenario;
}

/** Reads and validates a scenario file. */
export async function loadScenarioFile(file: string): Promise<Scenario> {
  if (file.trim() === "") throw new ScenarioError("--scenario FILE is required");
  const { readFile } = await import("node:fs/promises");
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new ScenarioError(
      `cannot read scenario ${file}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new ScenarioError(
      `${file} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return parseScenario(document);
}
