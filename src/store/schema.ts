// The history schema: one Postgres table per entity of subgraph/schema.graphql, named and typed the way graph-node
// stores entities and Goldsky Mirror's `postgres` sink writes them (snake_case table and column names in the
// `reservebtc` schema; Bytes as 0x-hex text, BigInt as numeric, Int as integer, enums and references as text, lists
// as arrays). Both writers — the local indexer (src/store/indexer.ts) and Mirror (subgraph/pipelines/) — write these
// tables; the `postgres` source (src/query/postgres.ts) reads them. The DDL in src/store/migrations/ is generated from
// here (`renderHistoryDdl`) and the store tests check it has not drifted from the schema.

import type { Schema, SchemaField } from "../subgraph/checks.js";
import { parseSchema } from "../subgraph/checks.js";
import type { EntityData, FieldValue } from "../subgraph/host.js";
import { columnText } from "./db.js";

/** The Postgres schema (namespace) every table lives in. */
export const PG_SCHEMA = "reservebtc";

/** `ReserveDaySnapshot` → `reserve_day_snapshot` (graph-node's and Mirror's naming). */
export function snakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/([A-Z])([A-Z][a-z])/g, "$1_$2")
    .toLowerCase();
}

export interface ColumnDef {
  /** The entity field. */
  readonly field: string;
  readonly column: string;
  readonly sqlType: string;
  /** Store value kind of the field (how a row value goes back into the mappings). */
  readonly kind: "string" | "int" | "bigint" | "bool" | "bytes";
  readonly list: boolean;
  readonly required: boolean;
}

export interface TableDef {
  readonly entity: string;
  readonly table: string;
  readonly immutable: boolean;
  /** Stored columns (derived fields are not stored), `id` first. */
  readonly columns: readonly ColumnDef[];
}

export interface HistorySchema {
  readonly tables: ReadonlyMap<string, TableDef>;
  readonly enums: ReadonlyMap<string, ReadonlySet<string>>;
}

const SCALARS: Record<string, { sqlType: string; kind: ColumnDef["kind"] }> = {
  Bytes: { sqlType: "text", kind: "bytes" },
  ID: { sqlType: "text", kind: "string" },
  String: { sqlType: "text", kind: "string" },
  BigInt: { sqlType: "numeric", kind: "bigint" },
  Int: { sqlType: "integer", kind: "int" },
  Boolean: { sqlType: "boolean", kind: "bool" },
};

function columnOf(schema: Schema, name: string, field: SchemaField): ColumnDef {
  let mapped = SCALARS[field.type];
  if (mapped === undefined && schema.enums.has(field.type)) mapped = { sqlType: "text", kind: "string" };
  // A reference stores the referenced entity's id (every entity here has a Bytes id).
  if (mapped === undefined && schema.entities.has(field.type)) mapped = { sqlType: "text", kind: "bytes" };
  if (mapped === undefined) throw new Error(`schema field ${name}: type ${field.type} has no column type`);
  return {
    field: name,
    column: snakeCase(name),
    sqlType: field.list ? `${mapped.sqlType}[]` : mapped.sqlType,
    kind: mapped.kind,
    list: field.list,
    required: field.required,
  };
}

/** Tables of every entity of a schema.graphql text. */
export function historySchema(schemaText: string): HistorySchema {
  const schema = parseSchema(schemaText);
  const immutable = new Set(
    [...schemaText.matchAll(/^type (\w+) @entity\(immutable: true\)/gm)].map((m) => m[1] ?? ""),
  );
  const tables = new Map<string, TableDef>();
  for (const [entity, fields] of schema.entities) {
    const columns = [...fields]
      .filter(([, f]) => !f.derived)
      .map(([name, f]) => columnOf(schema, name, f))
      .sort((a, b) => (a.field === "id" ? -1 : b.field === "id" ? 1 : 0));
    tables.set(entity, { entity, table: snakeCase(entity), immutable: immutable.has(entity), columns });
  }
  return { tables, enums: schema.enums };
}

