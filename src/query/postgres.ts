// The `postgres` source: the eight queries answered with SQL over the history tables (written by our indexer, or by
// Goldsky Mirror from the deployed subgraph). It answers the subgraph source's named operations (SUBGRAPH_QUERIES)
// with rows of the same GraphQL shape, so both entity sources share one translation to the query results; lists
// are read in keyset pages (by id, ≤ 1,000 rows a statement) over indexed columns, per-user reads use the
// (user, block, log index) indexes, and disputes are filtered, counted and limited in SQL.

import { BackendError } from "../errors.js";
import type { Queryable } from "../store/db.js";
import type { HistorySchema, TableDef } from "../store/schema.js";
import { qualified, quote } from "../store/schema.js";
import { backingRatio, selectDisputes } from "./query.js";
import type { SubgraphOperation } from "./subgraph.js";
import type { DisputeEntity } from "./subgraph.js";
import { EntitySource, SUBGRAPH_PAGE_SIZE, disputeItem } from "./subgraph.js";
import type { DisputeFilter, DisputesResult, HistoryPoint } from "./types.js";

type Row = Record<string, unknown>;

/** The tables `transactions` merges, by their GraphQL collection name. */
const TRANSACTION_TABLES: Record<string, string> = {
  mints: "Mint",
  burns: "Burn",
  wraps: "Wrap",
  redeems: "Redeem",
  slashes: "Slash",
  feeDeposits: "FeeDeposit",
  feeWithdrawals: "FeeWithdrawal",
  feeSpends: "FeeSpend",
};

export class PostgresSource extends EntitySource {
  readonly kind = "postgres" as const;

  constructor(
    private readonly db: Queryable,
    private readonly schema: HistorySchema,
  ) {
    super();
  }

  private table(entity: string): TableDef {
    const t = this.schema.tables.get(entity);
    if (t === undefined) throw new BackendError(`the history schema has no ${entity}`, "STORE");
    return t;
  }

  /** A row with the entity's field names (camelCase), as GraphQL answers it. */
  private entity(entity: string, row: Row | undefined): Row | null {
    if (row === undefined) return null;
    const out: Row = {};
    for (const c of this.table(entity).columns) out[c.field] = row[c.column] ?? null;
    return out;
  }

  private async rows(entity: string, where: string, params: unknown[], tail: string): Promise<Row[]> {
    const t = this.table(entity);
    const rows = await this.db.query(`select * from ${qualified(t.table)} t ${where} ${tail}`, params);
    return rows.map((r) => this.entity(entity, r) ?? {});
  }

  private async reserveState(): Promise<Row | null> {
    const [state] = await this.rows("ReserveState", "", [], "limit 1");
    return state ?? null;
  }

  /** The indexed head: the indexer's checkpoint, else (a Mirror-written store) the newest ReserveState change. */
  private async meta(): Promise<{ block: { number: number; timestamp: number | null } }> {
    const [cp] = await this.db.query<{ block_number: string; block_timestamp: string }>(
      `select block_number::text, block_timestamp::text from "reservebtc"."indexer_checkpoint"`,
    );
    if (cp !== undefined) {
      return { block: { number: Number(cp.block_number), timestamp: Number(cp.block_timestamp) } };
    }
    const state = await this.reserveState();
    if (state === null) throw new BackendError("the store has indexed nothing yet", "STORE_EMPTY");
    return { block: { number: Number(state.updatedAtBlock), timestamp: null } };
  }

  async request<T>(operation: SubgraphOperation, v: Record<string, unknown>): Promise<T> {
    return (await this.answer(operation, v)) as T;
  }

  private async answer(operation: SubgraphOperation, v: Record<string, unknown>): Promise<unknown> {
    const first = Math.min(Number(v.first ?? SUBGRAPH_PAGE_SIZE), SUBGRAPH_PAGE_SIZE);
    const after = typeof v.after === "string" ? v.after : "";
    switch (operation) {
      case "Head":
        return { _meta: await this.meta() };
      case "Balances":
        return { user: (await this.rows("User", "where id = $1", [v.user], ""))[0] ?? null };
      case "SyncStatus": {
        const state = await this.reserveState();
        let committee: Row | null = null;
        if (state?.committee != null) {
          [committee = null] = await this.rows("Committee", "where id = $1", [state.committee], "");
        }
        return {
          _meta: await this.meta(),
          reserveStates: state === null ? [] : [{ ...state, committee }],
        };
      }
      case "Transactions":
        return this.transactionRows(String(v.user), Number(v.limit));
      case "BitcoinAddresses":
      case "UserBitcoinAddresses": {
        const byUser = operation === "UserBitcoinAddresses";
        const rows = await this.db.query(
          `select a.id, a.address, u.id as user_id, u.attested_sats::text as attested_sats
           from ${qualified("bitcoin_address")} a join ${qualified("user")} u on u.id = a."user"
           where a.status = 'BOUND' and a.id > $1 ${byUser ? `and a."user" = $3` : ""}
           order by a.id limit $2`,
          byUser ? [after, first, v.user] : [after, first],
        );
        return {
          bitcoinAddresses: rows.map((r) => ({
            id: r.id,
            address: r.address,
            user: { id: r.user_id, attestedSats: r.attested_sats },
          })),
        };
      }
      case "ProofOfReserves": {
        const state = await this.reserveState();
        const rounds = await this.rows("ReserveRound", "", [], "order by round_id desc limit 1");
        return { reserveStates: state === null ? [] : [state], reserveRounds: rounds };
      }
      case "EmergencyBurns": {
        const rows = await this.rows(
          "EmergencyBurn",
          "where id > $1",
          [after, first],
          "order by id limit $2",
        );
        return { emergencyBurns: rows.map((r) => ({ ...r, user: { id: r.user } })) };
      }
      case "Disputes": {
        const rows = await this.rows("Dispute", "where id > $1", [after, first], "order by id limit $2");
        return { disputes: await this.withTransitions(rows) };
      }
      case "YieldStatus":
      case "YieldUserStatus": {
        const pools = await this.rows("YieldPool", "", [], "limit 1");
        if (operation === "YieldStatus") return { yieldPools: pools };
        const [participant = null] = await this.rows("YieldParticipant", "where id = $1", [v.user], "");
        return { yieldPools: pools, yieldParticipant: participant };
      }
    }
  }

