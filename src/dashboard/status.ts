import { TypedDataEncoder, recoverAddress } from "ethers";
import type { Provider } from "ethers";

import { Oracle__factory } from "../../types/ethers-contracts/index.js";
import { EsploraClient } from "../bitcoin/esplora.js";
import type { Deployment, SystemContracts } from "../deployments.js";
import { attachSystem } from "../deployments.js";
import { BackendError, ChainError } from "../errors.js";
import type { ConditionReading } from "../monitor/alerts.js";
import type { ChainHealth } from "../monitor/checks.js";
import { readChainHealth } from "../monitor/checks.js";
import type { BitcoinAuditInput, ConditionInputs } from "../monitor/conditions.js";
import { evaluateConditions } from "../monitor/conditions.js";
import type { MonitorThresholds } from "../monitor/config.js";
import { DEFAULT_THRESHOLDS, defaultStateFile } from "../monitor/config.js";
import { QuorumBitcoinSource } from "../oracle/bitcoin-source.js";
import type { BitcoinSource } from "../oracle/reports.js";
import { sleep } from "../oracle/service.js";
import { ORACLE_DOMAIN_NAME, ORACLE_DOMAIN_VERSION, SYNC_BATCH_TYPES } from "../oracle/signing.js";
import { PostgresSource } from "../query/postgres.js";
import { LOG_RANGE_BLOCKS } from "../query/rpc.js";
import type { QuerySource, Unavailable } from "../query/types.js";
import type { AuditorOptions } from "./audit.js";
import { ReserveAuditor } from "./audit.js";
import { BackingHistory, MAX_HISTORY_POINTS } from "./history.js";
import { scanBackwards } from "./logs.js";
import {
  DEFAULT_EVENT_WINDOW_SECONDS,
  SinceTracker,
  alertsStatus,
  chainOnset,
  lights,
  monitorConditions,
} from "./rules.js";
import type {
  BitcoinAudit,
  BitcoinBackendStatus,
  BitcoinStatus,
  ChainStatus,
  CommitteeStatus,
  DashboardHistory,
  DashboardStatus,
  OracleStatus,
  Probe,
  ReserveRoundInfo,
  ReservesStatus,
  SubgraphStatus,
} from "./types.js";

/** Longest wait for one probe (node, Esplora, subgraph) before it counts as unreachable. */
export const DEFAULT_PROBE_TIMEOUT_MS = 3_000;
/** Newest sync transactions whose signatures are recovered for committee liveness. */
export const DEFAULT_RECENT_BATCHES = 8;
/** Newest disputes the status carries (the page lists them). */
const DASHBOARD_DISPUTES = 20;
/** Open disputes read for the alerts at most. */
const OPEN_DISPUTES = 100;
/** The status is recomputed at least this often (the Bitcoin tip and the clock move without chain blocks). */
export const DEFAULT_REFRESH_MS = 2_000;
/** The head is checked this often; a new block recomputes the status at once. */
const HEAD_POLL_MS = 250;

const oracleIface = Oracle__factory.createInterface();
const SYNCED_TOPIC = oracleIface.getEvent("Synced")?.topicHash ?? "";

export interface DashboardServiceOptions {
  /** The server's query source (rpc or subgraph): oracle, reserves, disputes and emergency-burn sections. */
  source: QuerySource;
  /** Direct chain access (rpc): head probe, reserve rounds, committee signatures and the history. */
  chain?: { provider: Provider; deployment: Deployment };
  /** Esplora API roots to probe (`realtime:serve --bitcoin`). */
  bitcoin?: string[];
  /** A subgraph to report the indexing lag of (when one is configured). */
  subgraph?: { url: string; head(): Promise<number> };
  probeTimeoutMs?: number;
  recentBatches?: number;
  /** The Bitcoin-side audit over `bitcoin` (on by default when there is a chain connection); false turns it off. */
  audit?: AuditorOptions | false;
  /** The monitor's thresholds (`--alerts-config`; default the monitor's defaults). */
  thresholds?: MonitorThresholds;
  /** Emergency burns newer than this many seconds (chain time) are active alerts. */
  eventWindowSeconds?: number;
  /**
   * Monitor state files whose active conditions stand in for those the dashboard cannot evaluate (round-failed and
   * operators-low need the runner's outcomes). Default: `oracle:run --monitor`'s and `monitor:run`'s default files.
   */
  monitorStateFiles?: string[];
  /** Longest time between two status computations (a new chain block starts one at once). */
  refreshMs?: number;
}

