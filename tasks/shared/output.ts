import { reportTaskError } from "../../src/errors.js";

/** JSON.stringify replacer: bigint → decimal string (amounts in sats). */
export function jsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}

/** Two-column table for human output. */
export function table(rows: Array<[string, unknown]>): string {
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows
    .map(([k, v]) => `${k.padEnd(width)}  ${typeof v === "string" ? v : JSON.stringify(v, jsonReplacer)}`)
    .join("\n");
}

/**
 * Runs a task body: prints one JSON document with --json, a table otherwise; any error becomes one line
 * `error: <message>` on stderr and a non-zero exit code (2 for bad input / backend, 1 otherwise).
 */
export async function runTask<T>(
  json: boolean,
  run: () => Promise<T>,
  render: (result: T) => string,
): Promise<T | undefined> {
  try {
    const result = await run();
    console.log(json ? JSON.stringify(result, jsonReplacer, 2) : render(result));
    return result;
  } catch (error) {
    reportTaskError(error);
    return undefined;
  }
}
