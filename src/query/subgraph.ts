import { getAddress } from "ethers";

import { BackendError } from "../errors.js";
import { POR_NO_ROUND, backingRatio, newestFirst, selectDisputes } from "./query.js";
import { byUserThenAddress } from "./rpc.js";
import type {
  BalancesResult,
  BitcoinAddressesResult,
  DisputeEventRef,
  DisputeFilter,
  DisputeItem,
  DisputeStatus,
  DisputesResult,
  EmergencyBurnsResult,
  HolderState,
  ProofOfReservesResult,
  QuerySource,
  SourceKind,
  SyncStatusResult,
  TransactionItem,
  TransactionsResult,
  YieldStatusResult,
  YieldTier,
} from "./types.js";

/** Environment variable holding the GraphQL endpoint (e.g. a Goldsky `.../gn` URL). */
export const SUBGRAPH_URL_ENV = "RESERVEBTC_SUBGRAPH_URL";
/** Entities per page (graph-node caps `first` at 1000). */
export const SUBGRAPH_PAGE_SIZE = 1_000;
const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * The GraphQL documents the `subgraph` source sends, written against subgraph/schema.graphql (entity and field
 * names). Each has an operation name; the test server dispatches on it.
 */
export const SUBGRAPH_QUERIES = {
  Head: `query Head { _meta { block { number timestamp } } }`,
  Balances: `query Balances($user: ID!) {
  user(id: $user) {
    id freeSats escrowSats wrbtcSats attestedSats feeBalanceWei deferredSats queuedSats sequence btcHeight
    lastSyncBlock lastSyncTimestamp
  }
}`,
  SyncStatus: `query SyncStatus {
  reserveStates(first: 1) {
    committee { epoch operators threshold size }
    minConfirmations highestBtcHeight lastSyncBlock lastSyncTimestamp oraclePaused wrbtcPaused
  }
  _meta { block { number timestamp } }
}`,
  Transactions: `query Transactions($user: String!, $limit: Int!) {
  mints(where: { user: $user }, first: $limit, orderBy: blockNumber, orderDirection: desc) {
    amountSats blockNumber blockTimestamp transactionHash logIndex
  }
  burns(where: { user: $user }, first: $limit, orderBy: blockNumber, orderDirection: desc) {
    freeSats escrowSats totalSats blockNumber blockTimestamp transactionHash logIndex
  }
  wraps(where: { user: $user }, first: $limit, orderBy: blockNumber, orderDirection: desc) {
    amountSats blockNumber blockTimestamp transactionHash logIndex
  }
  redeems(where: { user: $user }, first: $limit, orderBy: blockNumber, orderDirection: desc) {
    amountSats blockNumber blockTimestamp transactionHash logIndex
  }
  slashes(where: { user: $user }, first: $limit, orderBy: blockNumber, orderDirection: desc) {
    requestedSats slashedSats uncoveredSats blockNumber blockTimestamp transactionHash logIndex
  }
  feeDeposits(where: { user: $user }, first: $limit, orderBy: blockNumber, orderDirection: desc) {
    from amountWei blockNumber blockTimestamp transactionHash logIndex
  }
  feeWithdrawals(where: { user: $user }, first: $limit, orderBy: blockNumber, orderDirection: desc) {
    amountWei blockNumber blockTimestamp transactionHash logIndex
  }
  feeSpends(where: { user: $user }, first: $limit, orderBy: blockNumber, orderDirection: desc) {
    amountWei blockNumber blockTimestamp transactionHash logIndex
  }
}`,
  BitcoinAddresses: `query BitcoinAddresses($first: Int!, $after: Bytes!) {
  bitcoinAddresses(where: { status: BOUND, id_gt: $after }, first: $first, orderBy: id) {
    id address user { id attestedSats }
  }
}`,
  UserBitcoinAddresses: `query UserBitcoinAddresses($user: String!, $first: Int!, $after: Bytes!) {
  bitcoinAddresses(where: { status: BOUND, user: $user, id_gt: $after }, first: $first, orderBy: id) {
    id address user { id attestedSats }
  }
}`,
  ProofOfReserves: `query ProofOfReserves {
  reserveStates(first: 1) {
    totalAttestedSats rbtcSupplySats rbtcFreeSupplySats rbtcEscrowSupplySats wrbtcSupplySats uncoveredSats
    totalQueuedSats
  }
  reserveRounds(first: 1, orderBy: roundId, orderDirection: desc) {
    roundId merkleRoot attestedSats btcHeight blockTimestamp
  }
}`,
  Disputes: `query Disputes($first: Int!, $after: Bytes!) {
  disputes(where: { id_gt: $after }, first: $first, orderBy: id) {
    id disputeId user { id } challenger claimedSats attestedSats resolvedSats bondWei rewardWei evidenceURI status
    deadline transitions(orderBy: logIndex) { status actor blockNumber blockTimestamp transactionHash logIndex }
  }
}`,
  EmergencyBurns: `query EmergencyBurns($first: Int!, $after: Bytes!) {
  emergencyBurns(where: { id_gt: $after }, first: $first, orderBy: id) {
    id user { id } amountSats reason blockNumber blockTimestamp transactionHash logIndex
  }
}`,
  YieldStatus: `query YieldStatus {
  yieldPools(first: 1) {
    id baseRateBps supplySats peakSupplySats holders liquidityProviders totalStakedSats totalLiquidity rewardReserve
    paused
  }
}`,
  YieldUserStatus: `query YieldUserStatus($user: ID!) {
  yieldPools(first: 1) {
    id baseRateBps supplySats peakSupplySats holders liquidityProviders totalStakedSats totalLiquidity rewardReserve
    paused
  }
  yieldParticipant(id: $user) { state tier backedSats stakedSats sinceTimestamp liquidity claimed }
}`,
} as const;
export type SubgraphOperation = keyof typeof SUBGRAPH_QUERIES;

