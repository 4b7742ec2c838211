// The compiled subgraph mappings, run by the host (src/subgraph/host.ts) over the events of every scenario in
// scenarios/, write the history tables of a PGlite store; after each scenario the entities agree with the contracts'
// views and the `postgres` source answers all eight queries exactly as the chain (the rpc source) does.
import { readdir } from "node:fs/promises";
import path from "node:path";

import { expect } from "chai";

import { PostgresSource } from "../src/store/source.js";
import {
  expectEntitiesMatchChain,
  expectSameAnswers,
  indexRun,
  ROOT,
  runScenarioFile,
  tempDataDir,
} from "./helpers.js";

const files = (await readdir(path.join(ROOT, "scenarios"))).filter((f) => f.endsWith(".json")).sort();

describe("mappings and the postgres source after every scenario (PGlite)", function () {
  this.timeout(900_000);

  it("finds the scenarios", function () {
    expect(files.length).to.be.at.least(10);
  });

  for (const file of files) {
    it(`${file}: entities equal chain state; the eight queries equal the rpc source`, async function () {
      const run = await runScenarioFile(file);
      const { dir, cleanup } = await tempDataDir();
      const { store } = await indexRun(run, { dataDir: dir });
      try {
        await expectEntitiesMatchChain(run, store);
        const { source } = { source: new PostgresSource(store.db, store.schema) };
        const compared = await expectSameAnswers(run, source);
        expect(compared).to.be.greaterThan(8);
      } finally {
        await store.close();
        await cleanup();
        await run.connection.close();
      }
    });
  }
});
