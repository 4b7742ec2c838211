/**
 * A committee of operator nodes on loopback, in this process: the demo and the simulations run the real protocol
 * with it. Each node has its own key, its own Bitcoin client (which a simulation may make lie or lag), its own
 * slashing-protection record and its own HTTP server on 127.0.0.1; the runner talks to them through the same
 * RemoteCommittee an `oracle:run --operators …` uses. A node can be taken down (its port closes) and brought back.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { getAddress } from "ethers";
import type { Provider } from "ethers";
import { pino } from "pino";
import type { Logger } from "pino";

import { Oracle__factory, ProofOfReserves__factory } from "../../../types/ethers-contracts/index.js";
import { EsploraClient } from "../../bitcoin/esplora.js";
import type { BitcoinNetwork } from "../../bitcoin/networks.js";
import type { RemoteCommitteeOptions } from "../remote-committee.js";
import { RemoteCommittee } from "../remote-committee.js";
import type { BitcoinSource } from "../reports.js";
import type { OperatorKey, RevocationAllowList } from "./node.js";
import { OperatorNode } from "./node.js";
import { SlashingProtection } from "./protection.js";
import type { OperatorServerOptions, RunningOperatorServer } from "./server.js";
import { startOperatorServer } from "./server.js";

export interface LoopbackCommitteeOptions {
  provider: Provider;
  deployment: { oracle: string; proofOfReserves: string };
  /** One key per node. */
  keys: readonly OperatorKey[];
  /** The Esplora API every node reads (each through its own client). */
  bitcoinUrl: string;
  btcNetwork: BitcoinNetwork;
  /** Wraps node `index`'s Bitcoin client (fault injection). */
  bitcoinFor?: (index: number, client: BitcoinSource) => BitcoinSource;
  /** Folder for the nodes' records (default: a temporary folder removed by `close`). */
  dataDir?: string;
  /** The nodes' logger (default: silent). */
  logger?: Logger;
  /** Revocations the nodes sign (default none: a revocation is a human decision). */
  revocations?: RevocationAllowList;
  /** The nodes' limits and allow-list. */
  server?: Pick<OperatorServerOptions, "tokens" | "limits">;
  /** The aggregator's options (timeout, refusal hook). */
  remote?: RemoteCommitteeOptions;
}

/** One node of the loopback committee. */
export interface LoopbackNode {
  index: number;
  address: string;
  url: string;
  node: OperatorNode;
  readonly up: boolean;
  /** Closes its port (an operator whose machine is down). */
  kill(): Promise<void>;
  /** Listens on the same port again. */
  revive(): Promise<void>;
}

export class LoopbackCommittee {
  private constructor(
    readonly committee: RemoteCommittee,
    readonly nodes: LoopbackNode[],
    private readonly cleanup: () => Promise<void>,
  ) {}

  /** Starts one node per key and the aggregator's committee over them (threshold and members from the chain). */
  static async start(options: LoopbackCommitteeOptions): Promise<LoopbackCommittee> {
    const { provider } = options;
    const { chainId } = await provider.getNetwork();
    const oracle = Oracle__factory.connect(options.deployment.oracle, provider);
    const proofOfReserves = ProofOfReserves__factory.connect(options.deployment.proofOfReserves, provider);
    const [members, threshold] = await oracle.committee();
    const owned = options.dataDir === undefined;
    const dataDir = options.dataDir ?? (await mkdtemp(path.join(tmpdir(), "reservebtc-operators-")));
    const logger = options.logger ?? pino({ level: "silent" });
    const nodes: LoopbackNode[] = [];
    const servers: Array<RunningOperatorServer | undefined> = [];
    const records: SlashingProtection[] = [];
    try {
      for (const [index, key] of options.keys.entries()) {
        const signer = getAddress(key.address);
        const protection = await SlashingProtection.open(path.join(dataDir, signer, "protection.sqlite"), {
          chainId,
          oracle: options.deployment.oracle,
          proofOfReserves: options.deployment.proofOfReserves,
          signer,
        });
        records.push(protection);
        const client = new EsploraClient({
          baseUrl: options.bitcoinUrl,
          network: options.btcNetwork,
          concurrency: 16,
        });
        const node = await OperatorNode.create({
          provider,
          chainId,
          oracle,
          proofOfReserves,
          key,
          bitcoin: options.bitcoinFor?.(index, client) ?? client,
          btcNetwork: options.btcNetwork,
          protection,
          ...(options.revocations === undefined ? {} : { revocations: options.revocations }),
        });
        const nodeLogger = logger.child({ operator: index, signer });
        let server: RunningOperatorServer | undefined = await startOperatorServer({
          node,
          logger: nodeLogger,
          ...options.server,
        });
        servers[index] = server;
        const port = server.port;
        nodes.push({
          index,
          address: signer,
          url: server.url,
          node,
          get up() {
            return server !== undefined;
          },
          kill: async () => {
            const running = server;
            server = undefined;
            servers[index] = undefined;
            await running?.close();
          },
          revive: async () => {
            if (server !== undefined) return;
            server = await startOperatorServer({ node, logger: nodeLogger, port, ...options.server });
            servers[index] = server;
          },
        });
      }
    } catch (error) {
      await Promise.all(servers.filter((s) => s !== undefined).map((s) => s.close()));
      for (const r of records) r.close();
      if (owned) await rm(dataDir, { recursive: true, force: true });
      throw error;
    }
    const committee = new RemoteCommittee(
      // The aggregator presents the first allowed token (when the nodes have an allow-list).
      nodes.map((n) => {
        const token = options.server?.tokens?.[0]?.token;
        return token === undefined ? { url: n.url } : { url: n.url, token };
      }),
      members,
      Number(threshold),
      options.remote,
    );
    return new LoopbackCommittee(committee, nodes, async () => {
      await Promise.all(servers.filter((s) => s !== undefined).map((s) => s.close()));
      for (const r of records) r.close();
      if (owned) await rm(dataDir, { recursive: true, force: true });
    });
  }

  /** Closes every node's port and record (and the temporary folder). */
  close(): Promise<void> {
    return this.cleanup();
  }
}
