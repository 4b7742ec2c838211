/**
 * Shared pieces of the issue-15 regression tests (test/security): the contracts' enum codes, signed batches held
 * between the runner's snapshot and their inclusion, attacker attempts that may be refused, and the oracle runner
 * against an in-process Bitcoin devnet.
 */
import { expect } from "chai";
import type { ContractTransactionResponse, Signer } from "ethers";

import { startDevnet } from "../../src/bitcoin/devnet/server.js";
import type { RunningDevnet } from "../../src/bitcoin/devnet/server.js";
import { EsploraClient } from "../../src/bitcoin/esplora.js";
import { LocalCommittee } from "../../src/oracle/committee.js";
import type { RoundOptions, RoundSummary } from "../../src/oracle/round.js";
import { runSyncRound } from "../../src/oracle/round.js";
import type { Report } from "../../src/oracle/signing.js";
import type { BatchSigner } from "../../src/oracle/submit.js";
import type { OracleSystem } from "./oracle.js";
import { deployOracleSystem } from "./oracle.js";

/** IOracle.SkipReason. */
export const SKIP = { DISPUTE_OPEN: 0, UNBOUND: 1, PAUSED: 2, STALE_SEQUENCE: 3 } as const;
/** IOracle.ConsumeCause. */
export const CAUSE = {
  UNBIND: 0,
  DISPUTE_CLOSED: 1,
  DISPUTE_UPHELD: 2,
  FEE_EXHAUSTED: 3,
  BINDING_REVOKED: 4,
} as const;
/** IOracle.EmergencyBurnReason. */
export const BURN_REASON = {
  FEE_EXHAUSTED: 0,
  BINDING_REVOKED: 1,
  DISPUTE_UPHELD: 2,
  BACKING_LOST: 3,
} as const;
/** IBalanceHook.ChangeReason. */
export const CHANGE = { SYNC: 0, EMERGENCY_BURN: 1, DISPUTE_UPHELD: 2 } as const;
/** IYieldScalesPool.HolderState and Tier. */
export const HOLDER = { NONE: 0n, ACTIVE: 1n, REMOVED: 2n } as const;
export const TIER = { NONE: 0n, BRONZE: 1n, SILVER: 2n, GOLD: 3n } as const;

export const ONE_ETH = 10n ** 18n;
/** The unit tests' BTC addresses (lower-case bech32, as the bind flow stores them). */
export const ALICE_BTC = "bc1qalice0000000000000000000000000000000000";
export const BOB_BTC = "bc1qbob00000000000000000000000000000000000000";
export const CAROL_BTC = "bc1qcarol000000000000000000000000000000000000";
/** The DisputeManager's default minimum bond (deploy/modules/ReserveBTC.ts). */
export const MIN_BOND = 10n ** 16n;

/**
 * Binds each holder's address (committee-approved), prepays 1 ETH of fees for them and attests their sats in one
 * committee batch.
 */
export async function bindAndSync(
  s: OracleSystem,
  holders: readonly (readonly [{ address: string }, string, bigint])[],
): Promise<void> {
  for (const [user, btcAddress] of holders) {
    await s.bind(user.address, btcAddress);
    await s.feeVault.depositETH(user.address, { value: ONE_ETH });
  }
  const reports: Report[] = [];
  for (const [user, , sats] of holders) reports.push(await s.nextReport(user.address, sats));
  await (await s.sync(reports)).wait();
}

/** Deploys the system (`deployOracleSystem`); alice holds 500,000 sats and bob 300,000, both bound with fees prepaid. */
export async function deployAliceAndBob(
  connection: Parameters<typeof deployOracleSystem>[0],
): Promise<OracleSystem> {
  const s = await deployOracleSystem(connection);
  await bindAndSync(s, [
    [s.alice, ALICE_BTC, 500_000n],
    [s.bob, BOB_BTC, 300_000n],
  ]);
  return s;
}

/** A dispute resolution deadline shorter than a signed batch's validity (see `shortenResolutionDeadline`). */
export const SHORT_RESOLUTION_SECONDS = 300;

