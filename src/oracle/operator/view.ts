/**
 * An operator node's own view of the world: the chain through its own RPC (the head, the Oracle's configuration, the
 * users' states and every binding) and Bitcoin through its own backends (tip, block hashes, confirmed balances).
 * Nothing here comes from the aggregator: the node checks proposals against this view.
 */
import type { Provider } from "ethers";

import type { Oracle, ProofOfReserves } from "../../../types/ethers-contracts/index.js";
import { BackendError } from "../../errors.js";
import type { UserView } from "../chain-state.js";
import { readBindings, readUserViews } from "../chain-state.js";
import type { BitcoinSource, BitcoinTip } from "../reports.js";

/** The chain head a request is checked at. */
export interface ChainHead {
  number: number;
  hash: string;
  /** Block time, seconds: the clock deadlines and slashing-protection windows are measured on. */
  timestamp: bigint;
}

/** The Oracle's settings that matter to a node, at one block. */
export interface OracleSettings {
  minConfirmations: number;
  maxReportValiditySeconds: bigint;
  onCommittee: boolean;
  threshold: number;
  operators: number;
}

/** Log ranges longer than this are not followed: the bindings are read again in full (⌈n/500⌉ calls). */
const MAX_LOG_RANGE = 5_000;

/** The bindings at one block: every bound address by user. */
export interface BindingsAt {
  block: number;
  addressesOf: ReadonlyMap<string, readonly string[]>;
}

/** The bindings followed at the last head. */
interface BindingsSnapshot {
  block: number;
  hash: string;
  addressesOf: Map<string, string[]>;
}

/** The chain was unreachable or answered nonsense: the node cannot check anything (503). */
export class ChainUnavailableError extends BackendError {
  constructor(message: string) {
    super(message, "CHAIN_UNAVAILABLE");
  }
}

async function chainRead<T>(what: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof ChainUnavailableError) throw error;
    throw new ChainUnavailableError(
      `reading ${what} from the chain failed: ${(error instanceof Error ? error.message : String(error)).split("\n")[0]}`,
    );
  }
}

/**
 * The chain through the node's own RPC. Bindings are read in full once and then followed block by block through
 * the Oracle's AddressBound / AddressUnbound logs (one `eth_getLogs` per new head), re-read in full when the block
 * they were read at left the chain or the gap is too long.
 */
export class ChainView {
  readonly #provider: Provider;
  readonly #oracle: Oracle;
  readonly #reserves: ProofOfReserves;
  readonly #signer: string;
  #settings: { block: number; value: Promise<OracleSettings> } | undefined;
  #bindings: BindingsSnapshot | undefined;
  #bindingsLock: Promise<unknown> = Promise.resolve();

  constructor(provider: Provider, oracle: Oracle, reserves: ProofOfReserves, signer: string) {
    this.#provider = provider;
    this.#oracle = oracle;
    this.#reserves = reserves;
    this.#signer = signer;
  }

