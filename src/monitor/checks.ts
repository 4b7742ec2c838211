/**
 * What the monitor reads: the system's health at one block (views pinned to it) and the alerting events of a
 * bounded block range (one eth_getLogs call per range, both contracts and every event check's topic at once; one
 * check class per event kind).
 */
import { getAddress } from "ethers";
import type { EventFragment, Interface, Log, Result } from "ethers";

import type {
  DisputeManager,
  Oracle,
  ProofOfReserves,
  RBTCSynth,
  WrBTC,
} from "../../types/ethers-contracts/index.js";
import { DisputeManager__factory, Oracle__factory } from "../../types/ethers-contracts/index.js";
import { readChainSnapshot } from "../oracle/chain-state.js";
import { emergencyReasonName } from "../query/query.js";
import { readReserveTotals } from "../reserves/check.js";
import type { EventFinding, EventKind } from "./alerts.js";

/** The contracts the monitor reads (connected to a provider; it never sends a transaction). */
export interface MonitorContracts {
  readonly oracle: Oracle;
  readonly rbtc: RBTCSynth;
  readonly wrbtc: WrBTC;
  readonly proofOfReserves: ProofOfReserves;
  readonly disputeManager: DisputeManager;
}

/** The system's state at one block (amounts in sats). */
export interface ChainHealth {
  block: number;
  /** The block's timestamp (unix seconds). */
  timestamp: number;
  /** Sum of every user's attested total (Oracle). */
  attestedSats: bigint;
  rbtcSupply: bigint;
  rbtcFree: bigint;
  wrbtcSupply: bigint;
  /** wrBTC in circulation that no escrow backs (WrBTC.uncoveredSats). */
  uncoveredSats: bigint;
  /** The highest Bitcoin height any report carried (Oracle.highestBtcHeight). */
  highestBtcHeight: number;
  /** The latest reserve round (ProofOfReserves): every successful runner round commits one. 0 = none yet. */
  porRound: bigint;
  porBtcHeight: number;
  /** Unix time of the latest reserve round's commit; undefined before the first. */
  porCommittedAt: number | undefined;
  porAttestedSats: bigint;
  porBackingRatio: bigint;
  porFullyBacked: boolean;
  operators: string[];
  threshold: number;
}

/** Reads the system's health at the latest block (every view pinned to the block the snapshot was taken at). */
export async function readChainHealth(contracts: MonitorContracts): Promise<ChainHealth> {
  const { oracle } = contracts;
  const snapshot = await readChainSnapshot(oracle);
  const provider = oracle.runner?.provider;
  if (provider == null) throw new Error("oracle contract has no provider");
  const [block, totals, committee] = await Promise.all([
    provider.getBlock(snapshot.blockNumber),
    readReserveTotals(contracts, snapshot.blockNumber),
    oracle.committee({ blockTag: snapshot.blockNumber }),
  ]);
  const hasRound = totals.roundId > 0n;
  return {
    block: snapshot.blockNumber,
    timestamp: block?.timestamp ?? Math.floor(Date.now() / 1000),
    attestedSats: snapshot.users.reduce((sum, u) => sum + u.attestedSats, 0n),
    rbtcSupply: totals.rbtcFree + totals.rbtcEscrow,
    rbtcFree: totals.rbtcFree,
    wrbtcSupply: totals.wrbtcSupply,
    uncoveredSats: totals.uncoveredSats,
    highestBtcHeight: Number(snapshot.highestBtcHeight),
    porRound: totals.roundId,
    porBtcHeight: hasRound ? Number(totals.round.btcHeight) : 0,
    porCommittedAt: hasRound ? Number(totals.round.committedAt) : undefined,
    porAttestedSats: hasRound ? totals.round.attestedSats : 0n,
    porBackingRatio: totals.backingRatio,
    porFullyBacked: totals.isFullyBacked,
    operators: committee[0].map((a) => getAddress(a)),
    threshold: Number(committee[1]),
  };
}

const oracleIface = Oracle__factory.createInterface();
const disputeIface = DisputeManager__factory.createInterface();

/** Where a log was found: the contracts' addresses, lower-cased. */
interface LogSources {
  oracle: string;
  disputeManager: string;
}

/**
 * One alerting event (tBTC's monitor pattern: one check per class behind one interface): its kind, the contract and
 * topic it reads, and the finding one of its logs becomes. Every check is registered in {@link EVENT_CHECKS}.
 */
export interface EventCheck {
  readonly kind: EventKind;
  /** The emitting contract (key of {@link MonitorContracts}). */
  readonly contract: keyof LogSources;
  readonly topic: string;
  /** The finding of one of this check's logs. */
  decode(log: Log): EventFinding;
}