/** `"reservebtc"."user"` — quoted (several entity and field names are SQL keywords). */
export function qualified(table: string): string {
  return `"${PG_SCHEMA}"."${table}"`;
}

export function quote(identifier: string): string {
  return `"${identifier}"`;
}

/** Indexes of a table: user, block and time for event records; the reads of the postgres source. */
function indexesOf(t: TableDef): string[] {
  const has = (c: string) => t.columns.some((col) => col.column === c);
  const out: string[] = [];
  const index = (suffix: string, cols: string) =>
    out.push(`create index "${t.table}_${suffix}_idx" on ${qualified(t.table)} (${cols});`);
  if (has("user") && has("block_number")) index("user_block", `"user", block_number desc, log_index desc`);
  else if (has("user")) index("user", `"user"`);
  if (has("block_number")) index("block", "block_number");
  if (has("block_timestamp")) index("time", "block_timestamp");
  if (has("dispute")) index("dispute", "dispute");
  if (has("participant")) index("participant", "participant");
  if (t.table === "bitcoin_address") index("status_user", `status, "user", address`);
  if (t.table === "reserve_round") index("round", "round_id desc");
  if (t.table === "dispute") index("status", "status, dispute_id desc");
  return out;
}

/** The DDL of every entity table (what migration 0001 holds). */
export function renderHistoryDdl(schema: HistorySchema): string {
  const parts: string[] = [];
  for (const t of schema.tables.values()) {
    const cols = t.columns.map(
      (c) =>
        `  ${quote(c.column)} ${c.sqlType}${c.column === "id" ? " primary key" : c.required ? " not null" : ""}`,
    );
    // Mirror's rows also carry graph-node's version id and block range.
    cols.push(`  vid bigserial`, `  block_range int4range`);
    parts.push(
      `-- ${t.entity} (${t.immutable ? "immutable event record" : "mutable aggregate"})\n` +
        `create table ${qualified(t.table)} (\n${cols.join(",\n")}\n);\n` +
        indexesOf(t)
          .map((i) => `${i}\n`)
          .join(""),
    );
  }
  return parts.join("\n");
}

/** A row value (as node-postgres / PGlite return it) as the store value the mappings expect. */
function fieldValue(c: ColumnDef, value: unknown): FieldValue {
  if (value === null || value === undefined) return { kind: "null" };
  if (c.list) {
    return { kind: "array", value: (value as unknown[]).map((v) => fieldValue({ ...c, list: false }, v)) };
  }
  switch (c.kind) {
    case "bigint":
      return { kind: "bigint", value: BigInt(columnText(value, c.column)) };
    case "int":
      return { kind: "int", value: Number(value) };
    case "bool":
      return { kind: "bool", value: value === true || value === "t" || value === "true" };
    case "bytes":
      return { kind: "bytes", value: columnText(value, c.column) };
    case "string":
      return { kind: "string", value: columnText(value, c.column) };
  }
}

/** A table row as the entity the mappings load. */
export function rowToEntity(t: TableDef, row: Record<string, unknown>): EntityData {
  const data: EntityData = new Map();
  for (const c of t.columns) {
    const v = row[c.column];
    if (v === null || v === undefined) continue; // unset: graph-ts getters read a missing field as null
    data.set(c.field, fieldValue(c, v));
  }
  return data;
}

function plain(value: FieldValue): unknown {
  switch (value.kind) {
    case "null":
      return null;
    case "bigint":
      return value.value.toString();
    case "array":
      return value.value.map(plain);
    default:
      return value.value;
  }
}

/** An entity as a JSON row (column → value) for `jsonb_populate_recordset`. */
export function entityToRow(t: TableDef, data: EntityData): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const c of t.columns) {
    const v = data.get(c.field);
    row[c.column] = v === undefined ? null : plain(v);
  }
  return row;
}
