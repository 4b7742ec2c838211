// The store's indexer against a real `hardhat node`, with PGlite and with a real Postgres server started here:
// migrations, a reorg of depth 3 (evm_snapshot / evm_revert) rolled back to the common ancestor, realtime:index
// SIGKILLed mid-backfill and restarted (resumes from its checkpoint; nothing lost or doubled), and the server's
// connections dropped while indexing (reconnects, nothing lost).
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { Wallet } from "ethers";
import { network } from "hardhat";
import type { NetworkConnection } from "hardhat/types/network";

import type { Deployment, SystemContracts } from "../../src/deployments.js";
import type { OpenOptions } from "../../src/store/db.js";
import { openDb } from "../../src/store/db.js";
import { MIGRATIONS_DIR, migrate } from "../../src/store/migrate.js";
import { historySchema } from "../../src/store/schema.js";
import { ensureMappingsBuilt } from "../../src/subgraph/mappings.js";
import { startHardhat } from "../helpers/cli.js";
import { startPostgres } from "../helpers/postgres.js";
import type { PostgresServer } from "../helpers/postgres.js";
import { ROOT, expectEntitiesMatchChain, expectSameAnswers, indexRun, readAbi } from "../helpers/store.js";
import type { ScenarioRun } from "../helpers/store.js";
import { deployTo, removeDeployments, rpc, startHardhatNode } from "../oracle/integration/helpers.js";
import type { RunningNode } from "../oracle/integration/helpers.js";

/** Users that receive fee deposits (one transaction, one block, one FeeDeposited each). */
const USERS = Array.from({ length: 4 }, () => Wallet.createRandom().address);

