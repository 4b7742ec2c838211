import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";
import type { NetworkHelpers } from "@nomicfoundation/hardhat-network-helpers/types";
import { id, keccak256, toUtf8Bytes } from "ethers";

import type { DevnetChain } from "../../src/bitcoin/devnet/chain.js";
import { DevnetWallet } from "../../src/bitcoin/devnet/wallet.js";
import type { DeployConnection, ReserveBTCParameters, SystemContracts } from "../../src/deployments.js";
import { deploySystem } from "../../src/deployments.js";
import type { ReserveLeaf } from "../../src/oracle/reserve-tree.js";
import { ReserveTree } from "../../src/oracle/reserve-tree.js";
import type { BindingRequest, Report, TypedDataSigner } from "../../src/oracle/signing.js";
import { committeeWallets, signBinding, signReserveRound, signSyncBatch } from "../../src/oracle/signing.js";
import type { FeeVault } from "../../types/ethers-contracts/index.js";

export const CONFIG_ROLE = id("CONFIG_ROLE");
export const ORACLE_GUARDIAN_ROLE = id("GUARDIAN_ROLE");

/** Oracle parameters of the unit-test fixture: small caps so the queue is easy to reach. */
export const ORACLE_TEST_PARAMETERS = {
  threshold: 2,
  minConfirmations: 3,
  feeBps: 50,
  weiPerSat: 300_000_000_000n,
  fixedFeeWei: 100_000_000_000_000n,
  maxFeeWei: 10_000_000_000_000_000n,
  mintWindowSeconds: 86_400,
  userMintCapSats: 1_000_000n,
  globalMintCapSats: 2_500_000n,
  mintDelaySeconds: 3_600,
  maxReportValiditySeconds: 3_600,
  maxBtcHeightLag: 6,
} as const;

/** A deterministic Bitcoin block hash for a height (a different `fork` gives a competing block). */
export function blockHash(height: bigint, fork = 0): string {
  return keccak256(toUtf8Bytes(`btc-block-${height}-${fork}`));
}

/** A deterministic proof digest for a binding. */
export function proofDigest(btcAddress: string): string {
  return keccak256(toUtf8Bytes(`proof:${btcAddress}`));
}

/**
 * Deploys the system through the real Ignition module and returns it with helpers that sign as the committee.
 * Signers: 0 admin (all roles), 1..3 committee operators (Hardhat accounts 1..3), 4 alice, 5 bob, 6 carol,
 * 7 stranger, 8 treasury. `deploy` replaces the deployment (default `deploySystem`; `deploySystemWithYield` adds the
 * YieldScalesPool as the Oracle's balance hook).
 */
