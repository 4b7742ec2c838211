// A real Postgres server for the store tests: Debian's binaries (scripts/ensure-postgres.mjs installs them), a fresh
// cluster in a temporary folder, trust authentication, listening on 127.0.0.1 at a free port. As root (CI, the
// developer machines) the server runs as the `postgres` system user, since Postgres refuses to run as root.
import { spawn, spawnSync } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { chownSync, existsSync, readdirSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import pg from "pg";

import { freePort } from "../oracle/integration/helpers.js";

const PG_ROOT = "/usr/lib/postgresql";

export interface PostgresServer {
  url: string;
  /** Ends every client connection (a server restart seen from the clients). */
  terminateConnections(): Promise<number>;
  stop(): Promise<void>;
}

function binDir(): string {
  const version = existsSync(PG_ROOT)
    ? readdirSync(PG_ROOT)
        .filter((v) => existsSync(path.join(PG_ROOT, v, "bin", "postgres")))
        .sort((a, b) => Number(b) - Number(a))[0]
    : undefined;
  if (version === undefined) {
    throw new Error(`no Postgres server under ${PG_ROOT}: run node scripts/ensure-postgres.mjs`);
  }
  return path.join(PG_ROOT, version, "bin");
}

/** `cmd args` as the postgres user when this process is root. */
function asServerUser(cmd: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ["runuser", ["-u", "postgres", "--", cmd, ...args]] : [cmd, args];
}

export async function startPostgres(): Promise<PostgresServer> {
  const bin = binDir();
  const dir = await mkdtemp(path.join(tmpdir(), "reservebtc-pg-"));
  const data = path.join(dir, "data");
  if (process.getuid?.() === 0) {
    const ids = spawnSync("id", ["-u", "postgres"]).stdout.toString().trim();
    const gid = spawnSync("id", ["-g", "postgres"]).stdout.toString().trim();
    chownSync(dir, Number(ids), Number(gid));
  }
  const [initCmd, initArgs] = asServerUser(path.join(bin, "initdb"), [
    "-D",
    data,
    "-A",
    "trust",
    "-U",
    "reservebtc",
    "--no-sync",
  ]);
  const init = spawnSync(initCmd, initArgs, { encoding: "utf8" });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr || init.stdout}`);
  const port = await freePort();
  const [cmd, args] = asServerUser(path.join(bin, "postgres"), [
    "-D",
    data,
    "-p",
    String(port),
    "-k",
    dir,
    "-c",
    "listen_addresses=127.0.0.1",
    "-c",
    "fsync=off",
  ]);
  const child: ChildProcess = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stderr?.on("data", (c: Buffer) => (output = (output + c.toString()).slice(-4000)));
  const url = `postgres://reservebtc@127.0.0.1:${port}/postgres`;
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`postgres exited: ${output}`);
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.end();
      break;
    } catch {
      await client.end().catch(() => undefined);
    }
    if (Date.now() - started > 60_000) {
      child.kill("SIGKILL");
      throw new Error(`postgres did not accept connections within 60 s: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    async terminateConnections() {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const r = await client.query(
        "select count(pg_terminate_backend(pid)) as n from pg_stat_activity where pid <> pg_backend_pid() and backend_type = 'client backend'",
      );
      await client.end();
      return Number((r.rows[0] as { n: string }).n);
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
        child.kill("SIGINT");
        const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
        await exited;
        clearTimeout(timer);
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