type Big = string;
interface EventFields {
  blockNumber: Big;
  blockTimestamp: Big;
  transactionHash: string;
  logIndex: Big;
}
interface UserEntity {
  freeSats: Big;
  escrowSats: Big;
  wrbtcSats: Big;
  attestedSats: Big;
  feeBalanceWei: Big;
  deferredSats: Big;
  queuedSats: Big;
  sequence: Big;
  btcHeight: Big;
  lastSyncBlock: Big | null;
  lastSyncTimestamp: Big | null;
}
interface BlockMeta {
  _meta: { block: { number: number; timestamp: number | null } };
}
interface AddressEntity {
  id: string;
  address: string;
  user: { id: string; attestedSats: Big };
}

interface EmergencyBurnEntity {
  id: string;
  user: { id: string };
  amountSats: Big;
  reason: string;
  blockNumber: Big;
  blockTimestamp: Big;
  transactionHash: string;
  logIndex: Big;
}
export interface TransitionEntity {
  status: string;
  actor: string;
  blockNumber: Big;
  blockTimestamp: Big;
  transactionHash: string;
  logIndex: Big;
}
export interface DisputeEntity {
  id: string;
  disputeId: Big;
  user: { id: string };
  challenger: string;
  claimedSats: Big;
  attestedSats: Big;
  resolvedSats: Big | null;
  bondWei: Big;
  rewardWei: Big | null;
  evidenceURI: string;
  status: string;
  deadline: Big;
  transitions: TransitionEntity[];
}
interface YieldPoolEntity {
  id: string;
  baseRateBps: Big;
  supplySats: Big;
  peakSupplySats: Big;
  holders: number;
  liquidityProviders: number;
  totalStakedSats: Big;
  totalLiquidity: Big;
  rewardReserve: Big;
  paused: boolean;
}
interface YieldParticipantEntity {
  state: HolderState;
  tier: YieldTier;
  backedSats: Big;
  stakedSats: Big;
  sinceTimestamp: Big;
  liquidity: Big;
  claimed: Big;
}
const WAD = 10n ** 18n;