  /**
   * The user's newest `limit` rows of each transaction table in one statement (one round trip instead of eight; each
   * branch reads its table's (user, block, log index) index). Rows travel as JSON objects with numeric columns as
   * text, so amounts stay exact.
   */
  private async transactionRows(user: string, limit: number): Promise<Record<string, Row[]>> {
    const branches = Object.entries(TRANSACTION_TABLES).map(([field, entity]) => {
      const t = this.table(entity);
      const columns = t.columns
        .map((c) => `'${c.column}', t.${quote(c.column)}${c.sqlType.startsWith("numeric") ? "::text" : ""}`)
        .join(", ");
      return (
        `(select '${field}' as field, jsonb_build_object(${columns}) as row from ${qualified(t.table)} t ` +
        `where "user" = $1 order by block_number desc, log_index desc limit $2)`
      );
    });
    const rows = await this.db.query<{ field: string; row: Row }>(branches.join(" union all "), [
      user,
      limit,
    ]);
    const out: Record<string, Row[]> = Object.fromEntries(
      Object.keys(TRANSACTION_TABLES).map((f) => [f, []]),
    );
    for (const { field, row } of rows) {
      out[field]?.push(this.entity(TRANSACTION_TABLES[field] ?? "", row) ?? {});
    }
    return out;
  }

  private async withTransitions(disputes: Row[]): Promise<Row[]> {
    if (disputes.length === 0) return [];
    const transitions = await this.rows(
      "DisputeTransition",
      "where dispute = any($1::text[])",
      [disputes.map((d) => d.id)],
      "order by block_number, log_index",
    );
    return disputes.map((d) => ({
      ...d,
      user: { id: d.user },
      transitions: transitions.filter((t) => t.dispute === d.id),
    }));
  }

  /**
   * The dashboard's backing history: the newest `points` blocks with a sync, reserve round, emergency burn, dispute
   * resolution or queued mint, oldest first, with the figures at the end of each (ReserveHistoryPoint).
   */
  async history(points: number): Promise<{ head: number; points: HistoryPoint[] }> {
    const head = (await this.meta()).block.number;
    const rows = await this.rows(
      "ReserveHistoryPoint",
      "where block_number <= $1",
      [head, points],
      "order by block_number desc limit $2",
    );
    return {
      head,
      points: rows.reverse().map((r) => ({
        block: Number(r.blockNumber),
        timestamp: Number(r.blockTimestamp),
        attestedSats: String(r.attestedSats),
        claimsSats: String(r.claimsSats),
        rbtcSupply: String(r.rbtcSupplySats),
        wrbtcSupply: String(r.wrbtcSupplySats),
        uncoveredSats: String(r.uncoveredSats),
        backingRatio: backingRatio(BigInt(String(r.attestedSats)), BigInt(String(r.claimsSats))),
        round: r.round === null ? null : Number(r.round),
        events: [...(r.events as string[])].sort(),
      })),
    };
  }

  /** Disputes filtered, counted and limited in SQL (newest first by id), with their transitions. */
  override async disputes(filter: DisputeFilter): Promise<DisputesResult> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.status !== undefined) {
      params.push(filter.status.toUpperCase());
      where.push(`status = $${params.length}`);
    }
    if (filter.user !== undefined) {
      params.push(filter.user.toLowerCase());
      where.push(`"user" = $${params.length}`);
    }
    const clause = where.length === 0 ? "" : `where ${where.join(" and ")}`;
    const [counted] = await this.db.query<{ n: string }>(
      `select count(*)::text as n from ${qualified("dispute")} ${clause}`,
      params,
    );
    const rows = await this.rows(
      "Dispute",
      clause,
      [...params, filter.limit],
      `order by dispute_id desc limit $${params.length + 1}`,
    );
    const entities = (await this.withTransitions(rows)) as unknown as DisputeEntity[];
    const items = entities.flatMap((d) => disputeItem(d) ?? []);
    return { ...selectDisputes(items, filter), count: Number(counted?.n ?? 0) };
  }
}
