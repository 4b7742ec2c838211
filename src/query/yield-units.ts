/**
 * The human form of `realtime:yield-status`: reward and liquidity amounts in their token's units with its symbol
 * (`1,000,000 mSTABLE`, not `1000000000000000000000000`), the scale as a fraction and rates as percentages. The JSON
 * form keeps the raw integers as decimal strings (docs/queries.md); this only changes what a person reads.
 */
import { Contract, formatUnits } from "ethers";
import type { Provider } from "ethers";

import type { YieldStatusResult } from "./types.js";

/** How an ERC-20's smallest units read. */
export interface TokenUnits {
  symbol: string;
  decimals: number;
}

/** The units of a YieldScalesPool's reward token and liquidity token. */
export interface YieldUnits {
  reward: TokenUnits;
  liquidity: TokenUnits;
}

const POOL_TOKENS_ABI = [
  "function rewardToken() view returns (address)",
  "function liquidityToken() view returns (address)",
];
const ERC20_METADATA_ABI = [
  "function symbol() view returns (string)",
  "function decimals() view returns (uint8)",
];

async function tokenUnits(provider: Provider, token: string): Promise<TokenUnits> {
  const erc20 = new Contract(token, ERC20_METADATA_ABI, provider);
  const [symbol, decimals] = (await Promise.all([
    erc20.getFunction("symbol")(),
    erc20.getFunction("decimals")(),
  ])) as [string, bigint];
  return { symbol, decimals: Number(decimals) };
}

/** Reads the pool's two tokens' symbol and decimals from chain; undefined when the chain cannot tell. */
export async function readYieldUnits(provider: Provider, pool: string): Promise<YieldUnits | undefined> {
  try {
    const contract = new Contract(pool, POOL_TOKENS_ABI, provider);
    const [reward, liquidity] = (await Promise.all([
      contract.getFunction("rewardToken")(),
      contract.getFunction("liquidityToken")(),
    ])) as [string, string];
    const [rewardUnits, liquidityUnits] = await Promise.all([
      tokenUnits(provider, reward),
      tokenUnits(provider, liquidity),
    ]);
    return { reward: rewardUnits, liquidity: liquidityUnits };
  } catch {
    return undefined;
  }
}

/** Thousands separated by commas: "1234567" → "1,234,567". */
function grouped(whole: string): string {
  return whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** An amount of smallest units in whole tokens: "1500000000000000000", 18 decimals, "mUSD" → "1.5 mUSD". */
export function formatTokenAmount(raw: string, units: TokenUnits): string {
  const [whole = "0", fraction = "0"] = formatUnits(BigInt(raw), units.decimals).split(".");
  return `${grouped(whole)}${fraction === "0" ? "" : `.${fraction}`} ${units.symbol}`;
}

type FieldView = readonly [label: string, show: (value: never) => unknown];

/** `record` with the fields named in `views` relabelled and shown their way, in the record's order. */
function relabel(record: object, views: Readonly<Record<string, FieldView>>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(record).map(([key, value]) => {
      const view = views[key];
      return view === undefined ? [key, value] : [view[0], (view[1] as (v: unknown) => unknown)(value)];
    }),
  );
}

/**
 * A yield-status result for the human table: token amounts in whole tokens with the symbol, the scale as a fraction
 * (it is 1e18 fixed point), rates as percentages, each under a name without the raw unit (`rate`, not `rateBps`).
 * Without `units` (the chain could not be read) token amounts stay in smallest units and say so.
 */
export function yieldStatusForDisplay(
  result: YieldStatusResult,
  units: YieldUnits | undefined,
): Record<string, unknown> {
  if (!result.available) return { ...result };
  const amount =
    (token: "reward" | "liquidity") =>
    (raw: string | null): string | null => {
      if (raw === null) return null;
      return units === undefined ? `${raw} (smallest units)` : formatTokenAmount(raw, units[token]);
    };
  const rate = (bps: string | null) => (bps === null ? null : `${(Number(bps) / 100).toFixed(2)} %`);
  const amounts: Record<string, FieldView> = {
    rateBps: ["rate", rate],
    totalLiquidity: ["totalLiquidity", amount("liquidity")],
    liquidity: ["liquidity", amount("liquidity")],
    rewardReserve: ["rewardReserve", amount("reward")],
    committedRewards: ["committedRewards", amount("reward")],
    claimable: ["claimable", amount("reward")],
    claimed: ["claimed", amount("reward")],
  };
  return {
    ...result,
    status: relabel(result.status, {
      ...amounts,
      baseRateBps: ["baseRate", rate],
      scaleWad: ["scale", (wad: string) => formatUnits(BigInt(wad), 18)],
    }),
    userStatus: result.userStatus === null ? null : relabel(result.userStatus, amounts),
  };
}