/**
 * Computes `/api/dashboard/status` and `/api/dashboard/history`; every section degrades on its own. The status is
 * computed in the background (on every new block and at least every `refreshMs`) and served from the latest
 * computation, so a request never waits for the node, the Bitcoin backends or the audit; the backing history is kept
 * warm the same way.
 */
export class DashboardService {
  private readonly source: QuerySource;
  private readonly chain: DashboardServiceOptions["chain"];
  private readonly esplora: EsploraClient[];
  private readonly subgraph: DashboardServiceOptions["subgraph"];
  private readonly timeoutMs: number;
  private readonly recentBatches: number;
  private readonly backing: BackingHistory | undefined;
  /** Signers recovered per sync transaction hash (immutable once mined). */
  private readonly signers = new Map<string, Promise<string[]>>();
  private readonly contracts: SystemContracts | undefined;
  private readonly auditor: ReserveAuditor | undefined;
  private readonly thresholds: MonitorThresholds;
  private readonly eventWindowSeconds: number;
  private readonly monitorStateFiles: string[];
  private readonly refreshMs: number;
  private readonly tracker = new SinceTracker();
  private readonly stopping = new AbortController();
  private loop: Promise<void> | undefined;
  /** The newest computed status (undefined until the first computation finishes). */
  private latest: DashboardStatus | undefined;
  private computing: Promise<DashboardStatus> | undefined;
  /** The background read of the newest history points, while one runs. */
  private warming: Promise<void> | undefined;

  constructor(options: DashboardServiceOptions) {
    this.source = options.source;
    this.chain = options.chain;
    this.subgraph = options.subgraph;
    this.timeoutMs = options.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
    this.recentBatches = options.recentBatches ?? DEFAULT_RECENT_BATCHES;
    this.esplora = (options.bitcoin ?? []).map(
      (baseUrl) => new EsploraClient({ baseUrl, timeoutMs: this.timeoutMs, retries: 0 }),
    );
    this.backing =
      this.chain === undefined ? undefined : new BackingHistory(this.chain.provider, this.chain.deployment);
    this.contracts =
      this.chain === undefined ? undefined : attachSystem(this.chain.deployment, this.chain.provider);
    this.thresholds = options.thresholds ?? { ...DEFAULT_THRESHOLDS };
    this.eventWindowSeconds = options.eventWindowSeconds ?? DEFAULT_EVENT_WINDOW_SECONDS;
    this.refreshMs = options.refreshMs ?? DEFAULT_REFRESH_MS;
    const chainId = this.chain?.deployment.chainId;
    this.monitorStateFiles =
      options.monitorStateFiles ??
      (chainId === undefined ? [] : [defaultStateFile(chainId, true), defaultStateFile(chainId)]);
    if (this.contracts !== undefined && this.esplora.length > 0 && options.audit !== false) {
      // The audit's Bitcoin source: `reserves:check`'s client (retries, default timeout), every backend agreeing.
      const clients = (options.bitcoin ?? []).map((baseUrl) => new EsploraClient({ baseUrl, retries: 2 }));
      const bitcoin: BitcoinSource =
        clients.length === 1 ? (clients[0] as EsploraClient) : new QuorumBitcoinSource(clients);
      this.auditor = new ReserveAuditor(this.contracts, bitcoin, options.audit ?? {});
    }
  }

  /** Starts the background work (audit, status, warm history); `status()` starts it too. Idempotent. */
  start(): void {
    if (this.loop !== undefined) return;
    this.auditor?.start();
    this.loop = this.refreshLoop();
  }

  /** Stops the background work and waits for the status computation and the audit in progress. */
  async close(): Promise<void> {
    this.stopping.abort();
    // A history read still warming is not waited for (a cold one can take long); its failure is ignored.
    await Promise.all([this.loop, this.auditor?.stop()]);
  }

  /** The Bitcoin audit's background worker (tests wait on its runs). */
  get reserveAuditor(): ReserveAuditor | undefined {
    return this.auditor;
  }

  /** The newest computed status (the first request waits for the first computation). */
  async status(): Promise<DashboardStatus> {
    this.start();
    return this.latest ?? this.recompute();
  }

  /** Computes the status now (one computation at a time; callers during one share it). */
  recompute(): Promise<DashboardStatus> {
    this.computing ??= this.compute()
      .then((value) => {
        this.latest = value;
        return value;
      })
      .finally(() => (this.computing = undefined));
    return this.computing;
  }

