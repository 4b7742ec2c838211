// The subgraph manifest template: placeholders, data sources and event handlers, and the graph-cli event signature
// of an ABI event. Shared by `subgraph:prepare` (which renders and validates) and the subgraph checks.
//
// The template is our own file with a fixed layout (see subgraph/subgraph.template.yaml), so a line-based reader is
// enough: no YAML dependency in the root package.

import { UserInputError } from "../errors.js";

/** One `eventHandlers` entry of a data source. */
export interface EventHandlerEntry {
  /** graph-cli event signature, e.g. `Synced(indexed address,uint64,uint64,uint64,bytes32,uint64)`. */
  readonly event: string;
  /** Name of the exported AssemblyScript function. */
  readonly handler: string;
}

/** What the subgraph checks and the generator need to know about one data source. */
export interface DataSourceEntry {
  /** Data source name = contract name = ABI name = Ignition future `ReserveBTC#<name>`. */
  readonly name: string;
  /** `source.address` as written (a placeholder in the template, an address once rendered). */
  readonly address: string;
  /** `source.startBlock` as written. */
  readonly startBlock: string;
  /** `network` as written. */
  readonly network: string;
  /** `mapping.file`, relative to the subgraph directory. */
  readonly mappingFile: string;
  /** `mapping.abis[].file` of the data source's own ABI, relative to the subgraph directory. */
  readonly abiFile: string;
  /** `mapping.entities`. */
  readonly entities: readonly string[];
  /** `mapping.eventHandlers`. */
  readonly eventHandlers: readonly EventHandlerEntry[];
}

/** Minimal structural view of an ABI entry. */
export interface AbiParameter {
  readonly type: string;
  readonly name?: string;
  readonly indexed?: boolean;
  readonly components?: readonly AbiParameter[];
}
export interface AbiEntry {
  readonly type: string;
  readonly name?: string;
  readonly inputs?: readonly AbiParameter[];
}

/** Canonical type of a parameter, with tuples expanded as graph-cli writes them: `(address,uint64)[]`. */
function canonicalType(param: AbiParameter): string {
  if (param.type.startsWith("tuple")) {
    const inner = (param.components ?? []).map(canonicalType).join(",");
    return `(${inner})${param.type.slice("tuple".length)}`;
  }
  return param.type;
}

/** The event signature graph-cli expects in `eventHandlers[].event`, e.g. `Minted(indexed address,uint64)`. */
export function graphEventSignature(event: AbiEntry): string {
  const params = (event.inputs ?? []).map(
    (p) => `${p.indexed === true ? "indexed " : ""}${canonicalType(p)}`,
  );
  return `${event.name ?? ""}(${params.join(",")})`;
}

/** Every event of an ABI as graph-cli signatures, sorted. */
export function abiEventSignatures(abi: readonly AbiEntry[]): string[] {
  return abi
    .filter((entry) => entry.type === "event")
    .map(graphEventSignature)
    .sort();
}

const DATA_SOURCE_START = /^ {2}- kind: ethereum(\/contract)?\s*$/;

/** Value of `key: value` on a line (quotes removed), or undefined. */
function valueOf(line: string, key: string): string | undefined {
  const match = new RegExp(`^\\s*(?:- )?${key}:\\s*(.*?)\\s*$`).exec(line);
  if (match === null) return undefined;
  const raw = match[1] ?? "";
  return raw.replace(/^"(.*)"$/, "$1").replace(/^'(.*)'$/, "$1");
}

/** Reads the data sources of a manifest or template in the layout of subgraph.template.yaml. */
export function parseDataSources(text: string): DataSourceEntry[] {
  const lines = text.split(/\r?\n/);
  const blocks: string[][] = [];
  let current: string[] | undefined;
  for (const line of lines) {
    if (DATA_SOURCE_START.test(line)) {
      current = [];
      blocks.push(current);
    } else if (current !== undefined && /^\S/.test(line)) {
      current = undefined; // a new top-level key (e.g. templates:) ends the data sources
    } else if (current !== undefined) {
      current.push(line);
    }
  }
  return blocks.map((block) => parseDataSourceBlock(block));
}

