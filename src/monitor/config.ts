/**
 * Monitor configuration: documented defaults, overridden by a JSON file (`--config FILE`), overridden by task
 * options. Validated once at start-up; anything wrong is a UserInputError naming the field (exit 2).
 */
import { readFile } from "node:fs/promises";

import type { BitcoinNetwork } from "../bitcoin/networks.js";
import { isBitcoinNetwork } from "../bitcoin/networks.js";
import { UserInputError } from "../errors.js";
import { LOG_RANGE_BLOCKS } from "../query/rpc.js";
import { DEFAULT_BITCOIN_URL } from "../reserves/check.js";

/** Alert thresholds (see docs/operations.md, "Alerts"). */
export interface MonitorThresholds {
  /** oracle-lag: Bitcoin tip − attested height above this many blocks. */
  maxLagBlocks: number;
  /** oracle-stalled: no reserve round committed for more than this many seconds. */
  stallSeconds: number;
  /** round-failed: this many consecutive failed rounds (runner outcomes; inside `oracle:run` only). */
  failedRounds: number;
  /** operators-low: fewer live operators than threshold + this margin. */
  operatorMargin: number;
}

export interface WebhookConfig {
  url: string;
  /** Per attempt. */
  timeoutMs: number;
  /** Attempts after the first one, within one delivery. */
  retries: number;
  /** Delay before the first retry; doubled for each further retry. */
  retryDelayMs: number;
  /** Extra request headers (e.g. an authorization token). */
  headers: Record<string, string>;
  /** Passes a failed delivery is retried on (kept in the state file) before it is dropped with an error log. */
  maxPendingPasses: number;
}

export interface MonitorConfig {
  intervalSeconds: number;
  /** JSON file with the cursor, the active conditions, the alerted events and undelivered alerts. */
  stateFile: string;
  /** Esplora API root(s), comma-separated (all must agree on the tip). */
  bitcoin: string;
  btcNetwork: BitcoinNetwork;
  /** Blocks below the head before events are scanned (0 on local chains; a few on real ones against reorgs). */
  confirmations: number;
  /** Widest eth_getLogs range. */
  logRangeBlocks: number;
  /** First block to scan when there is no cursor yet (default: the deployment's start block, else 0). */
  fromBlock?: number;
  thresholds: MonitorThresholds;
  webhook?: WebhookConfig;
}

export const DEFAULT_THRESHOLDS: Readonly<MonitorThresholds> = {
  maxLagBlocks: 6,
  stallSeconds: 300,
  failedRounds: 2,
  operatorMargin: 1,
};

export const DEFAULT_WEBHOOK: Readonly<Omit<WebhookConfig, "url">> = {
  timeoutMs: 5_000,
  retries: 3,
  retryDelayMs: 500,
  headers: {},
  maxPendingPasses: 20,
};

/**
 * Default state file of a chain (ignored by git): `monitor:run` and the monitor inside `oracle:run` default to
 * different files, so running both never has two processes writing one state.
 */
export function defaultStateFile(chainId: bigint, inRunner = false): string {
  return inRunner ? `.monitor/runner-state-${chainId}.json` : `.monitor/state-${chainId}.json`;
}

export const DEFAULT_INTERVAL_SECONDS = 30;

/** Values from task options; undefined (or "" / negative sentinel, mapped by the caller) keeps the file's value. */
export interface MonitorOverrides {
  intervalSeconds?: number;
  stateFile?: string;
  bitcoin?: string;
  btcNetwork?: string;
  webhook?: string;
  thresholds?: Partial<MonitorThresholds>;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function bad(field: string, expected: string, value: unknown): never {
  throw new UserInputError(
    `monitor config: ${field} must be ${expected}, got ${JSON.stringify(value)}`,
    "MONITOR_CONFIG",
  );
}

function integer(field: string, value: unknown, min: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min)
    bad(field, `an integer ≥ ${min}`, value);
  return value;
}

function positive(field: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0)
    bad(field, "a positive number", value);
  return value;
}