/** The fields every finding of a log shares. */
function findingBase(log: Log): Pick<EventFinding, "key" | "block" | "txHash" | "logIndex"> {
  return {
    key: `${log.transactionHash}:${log.index}`,
    block: log.blockNumber,
    txHash: log.transactionHash,
    logIndex: log.index,
  };
}

/** An event check over one contract event: decodes the log, then says what it means ({@link describe}). */
abstract class ContractEventCheck implements EventCheck {
  readonly topic: string;
  readonly #fragment: EventFragment;

  protected constructor(
    readonly kind: EventKind,
    readonly contract: keyof LogSources,
    private readonly iface: Interface,
    eventName: string,
  ) {
    this.#fragment = iface.getEvent(eventName) as EventFragment;
    this.topic = this.#fragment.topicHash;
  }

  decode(log: Log): EventFinding {
    const args = this.iface.decodeEventLog(this.#fragment, log.data, [...log.topics]);
    return { kind: this.kind, ...findingBase(log), ...this.describe(args, log) };
  }

  /** The finding's summary and details from the decoded arguments. */
  protected abstract describe(args: Result, log: Log): Pick<EventFinding, "summary" | "details">;
}

/** emergency-burn: the Oracle's `EmergencyBurn(user, amountSats, reason)`. */
export class EmergencyBurnCheck extends ContractEventCheck {
  constructor() {
    super("emergency-burn", "oracle", oracleIface, "EmergencyBurn");
  }

  protected describe(event: Result, log: Log): Pick<EventFinding, "summary" | "details"> {
    const user = getAddress(event.user as string);
    const amountSats = (event.amountSats as bigint).toString();
    const reason = emergencyReasonName(Number(event.reason));
    return {
      summary: emergencyBurnSummary(user, amountSats, reason),
      details: { user, amountSats, reason, txHash: log.transactionHash, logIndex: log.index },
    };
  }
}

/** dispute-opened: the DisputeManager's `DisputeOpened(disputeId, user, challenger, …)`. */
export class DisputeOpenedCheck extends ContractEventCheck {
  constructor() {
    super("dispute-opened", "disputeManager", disputeIface, "DisputeOpened");
  }

  protected describe(event: Result, log: Log): Pick<EventFinding, "summary" | "details"> {
    const user = getAddress(event.user as string);
    const disputeId = (event.disputeId as bigint).toString();
    const claimedSats = (event.claimedSats as bigint).toString();
    const attestedSats = (event.attestedSats as bigint).toString();
    return {
      summary: disputeOpenedSummary(disputeId, user, claimedSats, attestedSats),
      details: {
        disputeId,
        user,
        challenger: getAddress(event.challenger as string),
        claimedSats,
        attestedSats,
        bondWei: (event.bondWei as bigint).toString(),
        deadline: Number(event.deadline),
        evidenceURI: event.evidenceURI as string,
        txHash: log.transactionHash,
        logIndex: log.index,
      },
    };
  }
}

/** Every event check, in EVENT_KINDS order. */
export const EVENT_CHECKS: readonly EventCheck[] = [new DisputeOpenedCheck(), new EmergencyBurnCheck()];

/**
 * The alerting events of blocks `fromBlock..toBlock`, oldest first: one eth_getLogs over every check's contract and
 * topic, each log decoded by the check whose contract and topic it matches.
 */
export async function scanEvents(
  contracts: MonitorContracts,
  fromBlock: number,
  toBlock: number,
  checks: readonly EventCheck[] = EVENT_CHECKS,
): Promise<EventFinding[]> {
  const provider = contracts.oracle.runner?.provider;
  if (provider == null) throw new Error("oracle contract has no provider");
  const [oracle, disputeManager] = await Promise.all([
    contracts.oracle.getAddress(),
    contracts.disputeManager.getAddress(),
  ]);
  const sources: LogSources = { oracle: oracle.toLowerCase(), disputeManager: disputeManager.toLowerCase() };
  const logs = await provider.getLogs({
    address: [oracle, disputeManager],
    topics: [checks.map((c) => c.topic)],
    fromBlock,
    toBlock,
  });
  return logs
    .sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index)
    .flatMap((log) => {
      const from = log.address.toLowerCase();
      const check = checks.find((c) => sources[c.contract] === from && log.topics[0] === c.topic);
      return check === undefined ? [] : [check.decode(log)];
    });
}

/** The one-line summary of an emergency-burn alert (the monitor's and the dashboard's). */
export function emergencyBurnSummary(user: string, amountSats: string, reason: string): string {
  return `emergency burn of ${amountSats} sats from ${user} (${reason})`;
}

/** The one-line summary of a dispute-opened alert (the monitor's and the dashboard's). */
export function disputeOpenedSummary(
  disputeId: string,
  user: string,
  claimedSats: string,
  attestedSats: string,
): string {
  return `dispute ${disputeId} opened on ${user}: claims ${claimedSats} sats, attested ${attestedSats}`;
}