  private async refreshLoop(): Promise<void> {
    const signal = this.stopping.signal;
    let head: number | undefined;
    let at = 0;
    while (!signal.aborted) {
      const now = await this.source.head().catch(() => -1);
      if (now !== head || Date.now() - at >= this.refreshMs) {
        if (head !== undefined && now !== head) this.auditor?.trigger();
        head = now;
        at = Date.now();
        await this.recompute().catch(() => undefined);
        // Keeps the history's newest points computed (the page asks for them after every block). Not awaited: a cold
        // history (every point read once at start) must not hold the status back.
        const backing = this.backing;
        if (backing !== undefined && this.source.kind === "rpc" && now >= 0 && this.warming === undefined) {
          this.warming = backing
            .history(now, MAX_HISTORY_POINTS)
            .then(() => undefined)
            .catch(() => undefined)
            .finally(() => (this.warming = undefined));
        }
      }
      await sleep(HEAD_POLL_MS, signal);
    }
  }

  async history(points: number): Promise<DashboardHistory> {
    if (this.source instanceof PostgresSource) {
      // The store keeps the figures of every history block (ReserveHistoryPoint): no archive reads.
      return { available: true, ...(await this.source.history(points)) };
    }
    const { backing, chain } = this;
    if (backing === undefined || chain === undefined) {
      return unavailable("the backing history needs a chain connection (rpc)");
    }
    try {
      // The rpc source's head is the server's block tracker; a subgraph source's head is its indexed block.
      const head =
        this.source.kind === "rpc" ? await this.source.head() : await chain.provider.getBlockNumber();
      return { available: true, head, points: await backing.history(head, points) };
    } catch (error) {
      if (error instanceof BackendError || error instanceof ChainError) throw error;
      throw new BackendError(`backing history: ${oneLine(error)}`, "RPC");
    }
  }

  private async compute(): Promise<DashboardStatus> {
    const [chain, bitcoin, syncStatus, reserves, disputes, openDisputes, emergencyBurns, round, health] =
      await Promise.all([
        this.chainStatus(),
        this.bitcoinStatus(),
        settle(this.source.syncStatus()),
        settle(this.source.proofOfReserves()),
        this.source.disputes({ limit: DASHBOARD_DISPUTES }).catch((e: unknown) => unavailable(oneLine(e))),
        this.source
          .disputes({ status: "open", limit: OPEN_DISPUTES })
          .catch((e: unknown) => unavailable(oneLine(e))),
        this.source.emergencyBurns().catch((e: unknown) => unavailable(oneLine(e))),
        this.reserveRound().catch(() => null),
        this.contracts === undefined ? Promise.resolve(undefined) : settle(readChainHealth(this.contracts)),
      ]);
    const subgraph = await this.subgraphStatus(chain.head?.block ?? null);

    let oracle: OracleStatus | Unavailable;
    let committee: CommitteeStatus | Unavailable;
    if (syncStatus.ok) {
      const s = syncStatus.value;
      const heights = [s.lastRound === null ? 0 : s.highestBtcHeight, round?.btcHeight ?? 0];
      const btcHeight = Math.max(...heights) > 0 ? Math.max(...heights) : null;
      oracle = {
        available: true,
        lastRound: s.lastRound,
        lag: s.lag,
        btcHeight,
        lagBtcBlocks: btcHeight === null || bitcoin.tip === null ? null : bitcoin.tip - btcHeight,
        minConfirmations: s.minConfirmations,
        paused: s.paused,
        reserveRound: round,
      };
      committee = await this.committeeStatus(s.committee, s.head.block).catch((e: unknown) =>
        unavailable(oneLine(e)),
      );
    } else {
      oracle = unavailable(syncStatus.error);
      committee = unavailable(syncStatus.error);
    }
    const reservesStatus: ReservesStatus | Unavailable = reserves.ok
      ? {
          available: true,
          ...reserves.value,
          claimsSats: (BigInt(reserves.value.rbtcFree) + BigInt(reserves.value.wrbtcSupply)).toString(),
        }
      : unavailable(reserves.error);
    const audit: BitcoinAudit =
      this.auditor?.snapshot() ??
      ({
        configured: false,
        reason:
          this.contracts === undefined
            ? "the Bitcoin audit needs a chain connection (rpc)"
            : "no Bitcoin backend (--bitcoin)",
      } as const);
    const readings = health?.ok === true ? this.evaluate(health.value, bitcoin, this.auditor) : [];
    const alerts = alertsStatus({
      readings,
      tracker: this.tracker,
      fromMonitors:
        this.chain === undefined
          ? []
          : await monitorConditions(
              this.monitorStateFiles,
              this.chain.deployment.chainId,
              this.chain.deployment.oracle,
            ),
      disputes: openDisputes,
      burns: emergencyBurns,
      headTime: chain.head?.timestamp ?? null,
      thresholds: this.thresholds,
      eventWindowSeconds: this.eventWindowSeconds,
    });
    return {
      generatedAt: Date.now(),
      source: this.source.kind,
      chain,
      bitcoin,
      oracle,
      subgraph,
      committee,
      reserves: reservesStatus,
      disputes,
      emergencyBurns,
      audit,
      alerts,
      lights: lights({
        alerts,
        chain,
        bitcoin,
        oracle,
        committee,
        subgraph,
        audit,
        reservesAvailable: reservesStatus.available,
      }),
    };
  }