export async function deployOracleSystem<S extends SystemContracts = SystemContracts>(
  connection: DeployConnection & { networkHelpers: NetworkHelpers },
  parameters: ReserveBTCParameters = {},
  deploy?: (connection: DeployConnection, parameters: ReserveBTCParameters) => Promise<S>,
) {
  const { ethers, networkHelpers } = connection;
  const signers = await ethers.getSigners();
  const [admin, op1, op2, op3, alice, bob, carol, stranger, treasury] = signers;
  if (!admin || !op1 || !op2 || !op3 || !alice || !bob || !carol || !stranger || !treasury) {
    throw new Error("need 9 signers");
  }
  const deployParameters = { ...ORACLE_TEST_PARAMETERS, treasury: treasury.address, ...parameters };
  // Another deployment of the same module (e.g. `deploySystemWithYield`) when given; the core system by default.
  const system = (await (deploy ?? deploySystem)(connection, deployParameters)) as S;
  const operators = committeeWallets(3);

  const now = async (): Promise<bigint> => BigInt(await networkHelpers.time.latest());

  /** Committee signatures (operators 1 and 2 by default) over a batch. */
  const signReports = async (
    reports: readonly Report[],
    deadline: bigint,
    signers_: readonly TypedDataSigner[] = operators.slice(0, 2),
  ) => signSyncBatch(system.oracle, reports, deadline, signers_);

  /** Submits a committee-signed batch (deadline now + 10 min) from the stranger account. */
  const sync = async (reports: readonly Report[], signers_?: readonly TypedDataSigner[]) => {
    const deadline = (await now()) + 600n;
    const signatures = await signReports(reports, deadline, signers_);
    return system.oracle.connect(stranger).sync([...reports], deadline, signatures);
  };

  /** The next report of `user`: sequence and height follow the stored state. */
  const nextReport = async (
    user: string,
    newTotalSats: bigint,
    heightStep = 1n,
    fork = 0,
  ): Promise<Report> => {
    const state = await system.oracle.userState(user);
    const highest = await system.oracle.highestBtcHeight();
    const base = highest > state.btcHeight ? highest : state.btcHeight;
    const btcHeight = (base === 0n ? 100n : base) + heightStep;
    return {
      user,
      newTotalSats,
      btcHeight,
      btcBlockHash: blockHash(btcHeight, fork),
      sequence: state.sequence + 1n,
    };
  };

  /** Committee-approved binding request for `user` with the current nonce. */
  const bindingRequest = async (user: string, btcAddress: string): Promise<BindingRequest> => ({
    user,
    btcAddress,
    proofDigest: proofDigest(btcAddress),
    nonce: await system.oracle.bindingNonce(user),
    deadline: (await now()) + 600n,
  });

  /** Binds `btcAddress` to `user` with committee signatures (sent by the stranger). */
  const bind = async (user: string, btcAddress: string) => {
    const request = await bindingRequest(user, btcAddress);
    const signatures = await signBinding(system.oracle, request, operators.slice(0, 2));
    return system.oracle.connect(stranger).bindAddress(request, signatures);
  };

  /**
   * Commits the next reserve round (committee-signed) over `leaves`; `attestedSats` defaults to the leaves' sum, or
   * to the current rBTC supply when no leaves are given (so secure-mint-gated wraps pass in unit tests).
   */
  const commitReserves = async (
    leaves: readonly ReserveLeaf[] = [],
    attestedSats?: bigint,
    btcHeight?: bigint,
  ) => {
    const tree = new ReserveTree(leaves);
    const attested = attestedSats ?? (leaves.length > 0 ? tree.totalSats : await system.rbtc.totalSupply());
    const roundId = (await system.proofOfReserves.latestRoundId()) + 1n;
    const previous = await system.proofOfReserves.round(roundId - 1n);
    const height =
      btcHeight ?? (previous.btcHeight > 0n ? previous.btcHeight : await system.oracle.highestBtcHeight());
    const deadline = (await now()) + 600n;
    const round = { roundId, merkleRoot: tree.root, attestedSats: attested, btcHeight: height, deadline };
    const signatures = await signReserveRound(system.proofOfReserves, round, operators.slice(0, 2));
    const tx = await system.proofOfReserves
      .connect(stranger)
      .commitRound(tree.root, attested, height, deadline, signatures);
    return { tx, tree, round };
  };

  return {
    ...system,
    commitReserves,
    ethers,
    networkHelpers,
    admin,
    alice,
    bob,
    carol,
    stranger,
    treasury,
    operatorAccounts: [op1, op2, op3],
    operators,
    now,
    signReports,
    sync,
    nextReport,
    bindingRequest,
    bind,
  };
}

export type OracleSystem = Awaited<ReturnType<typeof deployOracleSystem>>;
export type { HardhatEthers };

/** A holder of the scripted histories: an EVM user, their bound BTC address and the sats it is funded with. */
export interface FundedHolder {
  user: string;
  btcAddress: string;
  sats: bigint;
}

/**
 * Binds each holder's address (committee-approved), prepays `feeWei` of oracle fees for them, funds the address on
 * the devnet and mines `confirmations` blocks, so the next round mints every holder's sats.
 */
export async function bindAndFund(
  system: { bind(user: string, btcAddress: string): Promise<unknown>; feeVault: FeeVault },
  chain: DevnetChain,
  holders: readonly FundedHolder[],
  confirmations: number,
  feeWei = 10n ** 18n,
): Promise<void> {
  for (const h of holders) {
    await system.bind(h.user, h.btcAddress);
    await system.feeVault.depositETH(h.user, { value: feeWei });
    chain.fund(h.btcAddress, h.sats);
  }
  chain.mine(confirmations);
}

/**
 * The two-holder world several suites start from: alice (p2wpkh, 150,000 sats) and bob (p2tr, 80,000 sats), bound,
 * fee-prepaid and funded with `confirmations` blocks mined. Wallet names end in `-<tag>` so suites never share keys.
 */
export async function bindAndFundAliceAndBob(
  system: OracleSystem,
  chain: DevnetChain,
  tag: string,
  confirmations: number,
): Promise<{ aliceBtc: string; bobBtc: string }> {
  const aliceBtc = new DevnetWallet(`alice-${tag}`, "regtest").address("p2wpkh").address;
  const bobBtc = new DevnetWallet(`bob-${tag}`, "regtest").address("p2tr").address;
  await bindAndFund(
    system,
    chain,
    [
      { user: system.alice.address, btcAddress: aliceBtc, sats: 150_000n },
      { user: system.bob.address, btcAddress: bobBtc, sats: 80_000n },
    ],
    confirmations,
  );
  return { aliceBtc, bobBtc };
}
