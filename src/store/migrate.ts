// Versioned migrations: the SQL files of src/store/migrations/ (`NNNN_name.sql`), applied in order, each in its own
// transaction together with its row in `reservebtc.schema_migrations` (version, name, sha256). An applied file that
// has changed since is refused: migrations are append-only. Run by `realtime:migrate` and by every command that opens
// the store.

import { createHash } from "node:crypto";
import { readFile, readdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { BackendError } from "../errors.js";
import type { Db } from "./db.js";
import { PG_SCHEMA } from "./schema.js";

export const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), "migrations");

export interface Migration {
  version: string;
  name: string;
  sql: string;
  checksum: string;
}

export async function readMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f)).sort();
  return Promise.all(
    files.map(async (file) => {
      const sql = await readFile(path.join(dir, file), "utf8");
      return {
        version: file.slice(0, 4),
        name: file.slice(5, -4),
        sql,
        checksum: createHash("sha256").update(sql).digest("hex"),
      };
    }),
  );
}

export interface MigrateResult {
  applied: string[];
  current: string | null;
}

/** Applies the migrations the database lacks; refuses when an applied one was edited. */
export async function migrate(db: Db, dir = MIGRATIONS_DIR): Promise<MigrateResult> {
  await db.exec(
    `create schema if not exists "${PG_SCHEMA}";
     create table if not exists "${PG_SCHEMA}"."schema_migrations" (
       version text primary key, name text not null, checksum text not null,
       applied_at timestamptz not null default now());`,
  );
  const done = new Map(
    (
      await db.query<{ version: string; checksum: string }>(
        `select version, checksum from "${PG_SCHEMA}"."schema_migrations"`,
      )
    ).map((r) => [r.version, r.checksum]),
  );
  const applied: string[] = [];
  const migrations = await readMigrations(dir);
  for (const m of migrations) {
    const sum = done.get(m.version);
    if (sum !== undefined) {
      if (sum !== m.checksum) {
        throw new BackendError(
          `migration ${m.version}_${m.name} was changed after it was applied to ${db.where}: add a new migration instead`,
          "STORE",
        );
      }
      continue;
    }
    await db.transaction(async (tx) => {
      await tx.exec(m.sql);
      await tx.query(
        `insert into "${PG_SCHEMA}"."schema_migrations" (version, name, checksum) values ($1, $2, $3)`,
        [m.version, m.name, m.checksum],
      );
    });
    applied.push(`${m.version}_${m.name}`);
  }
  return { applied, current: migrations.at(-1)?.version ?? null };
}