export interface SubgraphSourceOptions {
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/**
 * The eight queries answered from the subgraph's entities, whatever serves them: `request` answers one named
 * operation of SUBGRAPH_QUERIES with data of its GraphQL shape. SubgraphSource asks a graph-node endpoint; the
 * `postgres` source (src/query/postgres.ts) answers the same operations with SQL over the Mirror tables.
 */
export abstract class EntitySource implements QuerySource {
  abstract readonly kind: SourceKind;

  /** The data of one named operation of SUBGRAPH_QUERIES with `variables`. */
  abstract request<T>(operation: SubgraphOperation, variables: Record<string, unknown>): Promise<T>;

  async head(): Promise<number> {
    const data = await this.request<BlockMeta>("Head", {});
    return data._meta.block.number;
  }

  async balances(user: string): Promise<BalancesResult> {
    const { user: u } = await this.request<{ user: UserEntity | null }>("Balances", {
      user: user.toLowerCase(),
    });
    const zero = "0";
    return {
      user,
      rbtcFree: u?.freeSats ?? zero,
      rbtcEscrow: u?.escrowSats ?? zero,
      wrbtc: u?.wrbtcSats ?? zero,
      attestedSats: u?.attestedSats ?? zero,
      deferredSats: u?.deferredSats ?? zero,
      queuedSats: u?.queuedSats ?? zero,
      feeVaultWei: u?.feeBalanceWei ?? zero,
      sequence: u?.sequence ?? zero,
      lastSync:
        u?.lastSyncBlock == null
          ? null
          : {
              block: Number(u.lastSyncBlock),
              btcHeight: Number(u.btcHeight),
              timestamp: Number(u.lastSyncTimestamp ?? 0),
            },
    };
  }

  async syncStatus(): Promise<SyncStatusResult> {
    const data = await this.request<
      BlockMeta & {
        reserveStates: Array<{
          committee: { epoch: Big; operators: string[]; threshold: number; size: number } | null;
          minConfirmations: number;
          highestBtcHeight: Big;
          lastSyncBlock: Big | null;
          lastSyncTimestamp: Big | null;
          oraclePaused: boolean;
          wrbtcPaused: boolean;
        }>;
      }
    >("SyncStatus", {});
    const state = data.reserveStates[0];
    if (state === undefined)
      throw new BackendError("the subgraph has indexed no ReserveState yet", "SUBGRAPH_EMPTY");
    const head = { block: data._meta.block.number, timestamp: data._meta.block.timestamp ?? 0 };
    const lastRound =
      state.lastSyncBlock === null
        ? null
        : { block: Number(state.lastSyncBlock), timestamp: Number(state.lastSyncTimestamp ?? 0) };
    const committee = state.committee;
    return {
      committee: {
        operators: (committee?.operators ?? []).map((o) => getAddress(o)),
        threshold: committee?.threshold ?? 0,
        size: committee?.size ?? 0,
        epoch: Number(committee?.epoch ?? 0),
      },
      minConfirmations: state.minConfirmations,
      paused: { oracle: state.oraclePaused, wrbtc: state.wrbtcPaused },
      highestBtcHeight: Number(state.highestBtcHeight),
      lastRound,
      head,
      lag:
        lastRound === null
          ? null
          : { blocks: head.block - lastRound.block, seconds: head.timestamp - lastRound.timestamp },
    };
  }