function parseDataSourceBlock(block: readonly string[]): DataSourceEntry {
  let name = "";
  let address = "";
  let startBlock = "";
  let network = "";
  let mappingFile = "";
  let abiFile = "";
  let section = "";
  let pendingAbiName: string | undefined;
  const entities: string[] = [];
  const eventHandlers: EventHandlerEntry[] = [];
  let pendingEvent: string | undefined;
  for (const line of block) {
    const sectionMatch = /^ {6}(entities|abis|eventHandlers|callHandlers|blockHandlers):\s*$/.exec(line);
    if (sectionMatch !== null) {
      section = sectionMatch[1] ?? "";
      continue;
    }
    if (/^ {4}\S/.test(line) || /^ {6}\S/.test(line)) section = "";
    name = (/^ {4}name:/.test(line) ? valueOf(line, "name") : undefined) ?? name;
    network = (/^ {4}network:/.test(line) ? valueOf(line, "network") : undefined) ?? network;
    address = valueOf(line, "address") ?? address;
    startBlock = valueOf(line, "startBlock") ?? startBlock;
    if (/^ {6}file:/.test(line)) mappingFile = valueOf(line, "file") ?? mappingFile;
    if (section === "entities") {
      const entity = /^\s*- (\w+)\s*$/.exec(line)?.[1];
      if (entity !== undefined) entities.push(entity);
    } else if (section === "abis") {
      const abiName = valueOf(line, "name");
      if (abiName !== undefined) pendingAbiName = abiName;
      const file = valueOf(line, "file");
      if (file !== undefined && pendingAbiName === name) abiFile = file;
    } else if (section === "eventHandlers") {
      const event = valueOf(line, "event");
      if (event !== undefined) pendingEvent = event;
      const handler = valueOf(line, "handler");
      if (handler !== undefined && pendingEvent !== undefined) {
        eventHandlers.push({ event: pendingEvent, handler });
        pendingEvent = undefined;
      }
    }
  }
  if (name === "") throw new UserInputError("subgraph manifest: a data source has no name");
  return { name, address, startBlock, network, mappingFile, abiFile, entities, eventHandlers };
}

/**
 * The template without the data source named `name` (its `- kind:` entry and the comment lines just above it); the
 * text is returned unchanged when there is no such data source.
 */
export function removeDataSource(text: string, name: string): string {
  const lines = text.split(/\r?\n/);
  let start = -1;
  for (let i = 0; i < lines.length; i++) {
    if (DATA_SOURCE_START.test(lines[i] ?? "") && lines[i + 1] === `    name: ${name}`) start = i;
  }
  if (start < 0) return text;
  let end = start + 1;
  while (end < lines.length && !DATA_SOURCE_START.test(lines[end] ?? "") && !/^\S/.test(lines[end] ?? ""))
    end++;
  // The entry's own comment lines (directly above it) go with it.
  let from = start;
  while (from > 0 && /^ {2}#/.test(lines[from - 1] ?? "")) from--;
  // Comment lines at the end of this entry belong to the next entry: keep them.
  let to = end;
  while (to > start + 1 && /^ {2}#/.test(lines[to - 1] ?? "")) to--;
  return [...lines.slice(0, from), ...lines.slice(to)].join("\n");
}

/** Placeholders `{{key}}` of a template (outside comment lines), in order of first appearance. */
export function templatePlaceholders(template: string): string[] {
  const keys = new Set<string>();
  for (const line of template.split(/\r?\n/)) {
    if (/^\s*#/.test(line)) continue;
    for (const match of line.matchAll(/\{\{\s*([\w.#-]+)\s*\}\}/g)) keys.add(match[1] ?? "");
  }
  return [...keys];
}

/** Renders `{{key}}` placeholders (comment lines are kept verbatim); an unknown key is an error. */
export function renderTemplate(template: string, values: ReadonlyMap<string, string>): string {
  return template
    .split(/\r?\n/)
    .map((line) =>
      /^\s*#/.test(line)
        ? line
        : line.replace(/\{\{\s*([\w.#-]+)\s*\}\}/g, (_whole, key: string) => {
            const value = values.get(key);
            if (value === undefined)
              throw new UserInputError(`subgraph template: no value for placeholder {{${key}}}`);
            return value;
          }),
    )
    .join("\n");
}

/**
 * Graph network names of the chains we may deploy to (the names Goldsky and graph-node use), by EVM chain id.
 * 31337 (Hardhat's local chains) maps to `hardhat`: a local graph-node would configure `hardhat: http://127.0.0.1:8545`.
 */
export const GRAPH_NETWORKS: ReadonlyMap<number, string> = new Map([
  [1, "mainnet"],
  [11155111, "sepolia"],
  [17000, "holesky"],
  [10, "optimism"],
  [11155420, "optimism-sepolia"],
  [8453, "base"],
  [84532, "base-sepolia"],
  [42161, "arbitrum-one"],
  [421614, "arbitrum-sepolia"],
  [137, "matic"],
  [31337, "hardhat"],
]);

/** Graph network name for a chain id; `override` wins. */
export function graphNetworkName(chainId: number, override?: string): string {
  if (override !== undefined && override !== "") return override;
  const name = GRAPH_NETWORKS.get(chainId);
  if (name === undefined) {
    throw new UserInputError(
      `no graph network name known for chain ${chainId}: pass --graph-network <name> (the name Goldsky uses for it)`,
    );
  }
  return name;
}
