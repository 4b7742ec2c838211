// One small interface over the two ways the store reaches Postgres: PGlite (Postgres compiled to WebAssembly, in a
// data folder: the embedded default, nothing to install) and a real server through node-postgres (`--database-url
// postgres://…`: the Goldsky Mirror sink or a self-hosted Postgres). Queries, transactions and close; nothing else.

import { mkdir } from "node:fs/promises";
import path from "node:path";

import { BackendError, UserInputError } from "../errors.js";

export interface Queryable {
  /** Runs one statement with `$1…` parameters and returns its rows. */
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs a script of statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface Db extends Queryable {
  readonly kind: "pglite" | "postgres";
  /** A short description for logs (data folder, or the server's host/database without credentials). */
  readonly where: string;
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * A scalar column value as text: node-postgres and PGlite return numeric columns as strings and integer or boolean
 * ones as numbers and booleans; anything else (an object, an array) is a BackendError naming the column.
 */
export function columnText(value: unknown, column: string): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean")
    return String(value);
  throw new BackendError(`column ${column}: expected a scalar, got ${typeof value}`);
}

/** Default PGlite data folder: under the project's (git-ignored) cache folder, one per chain. */
export function defaultDataDir(root: string, chainId: bigint | number): string {
  return path.join(root, "cache", "realtime-store", `chain-${chainId}`);
}

export interface OpenOptions {
  /** PGlite data folder (created when missing). */
  dataDir?: string;
  /** `postgres://user:pass@host:port/db` of a real server (wins over dataDir). */
  databaseUrl?: string;
  /** Connections of the node-postgres pool (the server source runs reads concurrently). */
  poolSize?: number;
}

/** The database URL without its password, for messages. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.username === "" ? "" : `${u.username}@`}${u.host}${u.pathname}`;
  } catch {
    return "(invalid URL)";
  }
}

function oneLine(error: unknown): string {
  return error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error);
}

/** Opens the store's database: a server when `databaseUrl` is given, else PGlite in `dataDir`. */
export async function openDb(options: OpenOptions): Promise<Db> {
  if (options.databaseUrl !== undefined && options.databaseUrl !== "") {
    return openPostgres(options.databaseUrl, options.poolSize ?? 16);
  }
  if (options.dataDir === undefined) throw new UserInputError("the store needs --data-dir or --database-url");
  return openPglite(options.dataDir);
}

/**
 * PGlite's Postgres buffer pool. Postgres's default (128MB) is allocated and touched inside the WebAssembly memory at
 * start, which alone adds ≈ 150 MB to the process's resident set; the embedded store reads through the operating
 * system's file cache, so a smaller pool costs little (bench/store.ts measures both).
 */
export const PGLITE_SHARED_BUFFERS = "32MB";

async function openPglite(dataDir: string): Promise<Db> {
  const { PGlite } = await import("@electric-sql/pglite");
  await mkdir(dataDir, { recursive: true });
  let pg: InstanceType<typeof PGlite>;
  try {
    pg = new PGlite(dataDir, {
      startParams: [...PGlite.defaultStartParams, "-c", `shared_buffers=${PGLITE_SHARED_BUFFERS}`],
    });
    await pg.waitReady;
  } catch (error) {
    throw new BackendError(`cannot open the PGlite store in ${dataDir}: ${oneLine(error)}`, "STORE");
  }
  // PGlite runs one query at a time; transactions hold it exclusively.
  const wrap = (q: { query: PGliteQuery; exec: (sql: string) => Promise<unknown> }): Queryable => ({
    async query<T>(sql: string, params: readonly unknown[] = []) {
      return (await q.query(sql, params as unknown[])).rows as T[];
    },
    async exec(sql: string) {
      await q.exec(sql);
    },
  });
  const base = wrap(pg);
  return {
    kind: "pglite",
    where: dataDir,
    ...base,
    transaction: (fn) =>
      pg.transaction(async (tx) =>
        fn(wrap(tx as unknown as { query: PGliteQuery; exec: (sql: string) => Promise<unknown> })),
      ),
    close: () => pg.close(),
  };
}

type PGliteQuery = (sql: string, params?: unknown[]) => Promise<{ rows: unknown[] }>;

async function openPostgres(url: string, poolSize: number): Promise<Db> {
  const pg = await import("pg");
  let parsed: URL;
  try {
    parsed = new URL(url);
    if (parsed.protocol !== "postgres:" && parsed.protocol !== "postgresql:")
      throw new Error("not postgres:");
  } catch {
    throw new UserInputError(
      `invalid --database-url "${describeUrl(url)}": postgres://user:password@host:port/db`,
    );
  }
  // numeric and int8 as strings (exact), arrays parsed; the pool reconnects after a dropped connection.
  const pool = new pg.default.Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: 10_000 });
  pool.on("error", () => {
    // An idle client lost its connection (server restart): the pool drops it and opens a new one on demand.
  });
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new BackendError(`cannot connect to Postgres at ${describeUrl(url)}: ${oneLine(error)}`, "STORE");
  }
  const base: Queryable = {
    async query<T>(sql: string, params: readonly unknown[] = []) {
      return (await pool.query(sql, params as unknown[])).rows as T[];
    },
    async exec(sql: string) {
      await pool.query(sql);
    },
  };
  return {
    kind: "postgres",
    where: describeUrl(url),
    ...base,
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      try {
        await client.query("begin");
        const result = await fn({
          async query<R>(sql: string, params: readonly unknown[] = []) {
            return (await client.query(sql, params as unknown[])).rows as R[];
          },
          async exec(sql: string) {
            await client.query(sql);
          },
        });
        await client.query("commit");
        return result;
      } catch (error) {
        await client.query("rollback").catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