  async head(): Promise<ChainHead> {
    const block = await chainRead("the latest block", () => this.#provider.getBlock("latest"));
    if (block === null || block.hash === null)
      throw new ChainUnavailableError("the chain returned no latest block");
    return { number: block.number, hash: block.hash, timestamp: BigInt(block.timestamp) };
  }

  /** The Oracle's confirmations, report validity and committee at `block` (cached for the last block asked). */
  settings(block: number): Promise<OracleSettings> {
    if (this.#settings?.block === block) return this.#settings.value;
    const at = { blockTag: block };
    const value = chainRead("the Oracle's settings", async () => {
      const [minConfirmations, [validity], isOperator, [operators, threshold]] = await Promise.all([
        this.#oracle.minConfirmations(at),
        this.#oracle.staleness(at),
        this.#oracle.isOperator(this.#signer, at),
        this.#oracle.committee(at),
      ]);
      return {
        minConfirmations: Number(minConfirmations),
        maxReportValiditySeconds: BigInt(validity),
        onCommittee: isOperator,
        threshold: Number(threshold),
        operators: operators.length,
      };
    });
    value.catch(() => (this.#settings = undefined));
    this.#settings = { block, value };
    return value;
  }

  userViews(users: readonly string[], block: number): Promise<UserView[]> {
    return chainRead(
      "the users' states",
      async () => (await readUserViews(this.#oracle, users, block)).views,
    );
  }

  bindingNonce(user: string, block: number): Promise<bigint> {
    return chainRead("the binding nonce", () => this.#oracle.bindingNonce(user, { blockTag: block }));
  }

  ownerOfBtcAddress(btcAddress: string, block: number): Promise<string> {
    return chainRead("the address's owner", () =>
      this.#oracle.ownerOfBtcAddress(btcAddress, { blockTag: block }),
    );
  }

  /** The latest reserve round id and the Bitcoin height of that round, at `block`. */
  latestReserveRound(block: number): Promise<{ roundId: bigint; btcHeight: bigint }> {
    return chainRead("the latest reserve round", async () => {
      const roundId = await this.#reserves.latestRoundId({ blockTag: block });
      const round = await this.#reserves.round(roundId, { blockTag: block });
      return { roundId, btcHeight: round.btcHeight };
    });
  }

  highestBtcHeight(block: number): Promise<bigint> {
    return chainRead("the highest attested height", () => this.#oracle.highestBtcHeight({ blockTag: block }));
  }

  /** Every active binding at `head` (followed from the previous head through logs). */
  bindingsAtHead(head: ChainHead): Promise<BindingsAt> {
    return this.#serialized(async () => {
      const snapshot = await this.#follow(head);
      return { block: snapshot.block, addressesOf: snapshot.addressesOf };
    });
  }

  /**
   * Every active binding at an earlier `block` (a reserve round's): the head's snapshot when no binding changed
   * since `block`, otherwise a full read at `block`.
   */
  bindingsAt(block: number, head: ChainHead): Promise<BindingsAt> {
    return this.#serialized(async () => {
      const snapshot = await this.#follow(head);
      if (block >= snapshot.block) return { block: snapshot.block, addressesOf: snapshot.addressesOf };
      const logs = await this.#bindingLogs(block + 1, snapshot.block);
      if (logs !== undefined && logs.length === 0) return { block, addressesOf: snapshot.addressesOf };
      return { block, addressesOf: (await this.#readAll(block)).addressesOf };
    });
  }

  #serialized<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#bindingsLock.then(fn, fn);
    this.#bindingsLock = next.catch(() => undefined);
    return next;
  }

  async #readAll(block: number): Promise<{ addressesOf: Map<string, string[]> }> {
    const read = await chainRead("the bindings", () => readBindings(this.#oracle, undefined, block));
    return { addressesOf: read.addressesOf };
  }

  /** AddressBound / AddressUnbound logs in [from, to], oldest first; undefined when the range is too long. */
  async #bindingLogs(from: number, to: number) {
    if (to < from) return [];
    if (to - from + 1 > MAX_LOG_RANGE) return undefined;
    const bound = this.#oracle.interface.getEvent("AddressBound").topicHash;
    const unbound = this.#oracle.interface.getEvent("AddressUnbound").topicHash;
    const logs = await chainRead("the binding logs", async () =>
      this.#provider.getLogs({
        address: await this.#oracle.getAddress(),
        topics: [[bound, unbound]],
        fromBlock: from,
        toBlock: to,
      }),
    );
    return logs
      .slice()
      .sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index)
      .map((log) => this.#oracle.interface.parseLog(log))
      .filter((event) => event !== null);
  }

  async #follow(head: ChainHead): Promise<BindingsSnapshot> {
    const snapshot = this.#bindings;
    if (snapshot !== undefined && snapshot.block === head.number && snapshot.hash === head.hash)
      return snapshot;
    if (snapshot !== undefined && snapshot.block < head.number) {
      const still = await chainRead("a block", () => this.#provider.getBlock(snapshot.block));
      const logs =
        still?.hash === snapshot.hash ? await this.#bindingLogs(snapshot.block + 1, head.number) : undefined;
      if (logs !== undefined) {
        // Copy on write: a snapshot handed out earlier (a reserve round being checked) never changes under it.
        const addressesOf = logs.length === 0 ? snapshot.addressesOf : new Map(snapshot.addressesOf);
        for (const event of logs) {
          const user = event.args.user as string;
          const btcAddress = event.args.btcAddress as string;
          const list = (addressesOf.get(user) ?? []).filter((a) => a !== btcAddress);
          if (event.name === "AddressBound") list.push(btcAddress);
          addressesOf.set(user, list);
        }
        this.#bindings = { block: head.number, hash: head.hash, addressesOf };
        return this.#bindings;
      }
    }
    // First read, a reorganised snapshot, a head behind it (another RPC node), or a gap too long to follow.
    const { addressesOf } = await this.#readAll(head.number);
    this.#bindings = { block: head.number, hash: head.hash, addressesOf };
    return this.#bindings;
  }
}

/** Bitcoin backends answered with an error or disagreed: the node cannot check anything (503). */
export class BitcoinUnavailableError extends BackendError {
  constructor(message: string) {
    super(message, "BITCOIN_UNAVAILABLE");
  }
}

async function bitcoinRead<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof BitcoinUnavailableError) throw error;
    throw new BitcoinUnavailableError(
      `the Bitcoin view is unavailable: ${(error instanceof Error ? error.message : String(error)).split("\n")[0]}`,
    );
  }
}

