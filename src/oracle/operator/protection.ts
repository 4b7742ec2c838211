/**
 * The operator node's slashing-protection record (the idea of Ethereum validator clients' EIP-3076 database): what
 * this key signed, kept in SQLite (Node 22's `node:sqlite`, WAL journal, `synchronous=FULL`: a record is on disk
 * before the signature leaves the node, so a crash, a SIGKILL or a power cut never forgets one), and exported or
 * imported as JSON so a node moved to another machine or restored from a backup keeps refusing what its key must not
 * sign.
 *
 * The rules (docs/oracle.md, "Slashing protection"); "valid" means the earlier signature's deadline has not passed
 * (deadline > the chain's latest block time: no later block can include it any more once it has):
 * - sync reports: for one (user, sequence) never two different totals whose validity overlaps — except a LOWER
 *   total, which is always signed (a burn must never wait; EIP-3076 has no such exception);
 * - reserve rounds: for one roundId never two different (merkleRoot, attestedSats) while an earlier one is valid;
 * - binding nonces (bindings and revocations share them): for one (user, nonce) never two different requests while
 *   an earlier one is valid.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import type * as NodeSqlite from "node:sqlite";
import type { DatabaseSync, StatementSync } from "node:sqlite";

import { getAddress } from "ethers";

import { UserInputError } from "../../errors.js";
import type { SyncReport } from "../reports.js";
import type { ReserveRound } from "../signing.js";

/** Format name and version of the JSON interchange (EIP-3076's `interchange_format_version` idea). */
export const INTERCHANGE_FORMAT = "reservebtc-slashing-protection";
export const INTERCHANGE_VERSION = "1";
/** Records older than this (by their deadline, in chain seconds) are pruned: they can never conflict again. */
export const DEFAULT_RETENTION_SECONDS = 30 * 86_400;

/** What a record store belongs to: one key, on one chain, for one deployment. */
export interface ProtectionScope {
  chainId: bigint;
  oracle: string;
  proofOfReserves: string;
  signer: string;
}

export interface SignedReportRecord {
  user: string;
  sequence: bigint;
  newTotalSats: bigint;
  btcHeight: bigint;
  btcBlockHash: string;
  /** The latest deadline this (user, sequence, total) was signed with. */
  deadline: bigint;
  /** Wall-clock ms of the last signature. */
  signedAt: number;
}

export interface SignedRoundRecord {
  roundId: bigint;
  merkleRoot: string;
  attestedSats: bigint;
  btcHeight: bigint;
  deadline: bigint;
  signedAt: number;
}

export type NonceKind = "binding" | "revocation";

export interface SignedNonceRecord {
  kind: NonceKind;
  user: string;
  nonce: bigint;
  /** EIP-712 struct hash of the request signed. */
  requestHash: string;
  btcAddress: string;
  deadline: bigint;
  signedAt: number;
}

/** An earlier signature a request conflicts with. */
export interface ProtectionConflict {
  user?: string;
  sequence?: bigint;
  /** The field the conflict is about (`newTotalSats`, `merkleRoot`, `nonce`). */
  field: string;
  /** What was signed before (a total, "root/total", a request hash). */
  signed: string;
  /** Until when (chain seconds) that earlier signature stays valid. */
  validUntil: bigint;
}

/** The JSON interchange document. Amounts, sequences, heights and deadlines are decimal strings. */
export interface ProtectionInterchange {
  metadata: {
    interchange_format: typeof INTERCHANGE_FORMAT;
    interchange_format_version: string;
    chain_id: string;
    oracle: string;
    proof_of_reserves: string;
  };
  data: Array<{
    signer: string;
    sync_reports: Array<{
      user: string;
      sequence: string;
      new_total_sats: string;
      btc_height: string;
      btc_block_hash: string;
      deadline: string;
      signed_at: number;
    }>;
    reserve_rounds: Array<{
      round_id: string;
      merkle_root: string;
      attested_sats: string;
      btc_height: string;
      deadline: string;
      signed_at: number;
    }>;
    binding_nonces: Array<{
      kind: NonceKind;
      user: string;
      nonce: string;
      request_hash: string;
      btc_address: string;
      deadline: string;
      signed_at: number;
    }>;
  }>;
}