function httpUrl(field: string, value: unknown): string {
  if (typeof value !== "string") bad(field, "an http(s) URL", value);
  for (const part of value.split(",")) {
    let url: URL;
    try {
      url = new URL(part.trim());
    } catch {
      bad(field, "an http(s) URL", value);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") bad(field, "an http(s) URL", value);
  }
  return value;
}

function known(field: string, object: Json, keys: readonly string[]): void {
  for (const key of Object.keys(object)) {
    if (!keys.includes(key)) {
      throw new UserInputError(
        `monitor config: unknown field ${field}${key} (known: ${keys.join(", ")})`,
        "MONITOR_CONFIG",
      );
    }
  }
}

/** Validates a parsed config document (every field optional) merged over the defaults. */
export function parseMonitorConfig(doc: unknown, chainId: bigint, inRunner = false): MonitorConfig {
  if (!isObject(doc)) bad("the document", "a JSON object", doc);
  known("", doc, [
    "intervalSeconds",
    "stateFile",
    "bitcoin",
    "btcNetwork",
    "confirmations",
    "logRangeBlocks",
    "fromBlock",
    "thresholds",
    "webhook",
  ]);
  const t = doc.thresholds ?? {};
  if (!isObject(t)) bad("thresholds", "an object", t);
  known("thresholds.", t, Object.keys(DEFAULT_THRESHOLDS));
  const thresholds: MonitorThresholds = {
    maxLagBlocks: integer("thresholds.maxLagBlocks", t.maxLagBlocks ?? DEFAULT_THRESHOLDS.maxLagBlocks, 0),
    stallSeconds: integer("thresholds.stallSeconds", t.stallSeconds ?? DEFAULT_THRESHOLDS.stallSeconds, 1),
    failedRounds: integer("thresholds.failedRounds", t.failedRounds ?? DEFAULT_THRESHOLDS.failedRounds, 1),
    operatorMargin: integer(
      "thresholds.operatorMargin",
      t.operatorMargin ?? DEFAULT_THRESHOLDS.operatorMargin,
      0,
    ),
  };
  const btcNetwork = doc.btcNetwork ?? "regtest";
  if (typeof btcNetwork !== "string" || !isBitcoinNetwork(btcNetwork))
    bad("btcNetwork", "mainnet, testnet, signet or regtest", btcNetwork);
  const stateFile = doc.stateFile ?? defaultStateFile(chainId, inRunner);
  if (typeof stateFile !== "string" || stateFile === "") bad("stateFile", "a file path", stateFile);
  const config: MonitorConfig = {
    intervalSeconds: positive("intervalSeconds", doc.intervalSeconds ?? DEFAULT_INTERVAL_SECONDS),
    stateFile,
    bitcoin: httpUrl("bitcoin", doc.bitcoin ?? DEFAULT_BITCOIN_URL),
    btcNetwork,
    confirmations: integer("confirmations", doc.confirmations ?? 0, 0),
    logRangeBlocks: integer("logRangeBlocks", doc.logRangeBlocks ?? LOG_RANGE_BLOCKS, 1),
    thresholds,
  };
  if (doc.fromBlock !== undefined) config.fromBlock = integer("fromBlock", doc.fromBlock, 0);
  if (doc.webhook !== undefined) {
    const w = typeof doc.webhook === "string" ? { url: doc.webhook } : doc.webhook;
    if (!isObject(w)) bad("webhook", "a URL or an object with a url", w);
    known("webhook.", w, ["url", ...Object.keys(DEFAULT_WEBHOOK)]);
    const headers = w.headers ?? {};
    if (!isObject(headers) || Object.values(headers).some((v) => typeof v !== "string"))
      bad("webhook.headers", "an object of strings", headers);
    config.webhook = {
      url: httpUrl("webhook.url", w.url),
      timeoutMs: integer("webhook.timeoutMs", w.timeoutMs ?? DEFAULT_WEBHOOK.timeoutMs, 1),
      retries: integer("webhook.retries", w.retries ?? DEFAULT_WEBHOOK.retries, 0),
      retryDelayMs: integer("webhook.retryDelayMs", w.retryDelayMs ?? DEFAULT_WEBHOOK.retryDelayMs, 0),
      headers: headers as Record<string, string>,
      maxPendingPasses: integer(
        "webhook.maxPendingPasses",
        w.maxPendingPasses ?? DEFAULT_WEBHOOK.maxPendingPasses,
        1,
      ),
    };
  }
  return config;
}

/** Reads the JSON config file (when given), applies the overrides, validates. */
export async function loadMonitorConfig(
  file: string | undefined,
  overrides: MonitorOverrides,
  chainId: bigint,
  inRunner = false,
): Promise<MonitorConfig> {
  let doc: Json = {};
  if (file !== undefined && file !== "") {
    let raw: string;
    try {
      raw = await readFile(file, "utf8");
    } catch (error) {
      throw new UserInputError(
        `monitor config ${file}: ${error instanceof Error ? error.message : String(error)}`,
        "MONITOR_CONFIG",
      );
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch (error) {
      throw new UserInputError(
        `monitor config ${file}: not JSON (${error instanceof Error ? error.message : String(error)})`,
        "MONITOR_CONFIG",
      );
    }
    if (!isObject(parsed)) bad("the document", "a JSON object", parsed);
    doc = parsed;
  }
  const merged: Json = { ...doc };
  if (overrides.intervalSeconds !== undefined) merged.intervalSeconds = overrides.intervalSeconds;
  if (overrides.stateFile !== undefined) merged.stateFile = overrides.stateFile;
  if (overrides.bitcoin !== undefined) merged.bitcoin = overrides.bitcoin;
  if (overrides.btcNetwork !== undefined) merged.btcNetwork = overrides.btcNetwork;
  if (overrides.webhook !== undefined) {
    merged.webhook = isObject(doc.webhook)
      ? { ...doc.webhook, url: overrides.webhook }
      : { url: overrides.webhook };
  }
  if (overrides.thresholds !== undefined) {
    merged.thresholds = { ...(isObject(doc.thresholds) ? doc.thresholds : {}), ...overrides.thresholds };
  }
  return parseMonitorConfig(merged, chainId, inRunner);
}
