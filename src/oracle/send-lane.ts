import type { Provider } from "ethers";

/**
 * One sender's transactions in nonce order: nonces are handed out locally (one `eth_getTransactionCount` per
 * submission instead of one per batch) and every send runs under one lock, so transactions reach the node in
 * nonce order while several batches are signed and waiting for receipts at once. A nonce another sender took is
 * replaced by `fresh()`, never reused, so concurrent batches cannot collide with each other.
 */
export class SendLane {
  readonly #provider: Provider;
  readonly #from: string;
  #next: number | undefined;
  #tail: Promise<void> = Promise.resolve();
  /** RPC calls the lane made (nonce reads). */
  calls = 0;

  constructor(provider: Provider, from: string) {
    this.#provider = provider;
    this.#from = from;
  }

  /** Runs `send` after every earlier `exclusive` call has finished (FIFO). */
  exclusive<T>(send: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(send);
    this.#tail = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** The next unused nonce of this lane (call inside `exclusive`, so nonces are sent in the order taken). */
  async next(): Promise<number> {
    if (this.#next === undefined) {
      this.calls += 1;
      this.#next = await this.#provider.getTransactionCount(this.#from, "pending");
    }
    const nonce = this.#next;
    this.#next += 1;
    return nonce;
  }

  /** A nonce past both the chain's pending count and every nonce this lane handed out (after a conflict). */
  async fresh(): Promise<number> {
    this.calls += 1;
    const pending = await this.#provider.getTransactionCount(this.#from, "pending");
    this.#next = Math.max(this.#next ?? 0, pending);
    return this.next();
  }
}