/** How long an observed balance is reused for requests at the same tip. */
const BALANCE_TTL_MS = 60_000;
/** Lookups the background scan of a new tip keeps in flight. */
const PREFETCH_CONCURRENCY = 8;

/**
 * Bitcoin through the node's own backends. The tip is read for every request (concurrent requests share one read);
 * block hashes and balances are kept per tip (balances for a minute): the requests of one round reuse what the
 * first one read. The first request at a new tip also starts a background scan of every bound address, so later
 * batches of the round find their balances ready. A refusal is never based on a reused balance: the node re-reads
 * before it refuses (see OperatorNode).
 */
export class BitcoinView {
  readonly #source: BitcoinSource;
  #tipRead: Promise<BitcoinTip> | undefined;
  #cacheTip = "";
  readonly #hashes = new Map<number, Promise<string>>();
  readonly #balances = new Map<string, { value: Promise<bigint>; at: number }>();
  readonly #prefetched = new Set<string>();
  /** Called for every backend failure (metrics). */
  onError: (error: unknown) => void = () => undefined;

  constructor(source: BitcoinSource) {
    this.#source = source;
  }

  /** The backend's best tip now (one read shared by concurrent callers). */
  async tip(): Promise<BitcoinTip> {
    this.#tipRead ??= bitcoinRead(() => this.#source.tip()).finally(() => (this.#tipRead = undefined));
    const tip = await this.#tipRead.catch((error: unknown) => {
      this.onError(error);
      throw error;
    });
    if (tip.hash !== this.#cacheTip) {
      this.#cacheTip = tip.hash;
      this.#hashes.clear();
      this.#balances.clear();
      this.#prefetched.clear();
    }
    return tip;
  }

  /** The hash of the block at `height` on the best chain (≤ the tip). */
  hashAt(height: number, tip: BitcoinTip): Promise<string> {
    if (height === tip.height) return Promise.resolve(tip.hash);
    let hash = this.#hashes.get(height);
    if (hash === undefined) {
      hash = bitcoinRead(() => this.#source.blockHashAt(height));
      hash.catch((error: unknown) => {
        this.#hashes.delete(height);
        this.onError(error);
      });
      this.#hashes.set(height, hash);
    }
    return hash;
  }

  /** Sats of `address` confirmed ≥ `minConfirmations` times at block `at`; `fresh` skips the reuse. */
  balance(address: string, minConfirmations: number, at: BitcoinTip, fresh = false): Promise<bigint> {
    const key = `${at.height}:${minConfirmations}:${address}`;
    const cached = this.#balances.get(key);
    if (!fresh && cached !== undefined && Date.now() - cached.at < BALANCE_TTL_MS) return cached.value;
    const value = bitcoinRead(
      async () => (await this.#source.confirmedBalance(address, minConfirmations, at)).sats,
    );
    value.catch((error: unknown) => {
      if (this.#balances.get(key)?.value === value) this.#balances.delete(key);
      this.onError(error);
    });
    this.#balances.set(key, { value, at: Date.now() });
    return value;
  }

  /** Starts (once per tip, height and confirmations) a background read of `addresses`' balances. */
  prefetch(addresses: readonly string[], minConfirmations: number, at: BitcoinTip): void {
    const key = `${at.height}:${at.hash}:${minConfirmations}`;
    if (this.#prefetched.has(key)) return;
    this.#prefetched.add(key);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < addresses.length && this.#prefetched.has(key)) {
        const address = addresses[next++] as string;
        await this.balance(address, minConfirmations, at).catch(() => undefined);
      }
    };
    for (let i = 0; i < PREFETCH_CONCURRENCY; i++) void worker();
  }
}