  async transactions(user: string, limit: number): Promise<TransactionsResult> {
    type R = Record<string, Array<EventFields & Record<string, string>>>;
    const data = await this.request<R>("Transactions", { user: user.toLowerCase(), limit });
    const base = (e: EventFields) => ({
      block: Number(e.blockNumber),
      timestamp: Number(e.blockTimestamp),
      txHash: e.transactionHash,
      logIndex: Number(e.logIndex),
    });
    const items: TransactionItem[] = [];
    const sats = (
      type: TransactionItem["type"],
      list: R[string] | undefined,
      amount: (e: Record<string, string>) => string,
      detail: (e: Record<string, string>) => Record<string, string> = () => ({}),
    ) => {
      for (const e of list ?? [])
        items.push({ type, ...base(e), amountSats: amount(e), amountWei: null, detail: detail(e) });
    };
    const wei = (
      type: TransactionItem["type"],
      list: R[string] | undefined,
      detail: (e: Record<string, string>) => Record<string, string> = () => ({}),
    ) => {
      for (const e of list ?? [])
        items.push({ type, ...base(e), amountSats: null, amountWei: String(e.amountWei), detail: detail(e) });
    };
    sats("mint", data.mints, (e) => String(e.amountSats));
    sats(
      "burn",
      data.burns,
      (e) => String(e.totalSats),
      (e) => ({ freeSats: String(e.freeSats), escrowSats: String(e.escrowSats) }),
    );
    sats("wrap", data.wraps, (e) => String(e.amountSats));
    sats("redeem", data.redeems, (e) => String(e.amountSats));
    sats(
      "slash",
      data.slashes,
      (e) => String(e.slashedSats),
      (e) => ({ requestedSats: String(e.requestedSats), uncoveredSats: String(e.uncoveredSats) }),
    );
    wei("fee-deposit", data.feeDeposits, (e) => ({ from: getAddress(String(e.from)) }));
    wei("fee-withdraw", data.feeWithdrawals);
    wei("fee-spend", data.feeSpends);
    items.sort(newestFirst);
    return { user, limit, items: items.slice(0, limit) };
  }

  async bitcoinAddresses(user?: string): Promise<BitcoinAddressesResult> {
    const entities: AddressEntity[] = [];
    let after = "0x";
    for (;;) {
      const data =
        user === undefined
          ? await this.request<{ bitcoinAddresses: AddressEntity[] }>("BitcoinAddresses", {
              first: SUBGRAPH_PAGE_SIZE,
              after,
            })
          : await this.request<{ bitcoinAddresses: AddressEntity[] }>("UserBitcoinAddresses", {
              user: user.toLowerCase(),
              first: SUBGRAPH_PAGE_SIZE,
              after,
            });
      entities.push(...data.bitcoinAddresses);
      const last = data.bitcoinAddresses[data.bitcoinAddresses.length - 1];
      if (last === undefined || data.bitcoinAddresses.length < SUBGRAPH_PAGE_SIZE) break;
      after = last.id;
    }
    const addresses = entities
      .map((e) => ({
        btcAddress: e.address,
        user: getAddress(e.user.id),
        userAttestedSats: String(e.user.attestedSats),
      }))
      .sort(byUserThenAddress);
    return { user: user ?? null, count: addresses.length, addresses };
  }

  /** Emergency burns from the EmergencyBurn entities (every page), newest first. */
  async emergencyBurns(): Promise<EmergencyBurnsResult> {
    const entities = await this.allPages<EmergencyBurnEntity>("EmergencyBurns", "emergencyBurns");
    const burns = entities
      .map((e) => ({
        user: getAddress(e.user.id),
        amountSats: String(e.amountSats),
        reason: e.reason,
        block: Number(e.blockNumber),
        timestamp: Number(e.blockTimestamp),
        txHash: e.transactionHash,
        logIndex: Number(e.logIndex),
      }))
      .sort(newestFirst);
    return { available: true, count: burns.length, burns };
  }

