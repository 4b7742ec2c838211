// The subgraph's compiled mappings as a library: `ensureMappingsBuilt` runs graph codegen + graph build on a manifest
// rendered for no particular deployment (every data source, zero addresses — the mappings read `event.address`, never
// the manifest's), and `Mappings` loads the .wasm files it wrote and runs the handler of each log through the host
// (src/subgraph/host.ts). The build is cached under subgraph/build-runtime/, keyed by a hash of what it is made of
// (schema, mappings, template, ABIs), so it is rebuilt only when one of them changes.

import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import path from "node:path";

import { Interface, LogDescription } from "ethers";
import type { EventFragment, Log } from "ethers";

import { ToolError } from "../errors.js";
import type { EntityAccess, EventContext } from "./host.js";
import { MappingModule, compileModule } from "./host.js";
import type { AbiEntry } from "./manifest.js";
import { parseDataSources, renderTemplate } from "./manifest.js";
import { lastLine, runTool, subgraphBin } from "./tools.js";

/** Where the deployment-independent build goes (git-ignored). */
export const RUNTIME_BUILD_DIR = path.join("subgraph", "build-runtime");
const RUNTIME_MANIFEST = "subgraph.runtime.yaml";
const STAMP_FILE = "build-stamp.txt";
/** The rendered manifest, kept next to the build (data sources and handlers, one per line). */
const HANDLERS_FILE = "handlers.yaml";
const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

export interface MappingsBuildOptions {
  /** Project root. */
  readonly root: string;
  /** ABI of a contract by name (the Hardhat artifacts). */
  readonly readAbi: (contractName: string) => Promise<readonly AbiEntry[]>;
  /** Progress lines (graph-cli output) on stderr. */
  readonly echo?: boolean;
}

/** Hash of the files the build is made of. */
async function buildInputsHash(root: string, abis: ReadonlyMap<string, string>): Promise<string> {
  const hash = createHash("sha256");
  const subgraph = path.join(root, "subgraph");
  const files = [
    "schema.graphql",
    "subgraph.template.yaml",
    ...(await readdir(path.join(subgraph, "src"))).sort().map((f) => path.join("src", f)),
  ];
  for (const file of files) hash.update(file).update(await readFile(path.join(subgraph, file)));
  for (const [name, abi] of [...abis].sort()) hash.update(name).update(abi);
  return hash.digest("hex");
}

/**
 * Builds the mappings for the host (graph codegen + graph build of every data source) unless the cached build is
 * current. Returns the built manifest's path.
 */
export async function ensureMappingsBuilt(options: MappingsBuildOptions): Promise<string> {
  const subgraph = path.join(options.root, "subgraph");
  const buildDir = path.join(options.root, RUNTIME_BUILD_DIR);
  const template = await readFile(path.join(subgraph, "subgraph.template.yaml"), "utf8");
  const sources = parseDataSources(template);
  const abis = new Map<string, string>();
  for (const source of sources) {
    abis.set(source.name, `${JSON.stringify(await options.readAbi(source.name), null, 2)}\n`);
  }
  const stamp = await buildInputsHash(options.root, abis);
  const builtManifest = path.join(buildDir, "subgraph.yaml");
  const stampPath = path.join(buildDir, STAMP_FILE);
  if (
    existsSync(builtManifest) &&
    existsSync(path.join(buildDir, HANDLERS_FILE)) &&
    existsSync(stampPath) &&
    (await readFile(stampPath, "utf8")) === stamp
  ) {
    return builtManifest;
  }
  const graph = subgraphBin(options.root, "graph");
  await mkdir(path.join(subgraph, "abis"), { recursive: true });
  const values = new Map<string, string>([["network", "hardhat"]]);
  for (const source of sources) {
    await writeFile(path.join(subgraph, source.abiFile), abis.get(source.name) ?? "[]");
    values.set(`${source.name}.address`, ZERO_ADDRESS);
    values.set(`${source.name}.startBlock`, "0");
  }
  await writeFile(
    path.join(subgraph, RUNTIME_MANIFEST),
    "# GENERATED for the mapping host (src/subgraph/mappings.ts) — zero addresses; do not deploy.\n" +
      renderTemplate(template, values),
  );
  const steps: [string, string[]][] = [
    ["graph codegen", ["codegen", RUNTIME_MANIFEST, "--output-dir", "generated"]],
    ["graph build", ["build", RUNTIME_MANIFEST, "--output-dir", path.relative(subgraph, buildDir)]],
  ];
  for (const [label, args] of steps) {
    const run = await runTool(graph, args, subgraph, { echo: options.echo });
    if (run.code !== 0) throw new ToolError(`${label} failed (exit ${run.code}): ${lastLine(run.output)}`);
  }
  // graph-cli folds long lines of the manifest it writes; the host reads the handlers from the rendered copy.
  await writeFile(path.join(buildDir, HANDLERS_FILE), await readFile(path.join(subgraph, RUNTIME_MANIFEST)));
  await writeFile(stampPath, stamp);
  return builtManifest;
}