export interface ProtectionCounts {
  syncReports: number;
  reserveRounds: number;
  bindingNonces: number;
}

type SqliteModule = typeof NodeSqlite;
let sqlite: SqliteModule | undefined;

/**
 * `node:sqlite`, loaded once. Node 22 prints "SQLite is an experimental feature" when the module loads (the binding's
 * API may still change; the SQLite library under it is the usual one); that one warning is kept off the operator's
 * stderr, every other warning still prints.
 */
async function loadSqlite(): Promise<SqliteModule> {
  if (sqlite !== undefined) return sqlite;
  // Kept unbound on purpose: it is put back as it was, and called with `process` as `this` below.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const emit = process.emitWarning;
  process.emitWarning = function (this: NodeJS.Process, warning: string | Error, ...rest: unknown[]) {
    const text = typeof warning === "string" ? warning : warning.message;
    if (/SQLite is an experimental feature/.test(text)) return;
    return (emit as (...args: unknown[]) => void).call(this, warning, ...rest);
  };
  try {
    sqlite = await import("node:sqlite");
  } finally {
    process.emitWarning = emit;
  }
  return sqlite;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS sync_reports (
  user TEXT NOT NULL,
  sequence INTEGER NOT NULL,
  new_total_sats INTEGER NOT NULL,
  btc_height INTEGER NOT NULL,
  btc_block_hash TEXT NOT NULL,
  deadline INTEGER NOT NULL,
  signed_at INTEGER NOT NULL,
  PRIMARY KEY (user, sequence, new_total_sats)
) STRICT;
CREATE TABLE IF NOT EXISTS reserve_rounds (
  round_id INTEGER NOT NULL,
  merkle_root TEXT NOT NULL,
  attested_sats INTEGER NOT NULL,
  btc_height INTEGER NOT NULL,
  deadline INTEGER NOT NULL,
  signed_at INTEGER NOT NULL,
  PRIMARY KEY (round_id, merkle_root, attested_sats)
) STRICT;
CREATE TABLE IF NOT EXISTS binding_nonces (
  user TEXT NOT NULL,
  nonce INTEGER NOT NULL,
  request_hash TEXT NOT NULL,
  kind TEXT NOT NULL,
  btc_address TEXT NOT NULL,
  deadline INTEGER NOT NULL,
  signed_at INTEGER NOT NULL,
  PRIMARY KEY (user, nonce, request_hash)
) STRICT;
`;

/** Largest deadline stored (SQLite integers are 64-bit signed); a request beyond it is refused before it gets here. */
const MAX_STORED = (1n << 62n) - 1n;

function stored(value: bigint, what: string): bigint {
  if (value < 0n || value > MAX_STORED)
    throw new UserInputError(`${what} ${value} is out of range`, "BAD_REQUEST");
  return value;
}

function scopeMeta(scope: ProtectionScope): Record<string, string> {
  return {
    format: INTERCHANGE_FORMAT,
    version: INTERCHANGE_VERSION,
    chain_id: scope.chainId.toString(),
    oracle: getAddress(scope.oracle),
    proof_of_reserves: getAddress(scope.proofOfReserves),
    signer: getAddress(scope.signer),
  };
}

/** The slashing-protection record of one operator key (see the module comment for the rules). */
export class SlashingProtection {
  readonly file: string;
  readonly scope: ProtectionScope;
  readonly #db: DatabaseSync;
  readonly #statements: Record<string, StatementSync> = {};

  private constructor(db: DatabaseSync, file: string, scope: ProtectionScope) {
    this.#db = db;
    this.file = file;
    this.scope = scope;
  }

  /**
   * Opens (or creates) the record at `file` (":memory:" for a throwaway one). A record that belongs to another
   * chain, deployment or key is refused: one file per key and deployment.
   */
  static async open(file: string, scope: ProtectionScope): Promise<SlashingProtection> {
    const { DatabaseSync } = await loadSqlite();
    if (file !== ":memory:") mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    let db: DatabaseSync;
    try {
      db = new DatabaseSync(file);
      // WAL + synchronous=FULL: every COMMIT is fsynced before it returns (durable across power loss).
      db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;");
      db.exec(SCHEMA);
    } catch (error) {
      throw new UserInputError(
        `cannot open the slashing-protection record ${file}: ${error instanceof Error ? error.message : String(error)}`,
        "PROTECTION_DB",
      );
    }
    const protection = new SlashingProtection(db, file, scope);
    protection.#checkScope();
    return protection;
  }

  #statement(sql: string): StatementSync {
    let statement = this.#statements[sql];
    if (statement === undefined) {
      statement = this.#db.prepare(sql);
      statement.setReadBigInts(true);
      this.#statements[sql] = statement;
    }
    return statement;
  }

  #checkScope(): void {
    const expected = scopeMeta(this.scope);
    const rows = this.#statement("SELECT key, value FROM meta").all() as Array<{
      key: string;
      value: string;
    }>;
    const actual = new Map(rows.map((r) => [r.key, r.value]));
    if (actual.size === 0) {
      this.#transaction(() => {
        for (const [key, value] of Object.entries(expected)) {
          this.#statement("INSERT INTO meta (key, value) VALUES (?, ?)").run(key, value);
        }
      });
      return;
    }
    for (const [key, value] of Object.entries(expected)) {
      if (actual.get(key) !== value) {
        throw new UserInputError(
          `the slashing-protection record ${this.file} belongs to ${key} ${actual.get(key) ?? "(none)"}, not ${value}: ` +
            `use one record per operator key and deployment`,
          "PROTECTION_SCOPE",
        );
      }
    }
  }

  /** Runs `fn` in one write transaction (BEGIN IMMEDIATE … COMMIT; ROLLBACK when it throws). */
  #transaction<T>(fn: () => T): T {
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      const result = fn();
      this.#db.exec("COMMIT");
      return result;
    } catch (error) {
      this.#db.exec("ROLLBACK");
      throw error;
    }
  }

  // ------------------------------------------------------------------------------------------- sync reports

  /**
   * The earlier signatures `reports` conflict with at chain time `nowSeconds`: for each report, a still-valid record
   * of the same (user, sequence) with a different total that is LOWER than the proposed one (a lower total is never
   * a conflict: burns are not held back).
   */
  syncConflicts(reports: readonly SyncReport[], nowSeconds: bigint): ProtectionConflict[] {
    const query = this.#statement(
      "SELECT new_total_sats AS total, deadline FROM sync_reports " +
        "WHERE user = ? AND sequence = ? AND deadline > ? AND new_total_sats < ? ORDER BY new_total_sats LIMIT 1",
    );
    const conflicts: ProtectionConflict[] = [];
    for (const report of reports) {
      const row = query.get(
        getAddress(report.user),
        stored(report.sequence, "sequence"),
        nowSeconds,
        stored(report.newTotalSats, "newTotalSats"),
      ) as { total: bigint; deadline: bigint } | undefined;
      if (row !== undefined) {
        conflicts.push({
          user: getAddress(report.user),
          sequence: report.sequence,
          field: "newTotalSats",
          signed: row.total.toString(),
          validUntil: row.deadline,
        });
      }
    }
    return conflicts;
  }

  /**
   * Records `reports` as signed with `deadline`, unless one conflicts (checked again inside the write transaction,
   * so two concurrent requests can never both pass): returns the conflicts and records nothing then.
   */
  recordSyncReports(
    reports: readonly SyncReport[],
    deadline: bigint,
    nowSeconds: bigint,
  ): ProtectionConflict[] {
    return this.#transaction(() => {
      const conflicts = this.syncConflicts(reports, nowSeconds);
      if (conflicts.length > 0) return conflicts;
      const insert = this.#statement(
        "INSERT INTO sync_reports (user, sequence, new_total_sats, btc_height, btc_block_hash, deadline, signed_at) " +
          "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user, sequence, new_total_sats) DO UPDATE SET " +
          "deadline = max(deadline, excluded.deadline), signed_at = excluded.signed_at, " +
          "btc_height = excluded.btc_height, btc_block_hash = excluded.btc_block_hash",
      );
      const now = Date.now();
      for (const r of reports) {
        insert.run(
          getAddress(r.user),
          stored(r.sequence, "sequence"),
          stored(r.newTotalSats, "newTotalSats"),
          stored(r.btcHeight, "btcHeight"),
          r.btcBlockHash.toLowerCase(),
          stored(deadline, "deadline"),
          now,
        );
      }
      return [];
    });
  }

  // ------------------------------------------------------------------------------------------ reserve rounds

  /** Still-valid signatures of `round.roundId` with another root or total. */
  roundConflicts(round: ReserveRound, nowSeconds: bigint): ProtectionConflict[] {
    const rows = this.#statement(
      "SELECT merkle_root AS root, attested_sats AS total, deadline FROM reserve_rounds " +
        "WHERE round_id = ? AND deadline > ? AND NOT (merkle_root = ? AND attested_sats = ?)",
    ).all(
      stored(round.roundId, "roundId"),
      nowSeconds,
      round.merkleRoot.toLowerCase(),
      stored(round.attestedSats, "attestedSats"),
    ) as Array<{ root: string; total: bigint; deadline: bigint }>;
    return rows.map((row) => ({
      field: "merkleRoot",
      signed: `${row.root}/${row.total}`,
      validUntil: row.deadline,
    }));
  }

  recordReserveRound(round: ReserveRound, nowSeconds: bigint): ProtectionConflict[] {
    return this.#transaction(() => {
      const conflicts = this.roundConflicts(round, nowSeconds);
      if (conflicts.length > 0) return conflicts;
      this.#statement(
        "INSERT INTO reserve_rounds (round_id, merkle_root, attested_sats, btc_height, deadline, signed_at) " +
          "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (round_id, merkle_root, attested_sats) DO UPDATE SET " +
          "deadline = max(deadline, excluded.deadline), signed_at = excluded.signed_at",
      ).run(
        stored(round.roundId, "roundId"),
        round.merkleRoot.toLowerCase(),
        stored(round.attestedSats, "attestedSats"),
        stored(round.btcHeight, "btcHeight"),
        stored(round.deadline, "deadline"),
        Date.now(),
      );
      return [];
    });
  }

  // ------------------------------------------------------------------------------------------ binding nonces

  /** Still-valid signatures of another request (binding or revocation) for the same (user, nonce). */
  nonceConflicts(user: string, nonce: bigint, requestHash: string, nowSeconds: bigint): ProtectionConflict[] {
    const rows = this.#statement(
      "SELECT kind, request_hash AS hash, deadline FROM binding_nonces " +
        "WHERE user = ? AND nonce = ? AND deadline > ? AND request_hash != ?",
    ).all(getAddress(user), stored(nonce, "nonce"), nowSeconds, requestHash.toLowerCase()) as Array<{
      kind: string;
      hash: string;
      deadline: bigint;
    }>;
    return rows.map((row) => ({
      user: getAddress(user),
      field: "nonce",
      signed: `${row.kind} ${row.hash}`,
      validUntil: row.deadline,
    }));
  }

  recordNonce(record: Omit<SignedNonceRecord, "signedAt">, nowSeconds: bigint): ProtectionConflict[] {
    return this.#transaction(() => {
      const conflicts = this.nonceConflicts(record.user, record.nonce, record.requestHash, nowSeconds);
      if (conflicts.length > 0) return conflicts;
      this.#statement(
        "INSERT INTO binding_nonces (user, nonce, request_hash, kind, btc_address, deadline, signed_at) " +
          "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user, nonce, request_hash) DO UPDATE SET " +
          "deadline = max(deadline, excluded.deadline), signed_at = excluded.signed_at",
      ).run(
        getAddress(record.user),
        stored(record.nonce, "nonce"),
        record.requestHash.toLowerCase(),
        record.kind,
        record.btcAddress,
        stored(record.deadline, "deadline"),
        Date.now(),
      );
      return [];
    });
  }

  // ------------------------------------------------------------------------------------------ housekeeping

  counts(): ProtectionCounts {
    const count = (table: string) =>
      Number((this.#statement(`SELECT count(*) AS n FROM ${table}`).get() as { n: bigint }).n);
    return {
      syncReports: count("sync_reports"),
      reserveRounds: count("reserve_rounds"),
      bindingNonces: count("binding_nonces"),
    };
  }

  /** Deletes records whose deadline is more than `retentionSeconds` before `nowSeconds`. Returns how many. */
  prune(nowSeconds: bigint, retentionSeconds = DEFAULT_RETENTION_SECONDS): number {
    const before = nowSeconds - BigInt(retentionSeconds);
    if (before <= 0n) return 0;
    return this.#transaction(() =>
      ["sync_reports", "reserve_rounds", "binding_nonces"].reduce(
        (sum, table) =>
          sum + Number(this.#statement(`DELETE FROM ${table} WHERE deadline < ?`).run(before).changes),
        0,
      ),
    );
  }

  /** Every record, as the JSON interchange document. */
  export(): ProtectionInterchange {
    const meta = scopeMeta(this.scope);
    const reports = this.#statement(
      "SELECT user, sequence, new_total_sats, btc_height, btc_block_hash, deadline, signed_at FROM sync_reports " +
        "ORDER BY user, sequence, new_total_sats",
    ).all() as Array<Record<string, bigint | string>>;
    const rounds = this.#statement(
      "SELECT round_id, merkle_root, attested_sats, btc_height, deadline, signed_at FROM reserve_rounds " +
        "ORDER BY round_id, merkle_root",
    ).all() as Array<Record<string, bigint | string>>;
    const nonces = this.#statement(
      "SELECT kind, user, nonce, request_hash, btc_address, deadline, signed_at FROM binding_nonces " +
        "ORDER BY user, nonce, request_hash",
    ).all() as Array<Record<string, bigint | string>>;
    const text = (v: bigint | string | undefined) => String(v);
    return {
      metadata: {
        interchange_format: INTERCHANGE_FORMAT,
        interchange_format_version: INTERCHANGE_VERSION,
        chain_id: meta.chain_id as string,
        oracle: meta.oracle as string,
        proof_of_reserves: meta.proof_of_reserves as string,
      },
      data: [
        {
          signer: meta.signer as string,
          sync_reports: reports.map((r) => ({
            user: text(r.user),
            sequence: text(r.sequence),
            new_total_sats: text(r.new_total_sats),
            btc_height: text(r.btc_height),
            btc_block_hash: text(r.btc_block_hash),
            deadline: text(r.deadline),
            signed_at: Number(r.signed_at),
          })),
          reserve_rounds: rounds.map((r) => ({
            round_id: text(r.round_id),
            merkle_root: text(r.merkle_root),
            attested_sats: text(r.attested_sats),
            btc_height: text(r.btc_height),
            deadline: text(r.deadline),
            signed_at: Number(r.signed_at),
          })),
          binding_nonces: nonces.map((r) => ({
            kind: text(r.kind) as NonceKind,
            user: text(r.user),
            nonce: text(r.nonce),
            request_hash: text(r.request_hash),
            btc_address: text(r.btc_address),
            deadline: text(r.deadline),
            signed_at: Number(r.signed_at),
          })),
        },
      ],
    };
  }

  /**
   * Merges an interchange document into the record (union: nothing is ever removed; a record already present keeps
   * the later deadline). The document must be for this chain, deployment and key. Returns how many records it held.
   */
  import(document: unknown): ProtectionCounts {
    const doc = parseInterchange(document);
    const meta = scopeMeta(this.scope);
    const checks: Array<[string, string, string]> = [
      ["chain_id", doc.metadata.chain_id, meta.chain_id as string],
      ["oracle", getAddress(doc.metadata.oracle), meta.oracle as string],
      ["proof_of_reserves", getAddress(doc.metadata.proof_of_reserves), meta.proof_of_reserves as string],
    ];
    for (const [name, given, expected] of checks) {
      if (given !== expected) {
        throw new UserInputError(
          `the interchange file is for ${name} ${given}, this record for ${expected}`,
          "PROTECTION_SCOPE",
        );
      }
    }
    const counts: ProtectionCounts = { syncReports: 0, reserveRounds: 0, bindingNonces: 0 };
    this.#transaction(() => {
      for (const entry of doc.data) {
        if (getAddress(entry.signer) !== meta.signer) {
          throw new UserInputError(
            `the interchange file holds records of ${getAddress(entry.signer)}, this node's key is ${meta.signer}`,
            "PROTECTION_SCOPE",
          );
        }
        for (const r of entry.sync_reports) {
          this.#statement(
            "INSERT INTO sync_reports (user, sequence, new_total_sats, btc_height, btc_block_hash, deadline, signed_at) " +
              "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user, sequence, new_total_sats) DO UPDATE SET " +
              "deadline = max(deadline, excluded.deadline)",
          ).run(
            getAddress(r.user),
            stored(BigInt(r.sequence), "sequence"),
            stored(BigInt(r.new_total_sats), "new_total_sats"),
            stored(BigInt(r.btc_height), "btc_height"),
            r.btc_block_hash.toLowerCase(),
            stored(BigInt(r.deadline), "deadline"),
            r.signed_at,
          );
          counts.syncReports += 1;
        }
        for (const r of entry.reserve_rounds) {
          this.#statement(
            "INSERT INTO reserve_rounds (round_id, merkle_root, attested_sats, btc_height, deadline, signed_at) " +
              "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (round_id, merkle_root, attested_sats) DO UPDATE SET " +
              "deadline = max(deadline, excluded.deadline)",
          ).run(
            stored(BigInt(r.round_id), "round_id"),
            r.merkle_root.toLowerCase(),
            stored(BigInt(r.attested_sats), "attested_sats"),
            stored(BigInt(r.btc_height), "btc_height"),
            stored(BigInt(r.deadline), "deadline"),
            r.signed_at,
          );
          counts.reserveRounds += 1;
        }
        for (const r of entry.binding_nonces) {
          this.#statement(
            "INSERT INTO binding_nonces (user, nonce, request_hash, kind, btc_address, deadline, signed_at) " +
              "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user, nonce, request_hash) DO UPDATE SET " +
              "deadline = max(deadline, excluded.deadline)",
          ).run(
            getAddress(r.user),
            stored(BigInt(r.nonce), "nonce"),
            r.request_hash.toLowerCase(),
            r.kind,
            r.btc_address,
            stored(BigInt(r.deadline), "deadline"),
            r.signed_at,
          );
          counts.bindingNonces += 1;
        }
      }
    });
    return counts;
  }

  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }
}

