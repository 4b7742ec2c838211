/**
 * Faults a scenario injects into the real protocol: an operator node whose Bitcoin backend lies or lags
 * (`operator-lies`, `operator-lags`, `operator-honest`) and an aggregator that proposes a total no honest node sees
 * (`malicious-proposal`). They wrap a BitcoinSource; everything else — the nodes' checks, their refusals, the
 * aggregator's drops — is the production code.
 */
import type { BitcoinSource, BitcoinTip } from "../oracle/reports.js";

/** How an operator node's Bitcoin backend behaves. */
export type BackendFault =
  { kind: "honest" } | { kind: "lies"; inflateSats: bigint } | { kind: "lags"; blocks: number };

/** A Bitcoin source whose fault can be switched while a scenario runs. */
export class FaultyBitcoinSource implements BitcoinSource {
  fault: BackendFault = { kind: "honest" };

  constructor(private readonly inner: BitcoinSource) {}

  /** A lagging backend has not seen the last `blocks` blocks: its tip is that many blocks lower. */
  async tip(): Promise<BitcoinTip> {
    const tip = await this.inner.tip();
    if (this.fault.kind !== "lags") return tip;
    const height = Math.max(0, tip.height - this.fault.blocks);
    return { height, hash: await this.inner.blockHashAt(height) };
  }

  blockHashAt(height: number): Promise<string> {
    return this.inner.blockHashAt(height);
  }

  /** A lying backend reports every address's balance `inflateSats` higher. */
  async confirmedBalance(
    address: string,
    minConfirmations: number,
    tip: BitcoinTip,
  ): Promise<{ sats: bigint }> {
    const balance = await this.inner.confirmedBalance(address, minConfirmations, tip);
    return this.fault.kind === "lies" ? { sats: balance.sats + this.fault.inflateSats } : balance;
  }

  stats(): { requests: number } {
    return this.inner.stats?.() ?? { requests: 0 };
  }
}

/** The aggregator's view with `inflateSats` more in `addresses` (a malicious or broken aggregator's proposal). */
export function inflatedView(
  inner: BitcoinSource,
  addresses: ReadonlySet<string>,
  inflateSats: bigint,
): BitcoinSource {
  return {
    tip: () => inner.tip(),
    blockHashAt: (height) => inner.blockHashAt(height),
    confirmedBalance: async (address, minConfirmations, tip) => {
      const balance = await inner.confirmedBalance(address, minConfirmations, tip);
      return addresses.has(address) ? { sats: balance.sats + inflateSats } : balance;
    },
    stats: () => inner.stats?.() ?? { requests: 0 },
  };
}
