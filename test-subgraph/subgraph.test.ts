// Subgraph checks (graph-node and matchstick cannot run here). Run by `npm run test:subgraph`, which installs the
// subgraph package when it is missing; kept out of `test/` so the main `hardhat test` run does not count it twice.
//
// 1. subgraph:prepare against a real deployment: the ReserveBTC Ignition module plus the YieldScalesPool (the
//    YieldLocal module) deployed on an in-process network with its journal written to a temporary deployments
//    folder, exactly as `ignition deploy` writes one; and without the pool, whose data source is then left out.
// 2. manifest ↔ ABIs ↔ mappings: every event of every ABI has a handler with graph-cli's exact signature; each
//    handler is exported by its mapping file and takes the event's generated class.
// 3. mappings ↔ schema: every entity field a mapping sets exists in schema.graphql with a compatible type.
// 4. graph codegen + graph build succeed and the built manifest names the deployed addresses; the mappings pass the
//    type-aware lint against the generated bindings.
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { chmod, cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";

import { HardhatArtifactResolver } from "@nomicfoundation/hardhat-ignition/helpers";
import { DeploymentResultType, deploy } from "@nomicfoundation/ignition-core";
import { expect } from "chai";
import { ESLint } from "eslint";
import hre, { network } from "hardhat";

import YieldLocalModule from "../deploy/modules/YieldLocal.js";
import { CONTRACTS as ADDRESS_BOOK_CONTRACTS, loadDeployment } from "../src/deployments.js";
import type { ContractKey } from "../src/deployments.js";
import { BackendError, UserInputError } from "../src/errors.js";
import { renderPipeline, resourceSizeFor } from "../src/store/pipeline.js";
import { historySchema, snakeCase } from "../src/store/schema.js";
import type { HistorySchema } from "../src/store/schema.js";
import { buildSubgraph } from "../src/subgraph/build.js";
import {
  checkAssignments,
  checkQuerySelections,
  exportedHandlers,
  findFieldAssignments,
  parseSchema,
} from "../src/subgraph/checks.js";
import type { MappingSource } from "../src/subgraph/checks.js";
import { NOT_LOGGED_IN, deploySubgraph } from "../src/subgraph/deploy.js";
import type { AbiEntry, DataSourceEntry } from "../src/subgraph/manifest.js";
import { abiEventSignatures, graphEventSignature, parseDataSources } from "../src/subgraph/manifest.js";
import { IGNITION_MODULE_ID, checkHandlersMatchAbi, prepareSubgraph } from "../src/subgraph/prepare.js";
import type { PrepareResult } from "../src/subgraph/prepare.js";

const ROOT = hre.config.paths.root;
const SUBGRAPH = path.join(ROOT, "subgraph");
const CHAIN_ID = 31337;
/** Every contract the subgraph indexes (YieldScalesPool only when the deployment has one). */
const CORE_CONTRACTS = [
  "RBTCSynth",
  "WrBTC",
  "FeeVault",
  "FeePolicy",
  "Oracle",
  "DisputeManager",
  "ProofOfReserves",
];
const CONTRACTS = [...CORE_CONTRACTS, "YieldScalesPool"];
/** Ignition future id of a data source's contract in the test deployment. */
const futureIdOf = (name: string) =>
  name === "YieldScalesPool" ? "YieldLocal#YieldScalesPool" : `${IGNITION_MODULE_ID}#${name}`;

const readAbi = async (name: string): Promise<readonly AbiEntry[]> =>
  (await hre.artifacts.readArtifact(name)).abi as readonly AbiEntry[];

/** A deployment of the real Ignition module, written where `ignition deploy` would write it. */
interface Deployment {
  readonly dir: string;
  readonly addresses: Record<string, string>;
  readonly getCode: (address: string, block: number) => Promise<string>;
}

async function deployReserveBtc(): Promise<Deployment> {
  const { provider } = await network.create();
  const dir = await mkdtemp(path.join(os.tmpdir(), "reservebtc-subgraph-"));
  const accounts = (await provider.request({ method: "eth_accounts" })) as string[];
  const result = await deploy({
    config: { requiredConfirmations: 1 },
    provider,
    artifactResolver: new HardhatArtifactResolver(hre.artifacts),
    deploymentDir: path.join(dir, `chain-${CHAIN_ID}`),
    ignitionModule: YieldLocalModule,
    deploymentParameters: {},
    accounts,
    defaultSender: accounts[0],
  });
  if (result.type !== DeploymentResultType.SUCCESSFUL_DEPLOYMENT) {
    throw new Error(`Ignition deployment failed: ${result.type}`);
  }
  const addresses = JSON.parse(
    await readFile(path.join(dir, `chain-${CHAIN_ID}`, "deployed_addresses.json"), "utf8"),
  ) as Record<string, string>;
  const getCode = async (address: string, block: number): Promise<string> =>
    (await provider.request({
      method: "eth_getCode",
      params: [address, `0x${block.toString(16)}`],
    })) as string;
  return { dir, addresses, getCode };
}

/** Runs `hardhat <args>` in the project root. */
function runHardhat(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("npx", ["hardhat", ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

describe("subgraph", function () {
  this.timeout(600_000);

  let deployment: Deployment;
  let prepared: PrepareResult;
  let manifest: DataSourceEntry[];

  before(async function () {
    deployment = await deployReserveBtc();
    prepared = await prepareSubgraph({
      root: ROOT,
      chainId: CHAIN_ID,
      deploymentsDir: deployment.dir,
      readAbi,
    });
    manifest = parseDataSources(await readFile(path.join(SUBGRAPH, "subgraph.yaml"), "utf8"));
  });

  after(async function () {
    if (deployment !== undefined) await rm(deployment.dir, { recursive: true, force: true });
  });

  describe("subgraph:prepare", function () {
    context("when the Ignition deployment of the chain exists", function () {
      it("renders one data source per contract, on the chain's graph network", function () {
        expect(manifest.map((ds) => ds.name)).to.deep.equal(CONTRACTS);
        expect(prepared.network).to.equal("hardhat");
        for (const ds of manifest) expect(ds.network).to.equal("hardhat");
      });

      it("names the deployed address of every contract", function () {
        for (const ds of manifest) {
          const address = deployment.addresses[futureIdOf(ds.name)];
          expect(address, ds.name).to.be.a("string");
          expect(ds.address, ds.name).to.equal(address);
        }
      });

      it("starts every data source at the block that deployed its contract", async function () {
        for (const ds of manifest) {
          const startBlock = Number(ds.startBlock);
          expect(startBlock, ds.name).to.be.greaterThan(0);
          expect(await deployment.getCode(ds.address, startBlock - 1), `${ds.name} before`).to.equal("0x");
          expect(await deployment.getCode(ds.address, startBlock), `${ds.name} at start`).to.not.equal("0x");
        }
      });

      it("agrees with the project's address book (src/deployments.ts)", async function () {
        const book = await loadDeployment(BigInt(CHAIN_ID), deployment.dir);
        const byName = new Map(manifest.map((ds) => [ds.name, ds]));
        expect(byName.get("YieldScalesPool")?.address).to.equal(book.yieldPool);
        for (const [key, name] of Object.entries(ADDRESS_BOOK_CONTRACTS) as [ContractKey, string][]) {
          expect(byName.get(name)?.address, name).to.equal(book[key]);
          expect(Number(byName.get(name)?.startBlock), name).to.equal(book.startBlocks?.[key]);
        }
      });

      it("writes networks.json with the same addresses and start blocks", async function () {
        const networks = JSON.parse(await readFile(path.join(SUBGRAPH, "networks.json"), "utf8")) as Record<
          string,
          Record<string, { address: string; startBlock: number }>
        >;
        for (const ds of manifest) {
          expect(networks.hardhat?.[ds.name]).to.deep.equal({
            address: ds.address,
            startBlock: Number(ds.startBlock),
          });
        }
      });

      it("copies every ABI from the Hardhat artifacts", async function () {
        for (const ds of manifest) {
          const written = JSON.parse(await readFile(path.join(SUBGRAPH, ds.abiFile), "utf8")) as unknown;
          expect(written, ds.name).to.deep.equal(await readAbi(ds.name));
        }
      });

      it("leaves no placeholder unrendered", async function () {
        const text = await readFile(path.join(SUBGRAPH, "subgraph.yaml"), "utf8");
        const uncommented = text.split("\n").filter((line) => !/^\s*#/.test(line));
        expect(uncommented.join("\n")).to.not.match(/\{\{/);
      });
    });

    context("when the deployment has no YieldScalesPool", function () {
      it("leaves the pool's data source out of the manifest", async function () {
        const dir = await mkdtemp(path.join(os.tmpdir(), "reservebtc-subgraph-core-"));
        try {
          const chainDir = path.join(dir, `chain-${CHAIN_ID}`);
          await cp(path.join(deployment.dir, `chain-${CHAIN_ID}`), chainDir, { recursive: true });
          const core = Object.fromEntries(
            Object.entries(deployment.addresses).filter(([id]) => id.startsWith(`${IGNITION_MODULE_ID}#`)),
          );
          await writeFile(path.join(chainDir, "deployed_addresses.json"), JSON.stringify(core));
          const result = await prepareSubgraph({
            root: ROOT,
            chainId: CHAIN_ID,
            deploymentsDir: dir,
            readAbi,
          });
          expect(result.dataSources.map((ds) => ds.name)).to.deep.equal(CORE_CONTRACTS);
          const text = await readFile(path.join(SUBGRAPH, "subgraph.yaml"), "utf8");
          const uncommented = text.split("\n").filter((line) => !/^\s*#/.test(line));
          expect(uncommented.join("\n")).to.not.match(/name: YieldScalesPool|yieldPool\.ts|\{\{/);
          expect(parseDataSources(text).map((ds) => ds.name)).to.deep.equal(CORE_CONTRACTS);
        } finally {
          // The later checks read the full manifest again.
          await prepareSubgraph({ root: ROOT, chainId: CHAIN_ID, deploymentsDir: deployment.dir, readAbi });
          await rm(dir, { recursive: true, force: true });
        }
      });
    });

    context("when the input is bad", function () {
      it("fails for a chain without a deployment", async function () {
        const error = await prepareSubgraph({
          root: ROOT,
          chainId: 999_999,
          graphNetwork: "x",
          readAbi,
        }).catch((e: unknown) => e);
        expect(error).to.be.instanceOf(UserInputError);
        expect((error as Error).message).to.match(/no Ignition deployment/);
      });

      it("fails for a chain without a known graph network name", async function () {
        const error = await prepareSubgraph({ root: ROOT, chainId: 999_999, readAbi }).catch(
          (e: unknown) => e,
        );
        expect(error).to.be.instanceOf(UserInputError);
        expect((error as Error).message).to.match(/--graph-network/);
      });

      it("prints one error line and exits 2 from the task", async function () {
        const { code, stdout, stderr } = await runHardhat([
          "subgraph:prepare",
          "--chain-id",
          "nope",
          "--json",
        ]);
        expect(code).to.equal(2);
        expect(stdout).to.equal("");
        expect(
          stderr
            .trim()
            .split("\n")
            .filter((line) => !line.startsWith("WARNING")),
        ).to.deep.equal(['error: invalid --chain-id "nope"']);
      });

      it("fails when an ABI event has no handler in the template", function () {
        const abi: AbiEntry[] = [
          { type: "event", name: "Minted", inputs: [{ type: "address", indexed: true }, { type: "uint64" }] },
        ];
        expect(() => checkHandlersMatchAbi("RBTCSynth", [], abi)).to.throw(
          UserInputError,
          "no handler for Minted(indexed address,uint64)",
        );
        expect(() => checkHandlersMatchAbi("RBTCSynth", [{ event: "Gone()" }], [])).to.throw(
          UserInputError,
          "handlers for events not in the ABI: Gone()",
        );
      });
    });
  });

  describe("manifest ↔ ABIs ↔ mappings", function () {
    it("writes tuple and array parameters as graph-cli does", function () {
      const event: AbiEntry = {
        type: "event",
        name: "E",
        inputs: [
          { type: "uint64", indexed: true },
          { type: "tuple[]", components: [{ type: "address" }, { type: "bytes32" }] },
          { type: "address[]" },
        ],
      };
      expect(graphEventSignature(event)).to.equal("E(indexed uint64,(address,bytes32)[],address[])");
    });

    for (const name of CONTRACTS) {
      context(`when the contract is ${name}`, function () {
        it("has a handler for every event of its ABI, with the exact signature", async function () {
          const ds = manifest.find((entry) => entry.name === name);
          expect(ds, name).to.not.equal(undefined);
          const events = abiEventSignatures(await readAbi(name));
          expect(events.length).to.be.greaterThan(0);
          expect(ds?.eventHandlers.map((h) => h.event).sort()).to.deep.equal(events);
        });

        it("exports every handler from its mapping file, taking the event's generated class", async function () {
          const ds = manifest.find((entry) => entry.name === name);
          const source = await readFile(path.join(SUBGRAPH, ds?.mappingFile ?? ""), "utf8");
          const exported = exportedHandlers(source);
          for (const { event, handler } of ds?.eventHandlers ?? []) {
            const eventName = event.slice(0, event.indexOf("("));
            expect(exported.get(handler), `${handler} in ${ds?.mappingFile}`).to.equal(eventName);
          }
        });
      });
    }
  });

  describe("mappings ↔ schema", function () {
    let sources: MappingSource[];
    let schemaText: string;

    before(async function () {
      schemaText = await readFile(path.join(SUBGRAPH, "schema.graphql"), "utf8");
      sources = [
        {
          file: "src/helpers.ts",
          source: await readFile(path.join(SUBGRAPH, "src/helpers.ts"), "utf8"),
          abi: undefined,
        },
      ];
      for (const ds of manifest) {
        sources.push({
          file: ds.mappingFile,
          source: await readFile(path.join(SUBGRAPH, ds.mappingFile), "utf8"),
          abi: await readAbi(ds.name),
        });
      }
    });

    it("sets only fields the schema has, with compatible types", function () {
      const schema = parseSchema(schemaText);
      const assignments = findFieldAssignments(schema, sources);
      expect(assignments.length).to.be.greaterThan(100);
      const problems = checkAssignments(schema, assignments).map(
        (p) => `${p.assignment.file}:${p.assignment.line} ${p.problem}`,
      );
      expect(problems).to.deep.equal([]);
    });

    it("types the value of every assignment (nothing left unchecked)", function () {
      const schema = parseSchema(schemaText);
      const untyped = findFieldAssignments(schema, sources)
        .filter((a) => a.valueType === undefined)
        .map((a) => `${a.file}:${a.line} ${a.entity}.${a.field} = ${a.value}`);
      expect(untyped).to.deep.equal([]);
    });

    it("sets every required field of every entity it creates", function () {
      const schema = parseSchema(schemaText);
      const set = new Map<string, Set<string>>();
      for (const a of findFieldAssignments(schema, sources)) {
        set.set(a.entity, (set.get(a.entity) ?? new Set()).add(a.field));
      }
      const missing: string[] = [];
      for (const [entity, fields] of schema.entities) {
        for (const [field, info] of fields) {
          if (field !== "id" && info.required && !info.derived && !(set.get(entity)?.has(field) ?? false)) {
            missing.push(`${entity}.${field}`);
          }
        }
      }
      expect(missing).to.deep.equal([]);
    });

    it("gets users before loading ReserveState in every handler (a new user saves ReserveState.userCount)", function () {
      const offenders: string[] = [];
      for (const { file, source } of sources) {
        for (const body of source.split(/\n(?=export function |function )/)) {
          const state = body.indexOf("getOrCreateReserveState(");
          const user = body.lastIndexOf("getOrCreateUser(");
          if (state !== -1 && user > state)
            offenders.push(`${file}: ${/function (\w+)/.exec(body)?.[1] ?? "?"}`);
        }
      }
      expect(offenders).to.deep.equal([]);
    });

    it("comments every field of the schema", function () {
      expect(parseSchema(schemaText).undocumented).to.deep.equal([]);
    });

    it("makes every event record immutable with a Bytes id", function () {
      const schema = parseSchema(schemaText);
      const aggregates = new Set([
        "User",
        "BitcoinAddress",
        "Committee",
        "RoleMember",
        "ReserveState",
        "ReserveDaySnapshot",
        "UserDaySnapshot",
        "Dispute",
        "YieldPool",
        "YieldParticipant",
        "ReserveHistoryPoint",
      ]);
      for (const match of schemaText.matchAll(/^type (\w+) @entity\(immutable: (true|false)\)/gm)) {
        expect(match[2], match[1]).to.equal(aggregates.has(match[1] ?? "") ? "false" : "true");
        expect(schema.entities.get(match[1] ?? "")?.get("id")?.type, match[1]).to.equal("Bytes");
      }
    });

    context("when a mapping sets a field the schema lacks or with the wrong type", function () {
      it("reports both", function () {
        const schema = parseSchema(schemaText);
        const source = [
          "export function handleMinted(event: Minted): void {",
          "  const mint = new Mint(eventId(event));",
          "  mint.amountSat = event.params.amountSats;",
          "  mint.user = event.params.amountSats;",
          "}",
        ].join("\n");
        const abi = [
          {
            type: "event",
            name: "Minted",
            inputs: [
              { type: "address", name: "user", indexed: true },
              { type: "uint64", name: "amountSats" },
            ],
          },
        ];
        const problems = checkAssignments(
          schema,
          findFieldAssignments(schema, [{ file: "x.ts", source, abi }]),
        );
        expect(problems.map((p) => p.problem)).to.deep.equal([
          "Mint has no field amountSat",
          "Mint.user is User, value is BigInt",
        ]);
      });
    });
  });

  describe("realtime queries (subgraph/queries/realtime.graphql)", function () {
    it("select only fields the schema has", async function () {
      const schema = parseSchema(await readFile(path.join(SUBGRAPH, "schema.graphql"), "utf8"));
      const queries = await readFile(path.join(SUBGRAPH, "queries", "realtime.graphql"), "utf8");
      expect(queries).to.match(/query Balances/);
      expect(checkQuerySelections(schema, queries)).to.deep.equal([]);
    });

    it("reports a field the schema lacks", function () {
      const schema = parseSchema('type User @entity(immutable: false) {\n  "x"\n  id: Bytes!\n}\n');
      expect(
        checkQuerySelections(schema, "query Q { users(first: 1) { id balance } mints { id } }"),
      ).to.deep.equal(["User has no field balance", "no entity field mints at the top level"]);
    });
  });

  describe("Mirror pipeline (subgraph/pipelines/reservebtc-postgres.yaml)", function () {
    interface Pipeline {
      name: string;
      apiVersion: number;
      resource_size?: string;
      transforms?: Record<string, unknown>;
      sources: Record<string, { type: string; name: string; start_at?: string; subgraphs: unknown[] }>;
      sinks: Record<
        string,
        { type: string; from: string; schema: string; table: string; secret_name: string }
      >;
    }
    let pipeline: Pipeline;
    let history: HistorySchema;

    before(async function () {
      // The YAML is loaded with a real parser (js-yaml, from the subgraph package's graph-cli).
      const require = createRequire(path.join(SUBGRAPH, "package.json"));
      const yaml = require("js-yaml") as { load(text: string): unknown };
      const text = await readFile(path.join(SUBGRAPH, "pipelines", "reservebtc-postgres.yaml"), "utf8");
      pipeline = yaml.load(text) as Pipeline;
      history = historySchema(await readFile(path.join(SUBGRAPH, "schema.graphql"), "utf8"));
      expect(text, "the file is what renderPipeline gives (npx hardhat subgraph:pipeline)").to.equal(
        renderPipeline(history),
      );
    });

    it("has one source per entity, read from the first block (start_at: earliest)", function () {
      expect(pipeline.apiVersion).to.equal(3);
      const sources = Object.values(pipeline.sources);
      expect(sources.map((s) => s.name).sort()).to.deep.equal(
        [...history.tables.values()].map((t) => t.table).sort(),
      );
      for (const s of sources) {
        expect(s.type, s.name).to.equal("subgraph_entity");
        expect(s.start_at, s.name).to.equal("earliest");
        expect(s.subgraphs, s.name).to.deep.equal([{ name: "reservebtc", version: "0.0.1" }]);
      }
    });

    it("has the transforms key and a resource size for its number of sources", function () {
      expect(pipeline.transforms).to.deep.equal({});
      expect(pipeline.resource_size).to.equal(resourceSizeFor(Object.keys(pipeline.sources).length));
      expect(Object.keys(pipeline.sources).length).to.be.greaterThan(20);
      expect(pipeline.resource_size).to.not.equal("s");
    });

    it("sinks every source into the store's table of that entity, whose columns are the entity's stored fields", function () {
      const sinks = Object.values(pipeline.sinks);
      expect(sinks).to.have.length(Object.keys(pipeline.sources).length);
      for (const sink of sinks) {
        const source = pipeline.sources[sink.from];
        expect(source, sink.from).to.not.equal(undefined);
        expect(sink).to.deep.include({
          type: "postgres",
          schema: "reservebtc",
          secret_name: "RESERVEBTC_POSTGRES",
        });
        expect(sink.table).to.equal(source?.name);
        const table = [...history.tables.values()].find((t) => t.table === sink.table);
        const fields = parseSchema(readFileSync(path.join(SUBGRAPH, "schema.graphql"), "utf8")).entities.get(
          table?.entity ?? "",
        );
        const stored = [...(fields ?? [])].filter(([, f]) => !f.derived).map(([name]) => snakeCase(name));
        expect(table?.columns.map((c) => c.column).sort(), sink.table).to.deep.equal(stored.sort());
      }
    });
  });

  describe("graph codegen + graph build", function () {
    before(function () {
      if (!existsSync(path.join(SUBGRAPH, "node_modules", ".bin", "graph"))) {
        console.log(
          "    subgraph/node_modules is missing: skipping the build (run npm ci --prefix subgraph)",
        );
        this.skip();
      }
    });

    it("asks for npm ci --prefix subgraph when the subgraph package is not installed", async function () {
      const root = await mkdtemp(path.join(os.tmpdir(), "reservebtc-noinstall-"));
      const error = await buildSubgraph(root).catch((e: unknown) => e);
      await rm(root, { recursive: true, force: true });
      expect(error).to.be.instanceOf(UserInputError);
      expect((error as Error).message).to.equal(
        "subgraph dependencies are not installed (graph missing): run npm ci --prefix subgraph",
      );
    });

    it("builds the prepared subgraph", async function () {
      const result = await buildSubgraph(ROOT);
      expect(existsSync(path.join(ROOT, result.manifest))).to.equal(true);
      for (const name of CONTRACTS) {
        expect(existsSync(path.join(SUBGRAPH, "build", name, `${name}.wasm`)), name).to.equal(true);
      }
    });

    it("passes the type-aware lint against the generated bindings (eslint.subgraph.config.js)", async function () {
      const eslint = new ESLint({
        cwd: ROOT,
        overrideConfigFile: path.join(ROOT, "eslint.subgraph.config.js"),
      });
      const results = await eslint.lintFiles(["subgraph/src/**/*.ts"]);
      expect(results.length).to.be.greaterThan(0);
      const problems = results.flatMap((r) =>
        r.messages.map(
          (m) => `${path.relative(ROOT, r.filePath)}:${m.line} ${m.ruleId ?? "parse"} ${m.message}`,
        ),
      );
      expect(problems).to.deep.equal([]);
    });

    it("names the deployed addresses and start blocks in the built manifest", async function () {
      const built = parseDataSources(await readFile(path.join(SUBGRAPH, "build", "subgraph.yaml"), "utf8"));
      expect(built.map((ds) => [ds.name, ds.address.toLowerCase(), ds.startBlock])).to.deep.equal(
        manifest.map((ds) => [ds.name, ds.address.toLowerCase(), ds.startBlock]),
      );
    });
  });

  describe("subgraph:deploy", function () {
    context("when not logged in to Goldsky", function () {
      it("fails with one clear line before calling the Goldsky CLI", async function () {
        const home = await mkdtemp(path.join(os.tmpdir(), "reservebtc-home-"));
        const error = await deploySubgraph({
          root: ROOT,
          name: "reservebtc",
          version: "0.0.1",
          env: { HOME: home },
        }).catch((e: unknown) => e);
        await rm(home, { recursive: true, force: true });
        expect(error).to.be.instanceOf(UserInputError);
        expect((error as Error).message).to.equal(NOT_LOGGED_IN);
      });
    });

    context("when the name or version is malformed", function () {
      it("rejects it", async function () {
        const error = await deploySubgraph({
          root: ROOT,
          name: "reserve/btc",
          version: "0.0.1",
          env: {},
        }).catch((e: unknown) => e);
        expect(error).to.be.instanceOf(UserInputError);
        expect((error as Error).message).to.match(/invalid --name/);
      });
    });

    context("when Goldsky cannot be reached", function () {
      it("maps the CLI's ENOTFOUND to a BackendError naming the network problem", async function () {
        if (!existsSync(path.join(SUBGRAPH, "build", "subgraph.yaml"))) this.skip();
        // A stand-in for the Goldsky CLI printing what `goldsky subgraph deploy` prints offline (observed with
        // @goldskycom/cli 13.4.0): no test contacts Goldsky.
        const dir = await mkdtemp(path.join(os.tmpdir(), "reservebtc-goldsky-"));
        const bin = path.join(dir, "goldsky");
        await writeFile(
          bin,
          '#!/bin/sh\necho "Deploying Subgraph:"\necho "Deployment failed: ENOTFOUND" >&2\nexit 1\n',
        );
        await chmod(bin, 0o755);
        const error = await deploySubgraph({
          root: ROOT,
          name: "reservebtc",
          version: "0.0.1",
          env: { GOLDSKY_TOKEN: "dummy" },
          goldskyBin: bin,
        }).catch((e: unknown) => e);
        await rm(dir, { recursive: true, force: true });
        expect(error).to.be.instanceOf(BackendError);
        expect((error as Error).message).to.equal(
          "cannot reach the Goldsky API (Deployment failed: ENOTFOUND): check the network connection",
        );
      });
    });
  });
});
