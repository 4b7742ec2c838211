import type { PassResult } from "../../src/monitor/monitor.js";
import { table } from "../shared/output.js";

/** `monitor:run --once` as a table: the pass, each condition, the events found and the alerts raised. */
export function renderPass(r: PassResult): string {
  const pad = (s: string, n: number) => s.padEnd(n);
  const lines = [
    table([
      ["chain / Oracle", `${r.chainId} / ${r.oracle}`],
      ["head", String(r.head)],
      ["blocks scanned", r.range === null ? "none new" : `${r.range.fromBlock}..${r.range.toBlock}`],
      ["undelivered alerts", String(r.pending)],
    ]),
    "",
    `${pad("condition", 16)}${pad("state", 9)}${pad("value", 44)}threshold`,
    ...r.conditions.map((c) => `${pad(c.kind, 16)}${pad(c.state, 9)}${pad(c.value, 44)}${c.threshold}`),
    "",
    r.events.length === 0 ? "no events in the scanned blocks" : "events:",
    ...r.events.map((e) => `  ${e.kind} block ${e.block}: ${e.summary}`),
    "",
    r.alerts.length === 0 ? "no new alerts" : "alerts raised:",
    ...r.alerts.map((a) => `  [${a.severity}] ${a.status} ${a.kind}: ${a.summary}`),
  ];
  return lines.join("\n");
}