  /**
   * The monitor's conditions over this computation's inputs (src/monitor/conditions.ts): the chain health the
   * monitor reads, the Bitcoin tip the probes found (every backend must agree, as the monitor's source requires),
   * the last successful Bitcoin audit, and no runner outcomes (those come from a monitor's state file).
   */
  private evaluate(
    health: ChainHealth,
    bitcoin: BitcoinStatus,
    auditor: ReserveAuditor | undefined,
  ): ConditionReading[] {
    const reachable = bitcoin.backends.filter((b) => b.reachable);
    const tip: ConditionInputs["tip"] =
      bitcoin.backends.length === 0
        ? { error: "no Bitcoin backend" }
        : bitcoin.tip !== null && bitcoin.agree && reachable.length === bitcoin.backends.length
          ? { height: bitcoin.tip }
          : { error: bitcoin.agree ? "a Bitcoin backend is unreachable" : "the Bitcoin backends disagree" };
    const report = auditor?.report;
    const audit: BitcoinAuditInput | undefined =
      report === undefined
        ? undefined
        : {
            bitcoinSats: report.totals.bitcoinSats,
            liabilitiesSats: report.totals.liabilitiesSats,
            deficitSats: report.totals.deficitSats,
            fullyBacked: report.fullyBacked,
            deficitUsers: report.discrepancies.filter((u) => u.status === "deficit").map((u) => u.user),
            tipHeight: report.bitcoin.tipHeight,
          };
    const now = Math.max(Math.floor(Date.now() / 1000), health.timestamp);
    const readings = evaluateConditions(
      { health, tip, now, rounds: { seen: 0, failuresInRow: 0 }, ...(audit === undefined ? {} : { audit }) },
      this.thresholds,
    );
    this.tracker.update(readings, Date.now(), chainOnset);
    return readings;
  }

  private async chainStatus(): Promise<ChainStatus> {
    if (this.chain === undefined) {
      return { ...down("no chain connection (the server reads a subgraph only)"), chainId: null, head: null };
    }
    const { provider, deployment } = this.chain;
    const probe = await this.probe(() => provider.getBlock("latest"));
    const block = probe.value ?? null;
    return {
      ...probe.probe,
      chainId: deployment.chainId.toString(),
      head: block === null ? null : { block: block.number, timestamp: block.timestamp },
    };
  }

  private async bitcoinStatus(): Promise<BitcoinStatus> {
    const backends: BitcoinBackendStatus[] = await Promise.all(
      this.esplora.map(async (client) => {
        const probe = await this.probe(() => client.tipHeight());
        return { url: client.baseUrl, ...probe.probe, tip: probe.value ?? null };
      }),
    );
    const tips = backends.map((b) => b.tip).filter((t): t is number => t !== null);
    return {
      backends,
      tip: tips.length === 0 ? null : Math.max(...tips),
      agree: new Set(tips).size <= 1,
    };
  }

  private async subgraphStatus(chainHead: number | null): Promise<SubgraphStatus> {
    const subgraph = this.subgraph;
    if (subgraph === undefined) return { configured: false };
    const probe = await this.probe(() => subgraph.head());
    const block = probe.value ?? null;
    return {
      configured: true,
      url: subgraph.url,
      ...probe.probe,
      block,
      lagBlocks: block === null || chainHead === null ? null : Math.max(0, chainHead - block),
    };
  }

  private async reserveRound(): Promise<ReserveRoundInfo | null> {
    if (this.contracts === undefined) return null;
    const por = this.contracts.proofOfReserves;
    const id = await por.latestRoundId();
    if (id === 0n) return null;
    const r = await por.round(id);
    return {
      round: Number(id),
      merkleRoot: r.merkleRoot,
      attestedSats: r.attestedSats.toString(),
      btcHeight: Number(r.btcHeight),
      committedAt: Number(r.committedAt),
    };
  }

