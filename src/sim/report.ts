/** The shapes of a scenario run's report (`sim:run --json`; docs/simulations.md). */
import type { WalletAddressType } from "../bitcoin/devnet/wallet.js";
import type { addressesOf } from "../deployments.js";
import type { OperatorTally } from "../oracle/committee.js";

/** One failed expectation: which step, field and user, what was expected and what the chain says. */
export interface ExpectFailure {
  step: number;
  field: string;
  user: string;
  expected: string;
  actual: string;
  message: string;
}

export interface StepReport {
  index: number;
  /** e.g. "btc fund alice[0] 150000", "oracle sync", "expect rbtcFree". */
  label: string;
  ok: boolean;
  gasUsed: bigint;
  durationMs: number;
  /** The error the step raised (when unexpected), or the expected error's message when `expectError` matched. */
  error?: string;
  failures: ExpectFailure[];
  /** What the step did (sync: reports/minted/burned/deferred; btc: txid, tip; …). */
  details: Record<string, string | number | boolean>;
}

export interface SimUserReport {
  id: string;
  evmAddress: string;
  btcAddresses: { type: WalletAddressType; address: string; bound: boolean }[];
}

export interface SimReport {
  scenario: string;
  network: {
    name: string;
    chainId: bigint;
    mode: "deploy" | "attach";
    forkedFrom?: string;
    forkBlock?: bigint;
  };
  /** Contract addresses by address-book key (`yieldPool` when the deployment has one). */
  deployment: ReturnType<typeof addressesOf>;
  committee: {
    operators: string[];
    threshold: number;
    minConfirmations: number;
    /** What each operator node did during the scenario (setup bindings included), by operator index. */
    nodes: Array<OperatorTally & { index: number }>;
  };
  bitcoin: { url: string; tipHeight: number };
  setup: { gasUsed: bigint; durationMs: number; bindings: number; deposits: number };
  users: SimUserReport[];
  steps: StepReport[];
  /** Every failure as one line (step index, field, user, expected, actual). */
  failures: string[];
  passed: boolean;
  gasUsed: bigint;
  durationMs: number;
}