describe("store indexer", function () {
  this.timeout(1_800_000);
  let node: RunningNode;
  let connection: NetworkConnection;
  let system: SystemContracts & { deployment: Deployment; deploymentsRoot: string };
  let server: PostgresServer;

  before(async function () {
    await ensureMappingsBuilt({ root: ROOT, readAbi });
    node = await startHardhatNode();
    connection = await network.create({ network: "localhost", override: { url: node.url } });
    system = await deployTo(connection);
    server = await startPostgres();
  });

  after(async function () {
    await server?.stop();
    await connection?.close();
    await node?.stop();
    await removeDeployments();
  });

  const run = (): ScenarioRun => ({
    file: "indexer",
    provider: connection.ethers.provider,
    deployment: system.deployment,
    users: USERS,
  });

  /** `n` deposits, one block each, cycling through the users. */
  async function deposits(n: number, wei = 1_000n): Promise<void> {
    for (let i = 0; i < n; i++) {
      const tx = await system.feeVault.depositETH(USERS[i % USERS.length] as string, {
        value: wei + BigInt(i),
      });
      await tx.wait();
    }
  }

  async function depositLogs(): Promise<number> {
    const logs = await connection.ethers.provider.getLogs({
      address: system.deployment.feeVault,
      topics: [system.feeVault.interface.getEvent("FeeDeposited").topicHash],
      fromBlock: 0,
    });
    return logs.length;
  }

  const backends: Array<{
    name: string;
    open: () => Promise<{ options: OpenOptions; cleanup: () => Promise<void> }>;
  }> = [
    {
      name: "PGlite",
      open: async () => {
        const dir = await mkdtemp(path.join(tmpdir(), "reservebtc-store-"));
        return { options: { dataDir: dir }, cleanup: () => rm(dir, { recursive: true, force: true }) };
      },
    },
    {
      name: "Postgres server",
      open: async () => ({ options: { databaseUrl: server.url }, cleanup: async () => undefined }),
    },
  ];

  for (const backend of backends) {
    context(`with ${backend.name}`, function () {
      it("migrates to exactly the history schema (one table per entity, every stored field), once", async function () {
        const { options, cleanup } = await backend.open();
        const db = await openDb(options);
        try {
          await migrate(db);
          expect((await migrate(db)).applied).to.deep.equal([]);
          const schema = historySchema(await readFile(path.join(ROOT, "subgraph", "schema.graphql"), "utf8"));
          const rows = await db.query<{ table_name: string; column_name: string }>(
            `select table_name, column_name from information_schema.columns where table_schema = 'reservebtc'`,
          );
          for (const t of schema.tables.values()) {
            const columns = rows.filter((r) => r.table_name === t.table).map((r) => r.column_name);
            expect(columns, t.table).to.include.members(t.columns.map((c) => c.column));
          }
        } finally {
          await db.close();
          await cleanup();
        }
      });

      it("rolls a reorg of depth 3 back to the common ancestor and re-indexes the new branch", async function () {
        await deposits(2);
        const { options, cleanup } = await backend.open();
        const { store, indexer, source } = await indexRun(run(), options);
        try {
          const snapshot = (await rpc(node.url, "evm_snapshot")) as string;
          const ancestor = await connection.ethers.provider.getBlockNumber();
          await deposits(3, 7_000n); // three blocks that the reorg drops
          await indexer.catchUp();
          expect((await indexer.checkpoint())?.block).to.equal(ancestor + 3);
          expect(await rpc(node.url, "evm_revert", [snapshot])).to.equal(true);
          await deposits(4, 9_000n); // the new branch: four other blocks
          const first = await indexer.step();
          expect(first.action).to.equal("rolled-back");
          expect(first.checkpoint).to.equal(ancestor);
          await indexer.catchUp();
          const [row] = await store.db.query<{ n: string }>(
            `select count(*)::text as n from reservebtc.fee_deposit`,
          );
          expect(Number(row?.n)).to.equal(await depositLogs());
          await expectEntitiesMatchChain(run(), store);
          await expectSameAnswers(run(), source);
        } finally {
          await store.close();
          await cleanup();
        }
      });

      it("resumes realtime:index from its checkpoint after a SIGKILL mid-backfill: nothing lost or doubled", async function () {
        const { options, cleanup } = await backend.open();
        const env = {
          ...process.env,
          LOCALHOST_RPC_URL: node.url,
          RESERVEBTC_DEPLOYMENTS_DIR: system.deploymentsRoot,
        };
        const where =
          options.databaseUrl !== undefined
            ? ["--database-url", options.databaseUrl]
            : ["--data-dir", String(options.dataDir)];
        const args = [
          "realtime:index",
          "--network",
          "localhost",
          ...where,
          "--page-blocks",
          "1",
          "--once",
          "--json",
        ];
        try {
          // Reset first (the Postgres server's store is shared by the tests of this file).
          const reset = await startHardhat([...args, "--reset"], { env }).done;
          expect(reset.code, reset.stderr).to.equal(0);
          await deposits(40);
          let pages = 0;
          const killed = startHardhat(args, { env });
          killed.child.stderr?.on("data", (chunk: Buffer) => {
            pages += (chunk.toString().match(/^index: block/gm) ?? []).length;
            if (pages >= 1) killed.child.kill("SIGKILL");
          });
          const first = await killed.done;
          expect(first.signal).to.equal("SIGKILL");
          const second = await startHardhat(args, { env }).done;
          expect(second.code, second.stderr).to.equal(0);
          const result = JSON.parse(second.stdout.trim().split("\n").at(-1) ?? "{}") as { events: number };
          expect(result.events).to.be.greaterThan(0).and.lessThan(40); // resumed, not re-backfilled
          const { store, source } = await indexRun(run(), options, { keep: true });
          try {
            const [row] = await store.db.query<{ n: string }>(
              `select count(*)::text as n from reservebtc.fee_deposit`,
            );
            expect(Number(row?.n)).to.equal(await depositLogs());
            await expectEntitiesMatchChain(run(), store);
            await expectSameAnswers(run(), source);
          } finally {
            await store.close();
          }
        } finally {
          await cleanup();
        }
      });
    });
  }

  it("rides out the Postgres server dropping its connections while indexing: reconnects, nothing lost", async function () {
    const { store, indexer, source } = await indexRun(run(), { databaseUrl: server.url });
    const controller = new AbortController();
    const errors: unknown[] = [];
    const following = indexer.run(controller.signal, (e) => errors.push(e));
    const caughtUp = async () => {
      const head = await connection.ethers.provider.getBlockNumber();
      for (let i = 0; i < 1_200 && ((await indexer.checkpoint().catch(() => null))?.block ?? 0) < head; i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      return head;
    };
    try {
      let terminated = 0;
      for (let i = 0; i < 3; i++) {
        await deposits(2, 11_000n);
        await caughtUp();
        terminated += await server.terminateConnections();
      }
      expect(terminated, "connections the server dropped").to.be.greaterThan(0);
      await deposits(2, 13_000n);
      const head = await caughtUp();
      controller.abort();
      await following;
      expect((await indexer.checkpoint())?.block).to.equal(head);
      const [row] = await store.db.query<{ n: string }>(
        `select count(*)::text as n from reservebtc.fee_deposit`,
      );
      expect(Number(row?.n)).to.equal(await depositLogs());
      await expectSameAnswers(run(), source);
    } finally {
      controller.abort();
      await store.close();
    }
  });

  it("refuses a migration edited after it was applied", async function () {
    const dir = await mkdtemp(path.join(tmpdir(), "reservebtc-migrations-"));
    const data = await mkdtemp(path.join(tmpdir(), "reservebtc-store-"));
    await cp(MIGRATIONS_DIR, dir, { recursive: true });
    const db = await openDb({ dataDir: data });
    try {
      await migrate(db, dir);
      await writeFile(path.join(dir, "0002_indexer.sql"), "-- edited\n", { flag: "a" });
      await migrate(db, dir).then(
        () => expect.fail("an edited migration was accepted"),
        (e: Error) => expect(e.message).to.match(/migration 0002_indexer was changed after it was applied/),
      );
    } finally {
      await db.close();
      await rm(dir, { recursive: true, force: true });
      await rm(data, { recursive: true, force: true });
    }
  });
});