/**
 * Sets the DisputeManager's resolution deadline to SHORT_RESOLUTION_SECONDS (other parameters unchanged), so a dispute
 * can expire while a batch signed before it is still valid.
 */
export async function shortenResolutionDeadline(s: OracleSystem): Promise<void> {
  const dm = s.disputeManager;
  const [window, bond, reward] = await Promise.all([
    dm.challengeWindowSeconds(),
    dm.minBondWei(),
    dm.rewardWei(),
  ]);
  await (await dm.setParameters(window, SHORT_RESOLUTION_SECONDS, bond, reward)).wait();
}

/** `user`'s attested total and rBTC (free + escrow) are both `sats`. */
export async function expectHolding(s: OracleSystem, user: string, sats: bigint): Promise<void> {
  expect((await s.oracle.userState(user)).attestedSats, `attested total of ${user}`).to.equal(sats);
  expect(await s.rbtc.totalBackedOf(user), `rBTC of ${user}`).to.equal(sats);
}

/** A committee-signed batch not yet included: what the runner holds between its snapshot and inclusion. */
export interface SignedBatch {
  reports: Report[];
  deadline: bigint;
  signatures: string[];
}

/** Has the committee (operators 1 and 2) sign `reports`, valid for `validitySeconds` (≤ maxReportValiditySeconds). */
export async function signBatch(
  s: OracleSystem,
  reports: readonly Report[],
  validitySeconds = 600n,
): Promise<SignedBatch> {
  const deadline = (await s.now()) + validitySeconds;
  return { reports: [...reports], deadline, signatures: await s.signReports(reports, deadline) };
}

/** Submits a signed batch (by default from the stranger: anyone may submit, or replay, a signed batch). */
export function submit(
  s: OracleSystem,
  batch: SignedBatch,
  from: Signer = s.stranger,
): Promise<ContractTransactionResponse> {
  return s.oracle.connect(from).sync(batch.reports, batch.deadline, batch.signatures);
}

/**
 * Sends one step of an attack: true when it was mined, false when the contract refused it (reverted). Anything but
 * a revert (a missing function, a network error) is rethrown, so a refusal is never confused with a broken test.
 */
export async function attempt(send: () => Promise<ContractTransactionResponse>): Promise<boolean> {
  try {
    await (await send()).wait();
    return true;
  } catch (error) {
    if (error instanceof Error && /revert/i.test(error.message)) return false;
    throw error;
  }
}

/** Opens a dispute on `user` claiming `claimedSats`, bonded with the minimum, from `challenger`; returns its id. */
export async function openDispute(
  s: OracleSystem,
  user: string,
  claimedSats: bigint,
  challenger: Signer = s.stranger,
): Promise<bigint> {
  await (
    await s.disputeManager
      .connect(challenger)
      .openDispute(user, claimedSats, "ipfs://evidence", { value: MIN_BOND })
  ).wait();
  return s.disputeManager.disputeCount();
}

/** The oracle runner's world: an in-process Bitcoin devnet, an Esplora client on it and the committee. */
export interface RunnerWorld {
  devnet: RunningDevnet;
  committee: LocalCommittee;
  /** One runner round (`runSyncRound`) against the devnet; `sign` replaces the committee's batch signer. */
  round(options?: RoundOptions, sign?: BatchSigner): Promise<RoundSummary>;
  close(): Promise<void>;
}

/** Starts a devnet on a free loopback port and returns the runner's world for `s` (committee: operators 1..3, 2 of 3). */
export async function startRunnerWorld(
  s: Pick<OracleSystem, "oracle" | "rbtc" | "operators">,
): Promise<RunnerWorld> {
  const devnet = await startDevnet({ port: 0 });
  const esplora = new EsploraClient({ baseUrl: devnet.url, network: "regtest", retries: 1, backoffMs: 10 });
  const committee = new LocalCommittee(s.operators, 2);
  return {
    devnet,
    committee,
    round: (options = {}, sign = committee.batchSigner(s.oracle)) =>
      runSyncRound(s.oracle, s.rbtc, esplora, sign, {
        ...options,
        submit: { receiptPollMs: 20, retryBackoffMs: 10, ...options.submit },
      }),
    close: () => devnet.close(),
  };
}