// ---------------------------------------------------------------------------------------- interchange parsing

function fail(message: string): never {
  throw new UserInputError(`invalid slashing-protection interchange: ${message}`, "PROTECTION_INTERCHANGE");
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const DECIMAL = /^\d{1,20}$/;
const HEX32 = /^0x[0-9a-fA-F]{64}$/;

function field(where: string, record: Record<string, unknown>, name: string, pattern?: RegExp): string {
  const value = record[name];
  if (typeof value !== "string" || (pattern !== undefined && !pattern.test(value))) {
    fail(`${where}.${name}: ${JSON.stringify(value)}`);
  }
  return value;
}

function address(where: string, record: Record<string, unknown>, name: string): string {
  const value = field(where, record, name);
  try {
    return getAddress(value);
  } catch {
    return fail(`${where}.${name} is not an address: ${value}`);
  }
}

function list(where: string, record: Record<string, unknown>, name: string): Record<string, unknown>[] {
  const value = record[name] ?? [];
  if (!Array.isArray(value) || !value.every(isObject)) fail(`${where}.${name} must be a list of objects`);
  return value;
}

function signedAt(where: string, record: Record<string, unknown>): number {
  const value = record.signed_at ?? 0;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) fail(`${where}.signed_at`);
  return value;
}

/** Validates an interchange document (every field typed and formatted) before anything is written. */
export function parseInterchange(document: unknown): ProtectionInterchange {
  if (!isObject(document) || !isObject(document.metadata) || !Array.isArray(document.data)) {
    fail("expected {metadata, data}");
  }
  const m = document.metadata;
  if (m.interchange_format !== INTERCHANGE_FORMAT) fail(`interchange_format must be "${INTERCHANGE_FORMAT}"`);
  if (m.interchange_format_version !== INTERCHANGE_VERSION) {
    fail(`unsupported interchange_format_version ${JSON.stringify(m.interchange_format_version)}`);
  }
  return {
    metadata: {
      interchange_format: INTERCHANGE_FORMAT,
      interchange_format_version: INTERCHANGE_VERSION,
      chain_id: field("metadata", m, "chain_id", DECIMAL),
      oracle: address("metadata", m, "oracle"),
      proof_of_reserves: address("metadata", m, "proof_of_reserves"),
    },
    data: document.data.map((entry, i) => {
      const where = `data[${i}]`;
      if (!isObject(entry)) fail(`${where} must be an object`);
      return {
        signer: address(where, entry, "signer"),
        sync_reports: list(where, entry, "sync_reports").map((r, j) => {
          const at = `${where}.sync_reports[${j}]`;
          return {
            user: address(at, r, "user"),
            sequence: field(at, r, "sequence", DECIMAL),
            new_total_sats: field(at, r, "new_total_sats", DECIMAL),
            btc_height: field(at, r, "btc_height", DECIMAL),
            btc_block_hash: field(at, r, "btc_block_hash", HEX32),
            deadline: field(at, r, "deadline", DECIMAL),
            signed_at: signedAt(at, r),
          };
        }),
        reserve_rounds: list(where, entry, "reserve_rounds").map((r, j) => {
          const at = `${where}.reserve_rounds[${j}]`;
          return {
            round_id: field(at, r, "round_id", DECIMAL),
            merkle_root: field(at, r, "merkle_root", HEX32),
            attested_sats: field(at, r, "attested_sats", DECIMAL),
            btc_height: field(at, r, "btc_height", DECIMAL),
            deadline: field(at, r, "deadline", DECIMAL),
            signed_at: signedAt(at, r),
          };
        }),
        binding_nonces: list(where, entry, "binding_nonces").map((r, j) => {
          const at = `${where}.binding_nonces[${j}]`;
          const kind = field(at, r, "kind");
          if (kind !== "binding" && kind !== "revocation") fail(`${at}.kind must be binding or revocation`);
          return {
            kind,
            user: address(at, r, "user"),
            nonce: field(at, r, "nonce", DECIMAL),
            request_hash: field(at, r, "request_hash", HEX32),
            btc_address: field(at, r, "btc_address"),
            deadline: field(at, r, "deadline", DECIMAL),
            signed_at: signedAt(at, r),
          };
        }),
      };
    }),
  };
}
