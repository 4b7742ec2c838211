/**
 * Log lines of the long-running tasks (`oracle:run`, `oracle:operator`, `monitor:run`). With `--json`: one pino JSON
 * object per line, for log shippers and `jq` (the machine-readable form, as `--json` is for every other task).
 * Otherwise one line per record for a person at a terminal: time, level, message, then the record's fields as
 * `key=value` — the same records, the same `event` names.
 */
import { pino } from "pino";
import type { Logger } from "pino";

export interface TaskLoggerOptions {
  /** One JSON object per line (true) or human-readable lines (false). */
  json: boolean;
  /** debug | info | warn | error. */
  level: string;
  /** The `service` field of every JSON record (e.g. reservebtc-oracle). */
  service: string;
  /** File descriptor written to: 1 (stdout, default) or 2 (stderr, when stdout carries a result document). */
  fd?: 1 | 2;
}

/** pino's numeric levels by name, for the human form. */
const LEVEL_NAMES: Readonly<Record<number, string>> = {
  10: "TRACE",
  20: "DEBUG",
  30: "INFO",
  40: "WARN",
  50: "ERROR",
  60: "FATAL",
};

/** Fields every record has that the human line shows in its own way (or not at all). */
const SHOWN_APART = new Set(["level", "time", "pid", "hostname", "service", "msg"]);

/** A field's value in a human line: strings bare unless they hold spaces, everything else as JSON. */
function fieldValue(value: unknown): string {
  if (typeof value === "string") return value === "" || /\s/.test(value) ? JSON.stringify(value) : value;
  return JSON.stringify(value) ?? String(value);
}

/**
 * One pino record as a human line: `2026-12-03T17:10:00.123Z INFO  round complete  event=round round=1 changed=1 …`.
 */
export function humanLogLine(record: Readonly<Record<string, unknown>>): string {
  const time = typeof record.time === "number" ? new Date(record.time).toISOString() : "";
  const level = LEVEL_NAMES[Number(record.level)] ?? String(record.level);
  const fields = Object.entries(record)
    .filter(([key]) => !SHOWN_APART.has(key))
    .map(([key, value]) => `${key}=${fieldValue(value)}`);
  const head = [time, level.padEnd(5), typeof record.msg === "string" ? record.msg : ""]
    .filter((part) => part !== "")
    .join(" ");
  return fields.length === 0 ? head : `${head}  ${fields.join(" ")}`;
}

/** A logger for a long-running task: JSON lines with `--json`, human lines otherwise, on `fd` (stdout by default). */
export function taskLogger(options: TaskLoggerOptions): Logger {
  // Synchronous writes: a line logged just before process.exit (a second signal) is not lost.
  const out = pino.destination({ dest: options.fd ?? 1, sync: true });
  const settings = { level: options.level, base: { service: options.service } };
  if (options.json) return pino(settings, out);
  return pino(settings, {
    write: (line: string) => {
      out.write(`${humanLogLine(JSON.parse(line) as Record<string, unknown>)}\n`);
    },
  });
}
