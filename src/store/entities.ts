// The entity store the mappings run against while indexing: the committed tables (read on demand, kept in a bounded
// cache), the page being indexed (written back in one transaction with the checkpoint) and the event being handled
// (dropped when the mapping needs an entity that is not loaded yet; the indexer loads it and runs the event again).

import type { EntityAccess, EntityData } from "../subgraph/host.js";
import { EntityNeeded } from "../subgraph/host.js";
import type { Queryable } from "./db.js";
import type { HistorySchema, TableDef } from "./schema.js";
import { entityToRow, qualified, quote, rowToEntity } from "./schema.js";

/** Committed entities kept in memory (the cache is bounded; a miss costs one indexed read). */
export const DEFAULT_CACHE_ENTRIES = 100_000;
/** Rows per bulk statement. */
const WRITE_CHUNK = 2_000;

const key = (entity: string, id: string) => `${entity}|${id}`;

export class EntityStore implements EntityAccess {
  /** Committed state (null: known absent), least recently used first. */
  private readonly cache = new Map<string, EntityData | null>();
  /** Writes of the page not yet committed. */
  private page = new Map<string, { entity: string; id: string; data: EntityData }>();
  /** Writes of the event being handled. */
  private event = new Map<string, { entity: string; id: string; data: EntityData }>();

  constructor(
    readonly schema: HistorySchema,
    private readonly maxEntries = DEFAULT_CACHE_ENTRIES,
  ) {}

  table(entity: string): TableDef {
    const t = this.schema.tables.get(entity);
    if (t === undefined) throw new Error(`the history schema has no entity ${entity}`);
    return t;
  }

  // ---- EntityAccess (synchronous, called from the mappings) ----------------------------------------------------

  get(entity: string, id: string): EntityData | null {
    const k = key(entity, id);
    const pending = this.event.get(k) ?? this.page.get(k);
    if (pending !== undefined) return pending.data;
    if (!this.cache.has(k)) throw new EntityNeeded(entity, id);
    const hit = this.cache.get(k) ?? null;
    this.cache.delete(k); // refresh its place in the LRU order
    this.cache.set(k, hit);
    return hit;
  }

  set(entity: string, id: string, data: EntityData): void {
    this.event.set(key(entity, id), { entity, id, data });
  }

  // ---- event and page lifecycle ---------------------------------------------------------------------------------

  /** The handled event's writes join the page. */
  commitEvent(): void {
    for (const [k, w] of this.event) this.page.set(k, w);
    this.event.clear();
  }

  /** The event is dropped (it will run again once the entity it needed is loaded). */
  dropEvent(): void {
    this.event.clear();
  }

  /** Writes in the page not committed yet. */
  get pendingWrites(): number {
    return this.page.size;
  }

  /** Loads one entity from the tables into the cache. */
  async load(db: Queryable, entity: string, id: string): Promise<void> {
    const t = this.table(entity);
    const rows = await db.query(`select * from ${qualified(t.table)} where id = $1`, [id]);
    const row = rows[0];
    this.remember(key(entity, id), row === undefined ? null : rowToEntity(t, row));
  }

  private remember(k: string, data: EntityData | null): void {
    this.cache.delete(k);
    this.cache.set(k, data);
    while (this.cache.size > this.maxEntries) {
      const oldest = this.cache.keys().next().value;
      if (oldest === undefined) break;
      this.cache.delete(oldest);
    }
  }

  /**
   * Writes the page's entities (upserts by id), journaling the previous version of each mutable row first when
   * `journalPage` is given (the page's first block; pages within the reorg window). Call inside the page's
   * transaction; then `pageCommitted` once it has committed.
   */
  async writePage(tx: Queryable, journalPage: number | undefined): Promise<number> {
    const byEntity = new Map<string, EntityData[]>();
    for (const w of this.page.values()) {
      const list = byEntity.get(w.entity) ?? [];
      list.push(w.data);
      byEntity.set(w.entity, list);
    }
    let rows = 0;
    for (const [entity, list] of byEntity) {
      const t = this.table(entity);
      if (journalPage !== undefined && !t.immutable) {
        const ids = list.map((d) => idOf(d));
        for (let i = 0; i < ids.length; i += WRITE_CHUNK) {
          await tx.query(
            `insert into "reservebtc"."entity_journal" (page_from, entity, id, previous)
             select $1, $2, x.id, (select to_jsonb(t) from ${qualified(t.table)} t where t.id = x.id)
             from unnest($3::text[]) as x(id)
             on conflict (page_from, entity, id) do nothing`,
            [journalPage, entity, ids.slice(i, i + WRITE_CHUNK)],
          );
        }
      }
      for (let i = 0; i < list.length; i += WRITE_CHUNK) {
        const chunk = list.slice(i, i + WRITE_CHUNK).map((d) => entityToRow(t, d));
        await upsertRows(tx, t, chunk);
        rows += chunk.length;
      }
    }
    return rows;
  }

  /**
   * The page is committed: its writes of mutable entities become the cache's committed state. Immutable entities
   * (one per event) are not kept: the mappings create them and almost never read them back, and at millions of
   * events they would push the aggregates (users, addresses, snapshots) the next events read out of the cache.
   */
  pageCommitted(): void {
    for (const [k, w] of this.page) {
      if (this.table(w.entity).immutable) this.cache.delete(k);
      else this.remember(k, w.data);
    }
    this.page = new Map();
  }

  /** The page was abandoned (write failed, reorg): forget its writes. */
  pageAbandoned(): void {
    this.page = new Map();
    this.event.clear();
  }

  /** Forget everything cached (after a rollback rewrote the tables). */
  clear(): void {
    this.cache.clear();
    this.pageAbandoned();
  }
}

function idOf(data: EntityData): string {
  const id = data.get("id");
  if (id === undefined || id.kind === "null" || id.kind === "array") throw new Error("entity without an id");
  return String(id.value);
}

/** `insert … select … from jsonb_populate_recordset … on conflict (id) do update` for one table. */
export async function upsertRows(tx: Queryable, t: TableDef, rows: Record<string, unknown>[]): Promise<void> {
  if (rows.length === 0) return;
  const cols = t.columns.map((c) => quote(c.column));
  const updates = t.columns
    .filter((c) => c.column !== "id")
    .map((c) => `${quote(c.column)} = excluded.${quote(c.column)}`);
  await tx.query(
    `insert into ${qualified(t.table)} (${cols.join(", ")})
     select ${cols.join(", ")} from jsonb_populate_recordset(null::${qualified(t.table)}, $1::jsonb)
     on conflict (id) do ${updates.length === 0 ? "nothing" : `update set ${updates.join(", ")}`}`,
    [JSON.stringify(rows)],
  );
}
