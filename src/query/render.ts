/** Human output of the realtime tasks: scalar fields as `key  value` rows, lists as column tables. */

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

function cell(value: Json): string {
  if (value === null) return "-";
  if (typeof value === "object") {
    return Array.isArray(value)
      ? value.map(cell).join(",")
      : Object.entries(value)
          .map(([k, v]) => `${k}=${cell(v)}`)
          .join(" ");
  }
  return String(value);
}

function columns(rows: Array<Record<string, Json>>): string {
  if (rows.length === 0) return "  (none)";
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const text = rows.map((r) => keys.map((k) => cell(r[k] ?? null)));
  const widths = keys.map((k, i) => Math.max(k.length, ...text.map((t) => (t[i] ?? "").length)));
  const line = (values: string[]) =>
    `  ${values.map((v, i) => v.padEnd(widths[i] ?? 0)).join("  ")}`.trimEnd();
  return [line(keys), ...text.map(line)].join("\n");
}

function flatten(prefix: string, value: Json, out: Array<[string, string]>): void {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(prefix === "" ? k : `${prefix}.${k}`, v, out);
  } else {
    out.push([prefix, cell(value)]);
  }
}

export function renderResult(name: string, result: unknown): string {
  const value = JSON.parse(JSON.stringify(result)) as { [key: string]: Json };
  const scalars: Array<[string, string]> = [];
  const lists: string[] = [];
  for (const [k, v] of Object.entries(value)) {
    if (Array.isArray(v) && v.every((x) => x !== null && typeof x === "object" && !Array.isArray(x))) {
      lists.push(`${k}:\n${columns(v as Array<Record<string, Json>>)}`);
    } else {
      flatten(k, v, scalars);
    }
  }
  const width = Math.max(0, ...scalars.map(([k]) => k.length));
  return [`${name}`, ...scalars.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`), ...lists].join("\n");
}
