// What keeps the indexer's memory bounded as history grows (bench/store.ts measures it at 1,000,000 events): the
// entity cache holds the aggregates the next events read, not the one-per-event rows; PGlite runs with a small
// Postgres buffer pool.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";

import { PGLITE_SHARED_BUFFERS, openDb } from "../../src/store/db.js";
import { EntityStore } from "../../src/store/entities.js";
import { historySchema } from "../../src/store/schema.js";
import { EntityNeeded } from "../../src/subgraph/host.js";
import type { EntityData } from "../../src/subgraph/host.js";
import { ROOT } from "../helpers/store.js";

const USER = "0x00000000000000000000000000000000000000aa";
const SYNC = "0x0000000000000000000000000000000000000000000000000000000000000001";
const entity = (id: string): EntityData => new Map([["id", { kind: "bytes", value: id }]]);

describe("store memory", function () {
  let store: EntityStore;

  beforeEach(async function () {
    store = new EntityStore(
      historySchema(await readFile(path.join(ROOT, "subgraph", "schema.graphql"), "utf8")),
    );
  });

  context("when a page is committed", function () {
    beforeEach(function () {
      store.set("User", USER, entity(USER));
      store.set("Sync", SYNC, entity(SYNC));
      store.commitEvent();
      store.pageCommitted();
    });

    it("keeps the page's mutable entities in the cache", function () {
      expect(store.get("User", USER)?.get("id")).to.deep.equal({ kind: "bytes", value: USER });
    });

    it("does not keep its immutable (one-per-event) entities: a later read loads them from the tables", function () {
      expect(() => store.get("Sync", SYNC)).to.throw(EntityNeeded);
    });
  });

  it("opens PGlite with a small Postgres buffer pool", async function () {
    this.timeout(120_000);
    const dir = await mkdtemp(path.join(tmpdir(), "reservebtc-store-"));
    const db = await openDb({ dataDir: dir });
    try {
      const [row] = await db.query<{ shared_buffers: string }>("show shared_buffers");
      expect(row?.shared_buffers).to.equal(PGLITE_SHARED_BUFFERS);
    } finally {
      await db.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
