// The Goldsky Mirror pipeline (subgraph/pipelines/reservebtc-postgres.yaml), rendered from the history schema: one
// `subgraph_entity` source per entity, read from the subgraph's first block (`start_at: earliest`: Mirror's default,
// `latest`, would drop everything indexed before the pipeline starts), no transforms (the `transforms` key is
// required; Mirror upserts each entity by id), and one `postgres` sink per entity into the table the store's
// migrations create (src/store/schema.ts). Sized for its source count: Mirror runs every source and sink in one
// pipeline job, so 49 sources get the `l` resource size (`s`, the default, is meant for a handful of sources;
// `goldsky pipeline resize reservebtc-postgres xl` if `goldsky pipeline monitor` shows it falling behind).

import type { HistorySchema } from "./schema.js";
import { PG_SCHEMA } from "./schema.js";

export const PIPELINE_NAME = "reservebtc-postgres";
export const PIPELINE_SECRET = "RESERVEBTC_POSTGRES";
export const SUBGRAPH_NAME = "reservebtc";
export const SUBGRAPH_VERSION = "0.0.1";

/** Mirror resource size for a pipeline of `sources` sources. */
export function resourceSizeFor(sources: number): "s" | "m" | "l" | "xl" {
  if (sources <= 5) return "s";
  if (sources <= 20) return "m";
  if (sources <= 60) return "l";
  return "xl";
}

export function renderPipeline(schema: HistorySchema): string {
  const tables = [...schema.tables.values()].map((t) => t.table);
  const lines = [
    "# GENERATED from subgraph/schema.graphql by renderPipeline (src/store/pipeline.ts): regenerate, do not edit.",
    "# Goldsky Mirror: every entity of the ReserveBTC subgraph → the Postgres tables of the realtime store.",
    "#",
    "# One subgraph_entity source per entity, read from the first block (start_at: earliest), and one postgres sink per",
    "# source into the `reservebtc` schema, whose tables `npx hardhat realtime:migrate --database-url …` creates (the",
    "# same tables the local indexer writes; the postgres source reads them). Mirror upserts rows by the entity id.",
    "#",
    `#   goldsky secret create --name ${PIPELINE_SECRET}      # once; the Postgres connection (docs/subgraph.md)`,
    "#   goldsky pipeline validate subgraph/pipelines/reservebtc-postgres.yaml",
    "#   goldsky pipeline apply subgraph/pipelines/reservebtc-postgres.yaml --status ACTIVE",
    "#",
    "# After deploying a new subgraph version, change SUBGRAPH_VERSION in src/store/pipeline.ts, regenerate",
    "# (npx hardhat subgraph:pipeline) and apply again.",
    `name: ${PIPELINE_NAME}`,
    "apiVersion: 3",
    `resource_size: ${resourceSizeFor(tables.length)}`,
    "description: ReserveBTC subgraph entities mirrored into the realtime store's Postgres tables",
    "sources:",
  ];
  for (const table of tables) {
    lines.push(
      `  ${PG_SCHEMA}.${table}:`,
      "    type: subgraph_entity",
      `    name: ${table}`,
      "    start_at: earliest",
      "    subgraphs:",
      `      - name: ${SUBGRAPH_NAME}`,
      `        version: ${SUBGRAPH_VERSION}`,
    );
  }
  lines.push("transforms: {}", "sinks:");
  for (const table of tables) {
    lines.push(
      `  postgres_${table}:`,
      "    type: postgres",
      `    from: ${PG_SCHEMA}.${table}`,
      `    schema: ${PG_SCHEMA}`,
      `    table: ${table}`,
      `    secret_name: ${PIPELINE_SECRET}`,
      "    primary_key: id",
    );
  }
  return `${lines.join("\n")}\n`;
}