  /**
   * yield-status from the YieldPool / YieldParticipant entities (subgraph/src/yieldPool.ts). The fields that depend
   * on the pool's per-second reward index (rateBps, totalHolderWeight, committedRewards, runwaySeconds, the user's
   * earnedTier, rateBps and claimable) are not carried by any event and are null here; the rpc source has them.
   */
  async yieldStatus(user?: string): Promise<YieldStatusResult> {
    type R = { yieldPools: YieldPoolEntity[]; yieldParticipant?: YieldParticipantEntity | null };
    const data =
      user === undefined
        ? await this.request<R>("YieldStatus", {})
        : await this.request<R>("YieldUserStatus", { user: user.toLowerCase() });
    const p = data.yieldPools[0];
    if (p === undefined) {
      return {
        available: false,
        reason: "the subgraph indexes no YieldScalesPool (the deployment it was built for has none)",
      };
    }
    const u = data.yieldParticipant ?? null;
    const peak = BigInt(p.peakSupplySats);
    return {
      available: true,
      pool: getAddress(p.id),
      user: user ?? null,
      status: {
        rateBps: null,
        baseRateBps: String(p.baseRateBps),
        // YieldScalesPool.scaleWad(): supply × 1e18 ÷ peak (0 before any supply).
        scaleWad: peak === 0n ? "0" : ((BigInt(p.supplySats) * WAD) / peak).toString(),
        supplySats: String(p.supplySats),
        peakSupplySats: String(p.peakSupplySats),
        holders: p.holders,
        liquidityProviders: p.liquidityProviders,
        totalHolderWeight: null,
        totalStakedSats: String(p.totalStakedSats),
        totalLiquidity: String(p.totalLiquidity),
        rewardReserve: String(p.rewardReserve),
        committedRewards: null,
        runwaySeconds: null,
        paused: p.paused,
      },
      userStatus:
        user === undefined
          ? null
          : {
              user,
              state: u?.state ?? "NONE",
              tier: u?.tier ?? "NONE",
              earnedTier: null,
              backedSats: u?.backedSats ?? "0",
              stakedSats: u?.stakedSats ?? "0",
              sinceTimestamp: Number(u?.sinceTimestamp ?? 0),
              rateBps: null,
              liquidity: u?.liquidity ?? "0",
              claimable: null,
              claimed: u?.claimed ?? "0",
            },
    };
  }

  /** Disputes from the Dispute entities (every page), their transitions giving the opening and closing events. */
  async disputes(filter: DisputeFilter): Promise<DisputesResult> {
    const entities = await this.allPages<DisputeEntity>("Disputes", "disputes");
    const items = entities.flatMap((d) => disputeItem(d) ?? []);
    return selectDisputes(items, filter);
  }

  async proofOfReserves(): Promise<ProofOfReservesResult> {
    const data = await this.request<{
      reserveStates: Array<{
        totalAttestedSats: Big;
        rbtcSupplySats: Big;
        rbtcFreeSupplySats: Big;
        rbtcEscrowSupplySats: Big;
        wrbtcSupplySats: Big;
        uncoveredSats: Big;
        totalQueuedSats: Big;
      }>;
      reserveRounds: Array<{
        roundId: Big;
        merkleRoot: string;
        attestedSats: Big;
        btcHeight: Big;
        blockTimestamp: Big;
      }>;
    }>("ProofOfReserves", {});
    const round = data.reserveRounds[0];
    const s = data.reserveStates[0];
    const v = (x: Big | undefined) => BigInt(x ?? "0");
    const attested = v(s?.totalAttestedSats);
    const claims = v(s?.rbtcFreeSupplySats) + v(s?.wrbtcSupplySats);
    return {
      attestedSats: attested.toString(),
      rbtcSupply: v(s?.rbtcSupplySats).toString(),
      rbtcFree: v(s?.rbtcFreeSupplySats).toString(),
      rbtcEscrow: v(s?.rbtcEscrowSupplySats).toString(),
      wrbtcSupply: v(s?.wrbtcSupplySats).toString(),
      uncoveredSats: v(s?.uncoveredSats).toString(),
      queuedSats: v(s?.totalQueuedSats).toString(),
      backingRatio: backingRatio(attested, claims),
      isFullyBacked: attested >= claims,
      merkleRoot: round?.merkleRoot ?? null,
      round: round === undefined ? null : Number(round.roundId),
      roundAttestedSats: round === undefined ? null : String(round.attestedSats),
      roundBtcHeight: round === undefined ? null : Number(round.btcHeight),
      roundTimestamp: round === undefined ? null : Number(round.blockTimestamp),
      merkleRootUnavailable: round === undefined ? POR_NO_ROUND : null,
    };
  }