  /**
   * The committee and which operators signed the newest sync batches: the signatures are recovered from the `sync`
   * calldata of the transactions that emitted the newest `Synced` logs (EIP-712 over the batch, the Oracle's domain).
   */
  private async committeeStatus(
    committee: { operators: string[]; threshold: number; size: number; epoch: number },
    head: number,
  ): Promise<CommitteeStatus> {
    const lastSigned = new Map<string, number>();
    let examined = 0;
    if (this.chain !== undefined) {
      const { provider, deployment } = this.chain;
      const distinct = (logs: Array<{ transactionHash: string }>) =>
        new Set(logs.map((l) => l.transactionHash)).size;
      const logs = await scanBackwards({
        provider,
        address: [deployment.oracle],
        topics: [SYNCED_TOPIC],
        head,
        fromBlock: deployment.startBlocks?.oracle ?? 0,
        maxRange: LOG_RANGE_BLOCKS,
        enough: (found) => distinct(found) >= this.recentBatches,
      });
      const txs = new Map<string, number>();
      for (const log of logs) {
        if (txs.size >= this.recentBatches) break;
        if (!txs.has(log.transactionHash)) txs.set(log.transactionHash, log.blockNumber);
      }
      for (const [hash, block] of txs) {
        const signers = await this.signersOf(hash);
        if (signers.length > 0) examined += 1;
        for (const s of signers) lastSigned.set(s, Math.max(lastSigned.get(s) ?? 0, block));
      }
    }
    const operators = committee.operators.map((address) => {
      const block = lastSigned.get(address) ?? null;
      return { address, lastSignedBlock: block, signedRecently: block !== null };
    });
    return {
      available: true,
      operators,
      threshold: committee.threshold,
      size: committee.size,
      epoch: committee.epoch,
      batchesExamined: examined,
      signersSeen: operators.filter((o) => o.signedRecently).length,
    };
  }

  /** Operators that signed the sync batch of one transaction ([] when it is not a direct `sync` call). */
  private signersOf(hash: string): Promise<string[]> {
    const cached = this.signers.get(hash);
    if (cached !== undefined) return cached;
    const chain = this.chain;
    if (chain === undefined) return Promise.resolve([]);
    const value = (async () => {
      const tx = await chain.provider.getTransaction(hash);
      if (tx === null || tx.to?.toLowerCase() !== chain.deployment.oracle.toLowerCase()) return [];
      const parsed = oracleIface.parseTransaction({ data: tx.data });
      if (parsed === null || parsed.name !== "sync") return [];
      const [reports, deadline, signatures] = parsed.args as unknown as [
        Array<{
          user: string;
          newTotalSats: bigint;
          btcHeight: bigint;
          btcBlockHash: string;
          sequence: bigint;
        }>,
        bigint,
        string[],
      ];
      const digest = TypedDataEncoder.hash(
        {
          name: ORACLE_DOMAIN_NAME,
          version: ORACLE_DOMAIN_VERSION,
          chainId: chain.deployment.chainId,
          verifyingContract: chain.deployment.oracle,
        },
        SYNC_BATCH_TYPES,
        {
          reports: reports.map((r) => ({
            user: r.user,
            newTotalSats: r.newTotalSats,
            btcHeight: r.btcHeight,
            btcBlockHash: r.btcBlockHash,
            sequence: r.sequence,
          })),
          deadline,
        },
      );
      return signatures.map((sig) => recoverAddress(digest, sig));
    })();
    this.signers.set(hash, value);
    value.catch(() => this.signers.delete(hash));
    return value;
  }

  /** Runs one probe with the timeout, timing it. */
  private async probe<T>(fn: () => Promise<T>): Promise<{ probe: Probe; value?: T }> {
    const started = performance.now();
    try {
      const value = await withTimeout(fn(), this.timeoutMs);
      return {
        probe: { reachable: true, latencyMs: Math.round(performance.now() - started), error: null },
        value,
      };
    } catch (error) {
      return { probe: down(oneLine(error)) };
    }
  }
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: string };

async function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error: oneLine(error) };
  }
}

function unavailable(reason: string): Unavailable {
  return { available: false, reason };
}

function down(error: string): Probe {
  return { reachable: false, latencyMs: null, error };
}

function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0] ?? "";
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