interface Handler {
  module: MappingModule;
  iface: Interface;
  /** The event's fragment, its topic hash precomputed (see `withTopic`). */
  fragment: EventFragment;
  topic: string;
  handler: string;
  dataSource: string;
}

/**
 * The fragment with its `topicHash` fixed: ethers computes that getter (a keccak of the signature) on every access,
 * and `Interface.parseLog` hashes every event of the ABI until one matches — per log, the largest cost of decoding.
 */
function withTopic(fragment: EventFragment, topic: string): EventFragment {
  return Object.create(fragment, { topicHash: { value: topic } }) as EventFragment;
}

/** A log decoded for its mapping: which data source, which event, which handler. */
export interface DecodedLog {
  readonly dataSource: string;
  readonly event: string;
  readonly handler: string;
  readonly parsed: LogDescription;
  readonly run: (ctx: EventContext) => void;
}

/** Topic0 of a graph-cli event signature (`Synced(indexed address,uint64)` → keccak of `Synced(address,uint64)`). */
function topicOf(iface: Interface, signature: string): string {
  const name = signature.slice(0, signature.indexOf("("));
  const types = signature
    .slice(signature.indexOf("(") + 1, -1)
    .split(",")
    .filter((t) => t !== "")
    .map((t) => t.replace(/^indexed /, ""));
  const match = iface.fragments.find(
    (f) =>
      f.type === "event" &&
      (f as { name?: string }).name === name &&
      (f as unknown as { inputs: readonly { format(): string }[] }).inputs
        .map((i) => i.format())
        .join(",") === types.join(","),
  );
  const topic =
    match === undefined ? undefined : iface.getEvent((match as { format(): string }).format())?.topicHash;
  if (topic === undefined) throw new ToolError(`built manifest: no ABI event matches ${signature}`);
  return topic;
}

/** The built mappings of every data source, bound to one deployment's addresses. */
export class Mappings {
  private readonly byAddress = new Map<string, Map<string, Handler>>();

  private constructor(
    private readonly modules: ReadonlyMap<
      string,
      { module: MappingModule; iface: Interface; handlers: Map<string, string> }
    >,
  ) {}

  /** Loads the .wasm files and ABIs a `graph build` manifest names; `store()` is what the mappings read and write. */
  static async load(builtManifest: string, store: () => EntityAccess): Promise<Mappings> {
    const dir = path.dirname(builtManifest);
    const sources = parseDataSources(await readFile(path.join(dir, HANDLERS_FILE), "utf8"));
    const modules = new Map<
      string,
      { module: MappingModule; iface: Interface; handlers: Map<string, string> }
    >();
    for (const source of sources) {
      // graph build writes <DataSource>/<DataSource>.wasm and the data source's ABIs beside it.
      const wasm = await readFile(path.join(dir, source.name, `${source.name}.wasm`));
      const abiFile = path.join(dir, source.name, path.basename(source.abiFile));
      const abi = JSON.parse(await readFile(abiFile, "utf8")) as AbiEntry[];
      const iface = new Interface(abi);
      const handlers = new Map<string, string>();
      for (const h of source.eventHandlers) handlers.set(topicOf(iface, h.event), h.handler);
      modules.set(source.name, {
        module: new MappingModule(source.name, compileModule(wasm), store),
        iface,
        handlers,
      });
    }
    return new Mappings(modules);
  }

  /** Data source names the build has. */
  get dataSources(): string[] {
    return [...this.modules.keys()];
  }

  /** Indexes the logs of `address` with the data source `name` (a deployment's contract). */
  bind(name: string, address: string): void {
    const m = this.modules.get(name);
    if (m === undefined) throw new ToolError(`the built subgraph has no data source ${name}`);
    const handlers = new Map<string, Handler>();
    for (const [topic, handler] of m.handlers) {
      const fragment = m.iface.getEvent(topic);
      if (fragment === null) throw new ToolError(`data source ${name}: no ABI event has topic ${topic}`);
      handlers.set(topic, {
        module: m.module,
        iface: m.iface,
        fragment: withTopic(fragment, topic),
        topic,
        handler,
        dataSource: name,
      });
    }
    this.byAddress.set(address.toLowerCase(), handlers);
  }

  /** Addresses bound so far (the `eth_getLogs` filter). */
  get addresses(): string[] {
    return [...this.byAddress.keys()];
  }

  /** The handler for a log, or undefined when no bound data source handles it. */
  decode(log: Pick<Log, "address" | "topics" | "data">): DecodedLog | undefined {
    const handler = this.byAddress.get(log.address.toLowerCase())?.get((log.topics[0] ?? "").toLowerCase());
    if (handler === undefined) return undefined;
    if (handler.fragment.anonymous) return undefined;
    const args = handler.iface.decodeEventLog(handler.fragment, log.data, [...log.topics]);
    const parsed = new LogDescription(handler.fragment, handler.topic, args);
    return {
      dataSource: handler.dataSource,
      event: parsed.name,
      handler: handler.handler,
      parsed,
      run: (ctx) => handler.module.handle(handler.handler, parsed, ctx),
    };
  }
}