  /** Every entity of a list operation paged by `id_gt` cursors (`$first`, `$after`). */
  protected async allPages<T extends { id: string }>(
    operation: SubgraphOperation,
    field: string,
  ): Promise<T[]> {
    const entities: T[] = [];
    let after = "0x";
    for (;;) {
      const data = await this.request<Record<string, T[]>>(operation, { first: SUBGRAPH_PAGE_SIZE, after });
      const page = data[field] ?? [];
      entities.push(...page);
      const last = page[page.length - 1];
      if (last === undefined || page.length < SUBGRAPH_PAGE_SIZE) break;
      after = last.id;
    }
    return entities;
  }
}

/** A Dispute entity (with its transitions) as a `disputes` item; undefined without its opening transition. */
export function disputeItem(d: DisputeEntity): DisputeItem | undefined {
  const ref = (t: TransitionEntity): DisputeEventRef => ({
    block: Number(t.blockNumber),
    timestamp: Number(t.blockTimestamp),
    txHash: t.transactionHash,
  });
  const transitions = [...d.transitions].sort(
    (a, b) => Number(a.blockNumber) - Number(b.blockNumber) || Number(a.logIndex) - Number(b.logIndex),
  );
  const opened = transitions.find((t) => t.status === "OPEN");
  const closed = transitions.find((t) => t.status !== "OPEN");
  if (opened === undefined) return undefined;
  return {
    id: String(d.disputeId),
    user: getAddress(d.user.id),
    challenger: getAddress(d.challenger),
    status: d.status.toLowerCase() as DisputeStatus,
    claimedSats: String(d.claimedSats),
    attestedSats: String(d.attestedSats),
    resolvedSats: d.resolvedSats === null ? null : String(d.resolvedSats),
    bondWei: String(d.bondWei),
    rewardWei: d.rewardWei === null ? null : String(d.rewardWei),
    evidenceURI: d.evidenceURI,
    deadline: Number(d.deadline),
    closedBy: closed === undefined ? null : getAddress(closed.actor),
    opened: ref(opened),
    closed: closed === undefined ? null : ref(closed),
  };
}

/** The `subgraph` source: GraphQL POSTs to a (Goldsky) graph-node endpoint; same shapes as the rpc source. */
export class SubgraphSource extends EntitySource {
  readonly kind = "subgraph" as const;
  private readonly timeoutMs: number;
  private readonly fetchFn: typeof fetch;

  constructor(
    readonly url: string,
    options: SubgraphSourceOptions = {},
  ) {
    super();
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.fetchFn = options.fetch ?? fetch;
  }

  /** POSTs one named operation; HTTP, transport and GraphQL errors become a one-line BackendError. */
  async request<T>(operation: SubgraphOperation, variables: Record<string, unknown>): Promise<T> {
    let response: Response;
    try {
      response = await this.fetchFn(this.url, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify({ operationName: operation, query: SUBGRAPH_QUERIES[operation], variables }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new BackendError(`subgraph ${this.url} unreachable: ${message}`, "SUBGRAPH");
    }
    if (!response.ok) {
      throw new BackendError(
        `subgraph ${this.url} answered HTTP ${response.status}`,
        "SUBGRAPH",
        response.status,
      );
    }
    const body = (await response.json()) as { data?: T; errors?: Array<{ message: string }> };
    if (body.errors !== undefined && body.errors.length > 0) {
      throw new BackendError(`subgraph error: ${body.errors[0]?.message ?? "unknown"}`, "SUBGRAPH");
    }
    if (body.data === undefined) throw new BackendError("subgraph answered no data", "SUBGRAPH");
    return body.data;
  }
}
