/** The shapes of the demo's report (`npm run demo -- --json`; docs/simulations.md). */
import type { WalletAddressType } from "../bitcoin/devnet/wallet.js";
import type { OperatorTally } from "../oracle/committee.js";
import type { QueryName, QueryParams } from "../query/types.js";

export interface DemoUserReport {
  id: string;
  evmAddress: string;
  btcAddress: string;
  btcAddressType: WalletAddressType;
  proofKind: string;
  btcConfirmedSats: bigint;
  attestedSats: bigint;
  rbtcFree: bigint;
  rbtcEscrow: bigint;
  wrbtc: bigint;
  deferredSats: bigint;
  feeVaultWei: bigint;
  yieldClaimed: bigint;
}

/** One check: an expected value from the scripted history against the actual one. */
export interface DemoCheck {
  name: string;
  expected: string;
  actual: string;
  ok: boolean;
}

export interface DemoRound {
  name: string;
  changed: number;
  mintedSats: bigint;
  burnedSats: bigint;
  deferred: number;
  emergencyBurns: number;
  reserveRound: string;
  gasUsed: bigint;
  durationMs: number;
}

export interface DemoQuery {
  name: QueryName;
  params: QueryParams;
  latencyMs: number;
  /** False when it threw or answered `{available: false}`. */
  available: boolean;
  detail: string;
}

export interface DemoComponent {
  name: string;
  status: "up" | "down";
  detail: string;
}

export interface DemoMetrics {
  balances: Record<string, { attestedSats: bigint; rbtcFree: bigint; rbtcEscrow: bigint; wrbtc: bigint }>;
  backingRatio: string | null;
  isFullyBacked: boolean;
  burns: { normalBurnedSats: bigint; emergency: number; byReason: Record<string, number> };
  disputes: Record<string, number>;
  yieldParticipants: { holders: bigint; liquidityProviders: bigint };
  monitoredAddresses: number;
  transactionCount: number;
}

export interface DemoReport {
  chainId: bigint;
  contracts: Record<string, string>;
  bitcoin: { url: string; tipHeight: number; minConfirmations: number };
  /** The committee: its on-chain size and threshold, and what each operator node on loopback did. */
  committee: { operators: number; threshold: number; nodes: OperatorTally[] };
  components: DemoComponent[];
  rounds: DemoRound[];
  users: DemoUserReport[];
  queries: DemoQuery[];
  metrics: DemoMetrics;
  /** Every observed value a check reads, by check name (re-evaluate with {@link evaluateChecks}). */
  observations: Record<string, string>;
  checks: DemoCheck[];
  verdict: "pass" | "fail";
  /** The run itself: deploy through the checks (compiling and Hardhat's start-up are not in it). */
  durationMs: number;
}
