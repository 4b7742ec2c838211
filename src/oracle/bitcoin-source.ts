import { EsploraClient } from "../bitcoin/esplora.js";
import type { BitcoinNetwork } from "../bitcoin/networks.js";
import { BackendError, UserInputError } from "../errors.js";
import type { BitcoinSource, BitcoinTip } from "./reports.js";

/**
 * Several Esplora backends as one `BitcoinSource`: the tip, block hashes and every balance must be reported
 * identically by `quorum` backends (default: all of them), otherwise the call fails with BackendError — so a user
 * whose balance the backends disagree on is skipped by the round, never guessed.
 */
export class QuorumBitcoinSource implements BitcoinSource {
  readonly clients: readonly EsploraClient[];
  readonly quorum: number;

  constructor(clients: readonly EsploraClient[], quorum = clients.length) {
    if (clients.length === 0) throw new UserInputError("at least one Bitcoin backend is required");
    if (!Number.isInteger(quorum) || quorum < 1 || quorum > clients.length) {
      throw new UserInputError(`quorum must be between 1 and ${clients.length}, got ${quorum}`);
    }
    this.clients = clients;
    this.quorum = quorum;
  }

  stats(): { requests: number } {
    return { requests: this.clients.reduce((sum, c) => sum + c.stats().requests, 0) };
  }

  async #agree<T>(
    what: string,
    ask: (client: EsploraClient) => Promise<T>,
    key: (value: T) => string,
  ): Promise<T> {
    const settled = await Promise.allSettled(this.clients.map(ask));
    const groups = new Map<string, { value: T; urls: string[] }>();
    const failures: string[] = [];
    settled.forEach((s, i) => {
      const url = (this.clients[i] as EsploraClient).baseUrl;
      if (s.status === "rejected") {
        failures.push(`${url}: ${s.reason instanceof Error ? s.reason.message : String(s.reason)}`);
        return;
      }
      const k = key(s.value);
      const group = groups.get(k) ?? { value: s.value, urls: [] };
      group.urls.push(url);
      groups.set(k, group);
    });
    const best = [...groups.entries()].sort((a, b) => b[1].urls.length - a[1].urls.length)[0];
    if (best !== undefined && best[1].urls.length >= this.quorum) return best[1].value;
    if (groups.size > 1) {
      const views = [...groups.entries()].map(([k, g]) => `${g.urls.join(", ")} say ${k}`).join("; ");
      throw new BackendError(`backends disagree on ${what}: ${views}`, "BACKEND_DISAGREE");
    }
    throw new BackendError(
      `only ${best?.[1].urls.length ?? 0} of ${this.clients.length} backends answered ${what} ` +
        `(quorum ${this.quorum})${failures.length > 0 ? `: ${failures.join("; ")}` : ""}`,
      "BACKEND_NO_QUORUM",
    );
  }

  tip(): Promise<BitcoinTip> {
    return this.#agree(
      "the tip",
      (c) => c.tip(),
      (t) => `${t.height}/${t.hash}`,
    );
  }

  blockHashAt(height: number): Promise<string> {
    return this.#agree(
      `block ${height}`,
      (c) => c.blockHashAt(height),
      (h) => h,
    );
  }

  async confirmedBalance(
    address: string,
    minConfirmations: number,
    tip: BitcoinTip,
  ): Promise<{ sats: bigint }> {
    return this.#agree(
      address,
      (c) => c.confirmedBalance(address, minConfirmations, tip),
      (b) => `${b.sats} sats`,
    );
  }
}

/** One backend URL → an EsploraClient; several (comma-separated) → a QuorumBitcoinSource over all of them. */
export function bitcoinSourceFor(
  urls: string,
  network: BitcoinNetwork,
  options: { timeoutMs?: number; retries?: number; concurrency?: number; quorum?: number } = {},
): BitcoinSource {
  const list = urls
    .split(",")
    .map((u) => u.trim())
    .filter((u) => u !== "");
  if (list.length === 0) throw new UserInputError("--bitcoin needs at least one Esplora URL");
  const clients = list.map((baseUrl) => new EsploraClient({ baseUrl, network, ...options }));
  return clients.length === 1
    ? (clients[0] as EsploraClient)
    : new QuorumBitcoinSource(clients, options.quorum);
}
