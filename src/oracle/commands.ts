/**
 * What the oracle tasks do, as functions over an {@link OracleContext}: bind an address (with a given proof or a
 * devnet wallet's), print the binding message, run one round. The tasks only parse flags and print.
 */
import { ZeroAddress, getAddress, isAddress, parseEther } from "ethers";

import { parseAddress } from "../bitcoin/address.js";
import { DevnetWallet, parseWalletAddressType } from "../bitcoin/devnet/wallet.js";
import type { BitcoinNetwork } from "../bitcoin/networks.js";
import { isBitcoinNetwork } from "../bitcoin/networks.js";
import { UserInputError } from "../errors.js";
import type { BindResult } from "./bind.js";
import { bindAddress, pendingBindingMessage } from "./bind.js";
import type { OracleContext } from "./context.js";
import type { BitcoinSource } from "./reports.js";
import type { RoundOptions, RoundSummary } from "./round.js";
import { runSyncRound } from "./round.js";

export function parseBtcNetwork(value: string): BitcoinNetwork {
  if (!isBitcoinNetwork(value)) {
    throw new UserInputError(
      `unknown Bitcoin network "${value}" (mainnet, testnet, signet or regtest)`,
      "BTC_NETWORK",
    );
  }
  return value;
}

function parseUser(value: string): string {
  if (value === "")
    throw new UserInputError("--user is required (the EVM address to bind to)", "EVM_ADDRESS");
  if (!isAddress(value) || value === ZeroAddress)
    throw new UserInputError(`invalid user address "${value}"`, "EVM_ADDRESS");
  return getAddress(value);
}

export interface BindArgs {
  user: string;
  btcAddress: string;
  signature: string;
  btcNetwork: string;
  printMessage: boolean;
  devnetWallet: string;
  addressType: string;
  addressIndex: number;
}

/** `oracle:bind --print-message` output. */
export interface BindingMessageJson {
  user: string;
  btcAddress: string;
  chainId: string;
  oracle: string;
  nonce: string;
  message: string;
}

/** `oracle:bind` output. */
export interface BindJson {
  user: string;
  btcAddress: string;
  btcNetwork: BitcoinNetwork;
  proofKind: string;
  proofDigest: string;
  nonce: string;
  message: string;
  txHash: string;
  blockNumber: number;
  gasUsed: string;
  signedBy: string;
}

export type BindCommandResult = ({ kind: "message" } & BindingMessageJson) | ({ kind: "bound" } & BindJson);

/**
 * `oracle:bind`: with `--print-message`, the message the user must sign; otherwise verify the proof (given, or
 * made by a devnet wallet) and bind through the committee.
 */
export async function bindCommand(ctx: OracleContext, args: BindArgs): Promise<BindCommandResult> {
  const network = parseBtcNetwork(args.btcNetwork);
  const user = parseUser(args.user);
  let btcAddress = args.btcAddress.trim();
  let wallet: DevnetWallet | undefined;
  const type = parseWalletAddressType(args.addressType);
  if (args.devnetWallet !== "") {
    if (ctx.chainId !== 31337n || network !== "regtest") {
      throw new UserInputError(
        "--devnet-wallet signs with public test keys: only on chain 31337 with regtest",
        "DEVNET_ONLY",
      );
    }
    wallet = new DevnetWallet(args.devnetWallet, network);
    const derived = wallet.address(type, args.addressIndex).address;
    if (btcAddress !== "" && btcAddress !== derived) {
      throw new UserInputError(
        `--btc-address ${btcAddress} is not ${args.devnetWallet}'s ${type} address ${derived}`,
      );
    }
    btcAddress = derived;
  }
  if (btcAddress === "")
    throw new UserInputError("--btc-address is required (or --devnet-wallet NAME)", "BTC_ADDRESS");
  btcAddress = parseAddress(btcAddress, network, { name: "btcAddress" }).address;
  const { oracle } = ctx.system;

  if (args.printMessage) {
    const message = await pendingBindingMessage(oracle, user, btcAddress);
    return {
      kind: "message",
      user,
      btcAddress,
      chainId: ctx.chainId.toString(),
      oracle: ctx.deployment.oracle,
      nonce: (await oracle.bindingNonce(user)).toString(),
      message,
    };
  }
  let signature = args.signature.trim();
  if (wallet !== undefined) {
    if (signature !== "") throw new UserInputError("give either --signature or --devnet-wallet, not both");
    const message = await pendingBindingMessage(oracle, user, btcAddress);
    signature = wallet.signMessage(type, message, { index: args.addressIndex }).signature;
  }
  if (signature === "") {
    throw new UserInputError(
      "--signature is required: sign the message printed by `oracle:bind --print-message` with the BTC address",
      "BAD_PROOF",
    );
  }
  const result: BindResult = await bindAddress(oracle, ctx.committee, {
    user,
    btcAddress,
    signature,
    network,
  });
  return {
    kind: "bound",
    user: result.user,
    btcAddress: result.btcAddress,
    btcNetwork: network,
    proofKind: result.proofKind,
    proofDigest: result.proofDigest,
    nonce: result.nonce.toString(),
    message: result.message,
    txHash: result.txHash,
    blockNumber: result.blockNumber,
    gasUsed: result.gasUsed.toString(),
    signedBy:
      ctx.remoteOperators.length > 0
        ? `${ctx.threshold} of ${ctx.operators.length} operators (${ctx.remoteOperators.length} nodes asked)`
        : `${ctx.threshold} of ${ctx.operators.length} operators`,
  };
}

/** `oracle:sync` output (amounts in sats as decimal strings). */
export interface RoundJson {
  dryRun: boolean;
  chainId: string;
  oracle: string;
  chainBlock: number;
  bitcoin: { tipHeight: number; tipHash: string };
  minConfirmations: number;
  /** Present when Bitcoin reorganised across the highest attested height. */
  reorg: { height: number; previousHash: string; newHash: string } | null;
  committee: {
    threshold: number;
    operators: number;
    localOperators: number;
    /** Operator nodes this runner aggregates (0 when it signs with local keys). */
    remoteOperators: number;
    /** What each operator did since the runner started (signed / refused / failed requests). */
    tallies: Array<{ operator: string; url?: string; signed: number; refused: number; failed: number }>;
  };
  usersChecked: number;
  unchanged: number;
  changed: number;
  mintedSats: string;
  burnedSats: string;
  deferred: string[];
  queued: string[];
  emergencyBurns: number;
  /** Users whose uncovered wrBTC the round retired from their yield-pool stake after a BACKING_LOST burn. */
  stakeSlashes: string[];
  skipped: Array<{ user: string; reason: string; detail: string }>;
  /** Reports fewer than the threshold of operators agreed to (not submitted; retried next round), with each refusal. */
  dropped: Array<{
    user: string;
    sequence: string;
    newTotalSats: string;
    refusals: Array<{ operator: string; field: string; reason: string; proposed: string; observed: string }>;
  }>;
  /** Every refusal an operator node sent this round (`oracle:sync` with --operators), including those of reports
   * that still reached the threshold through the other nodes. */
  refusals?: Array<{
    operator: string;
    url: string;
    kind: string;
    user?: string;
    field: string;
    reason: string;
    proposed: string;
    observed: string;
  }>;
  /** The reserve round: committed, or why not (operators' refusals included). */
  reserves: {
    committed: boolean;
    roundId?: string;
    merkleRoot?: string;
    attestedSats?: string;
    reason?: string;
  } | null;
  /** Reports the Oracle skipped on chain (IOracle.SkipReason names); nothing changed, the next round re-reports. */
  skippedOnChain: Array<{ user: string; sequence: string; reason: string }>;
  reports: Array<{
    user: string;
    previousSats: string;
    newTotalSats: string;
    btcHeight: string;
    sequence: string;
  }>;
  batches: Array<{ txHash: string; blockNumber: number; reports: number; gasUsed: string; attempts: number }>;
  gasUsed: string;
  gasPerReport: string;
  rpcCalls: { evm: number; bitcoin: number; perUser: number };
  durationMs: number;
}

/** The JSON shape of a round summary. */
export function roundJson(ctx: OracleContext, summary: RoundSummary): RoundJson {
  return {
    dryRun: summary.dryRun,
    chainId: ctx.chainId.toString(),
    oracle: ctx.deployment.oracle,
    chainBlock: summary.chainBlock,
    bitcoin: { tipHeight: summary.bitcoinTip.height, tipHash: summary.bitcoinTip.hash },
    minConfirmations: summary.minConfirmations,
    reorg: summary.reorg ?? null,
    committee: {
      threshold: ctx.threshold,
      operators: ctx.operators.length,
      localOperators: ctx.localOperators.length,
      remoteOperators: ctx.remoteOperators.length,
      tallies: ctx.committee.tallies(),
    },
    usersChecked: summary.usersChecked,
    unchanged: summary.unchanged,
    changed: summary.changed,
    mintedSats: summary.mintedSats.toString(),
    burnedSats: summary.burnedSats.toString(),
    deferred: summary.deferred,
    queued: summary.queued,
    emergencyBurns: summary.emergencyBurns,
    stakeSlashes: summary.stakeSlashes,
    skipped: summary.skipped.map((s) => ({ user: s.user, reason: s.reason, detail: s.detail })),
    dropped: summary.dropped.map((d) => ({
      user: d.report.user,
      sequence: d.report.sequence.toString(),
      newTotalSats: d.report.newTotalSats.toString(),
      refusals: d.refusals.map((r) => ({
        operator: r.operator,
        field: r.field,
        reason: r.reason,
        proposed: r.proposed,
        observed: r.observed,
      })),
    })),
    reserves:
      summary.reserves === undefined
        ? null
        : summary.reserves.committed
          ? {
              committed: true,
              roundId: summary.reserves.roundId.toString(),
              merkleRoot: summary.reserves.merkleRoot,
              attestedSats: summary.reserves.attestedSats.toString(),
            }
          : { committed: false, reason: summary.reserves.reason },
    skippedOnChain: summary.skippedOnChain.map((s) => ({
      user: s.user,
      sequence: s.sequence.toString(),
      reason: s.reason,
    })),
    reports: summary.reports.map((r) => ({
      user: r.user,
      previousSats: (summary.attestedBefore.get(r.user) ?? 0n).toString(),
      newTotalSats: r.newTotalSats.toString(),
      btcHeight: r.btcHeight.toString(),
      sequence: r.sequence.toString(),
    })),
    batches: summary.batches.map((b) => ({
      txHash: b.txHash,
      blockNumber: b.blockNumber,
      reports: b.reports,
      gasUsed: b.gasUsed.toString(),
      attempts: b.attempts,
    })),
    gasUsed: summary.gasUsed.toString(),
    gasPerReport:
      summary.changed === 0 || summary.dryRun ? "0" : (summary.gasUsed / BigInt(summary.changed)).toString(),
    rpcCalls: { ...summary.rpcCalls, perUser: Math.round(summary.rpcCalls.perUser * 100) / 100 },
    durationMs: summary.durationMs,
  };
}

/** One round with the context's committee; the summary in its JSON shape. */
export async function syncCommand(
  ctx: OracleContext,
  bitcoin: BitcoinSource,
  options: RoundOptions = {},
): Promise<{ summary: RoundSummary; json: RoundJson }> {
  const { oracle, rbtc, proofOfReserves, yieldPool } = ctx.system;
  // Each round also commits the reserve round (Merkle root of every address's sats and the attested total).
  const reserves = { contract: proofOfReserves, sign: ctx.committee.reserveSigner(proofOfReserves) };
  const summary = await runSyncRound(oracle, rbtc, bitcoin, ctx.committee.batchSigner(oracle), {
    reserves,
    ...(yieldPool === undefined ? {} : { yieldPool }),
    ...options,
  });
  return { summary, json: roundJson(ctx, summary) };
}

/** `oracle:deposit-fee` output. */
export interface DepositFeeJson {
  user: string;
  depositedWei: string;
  balanceWei: string;
  txHash: string;
}

/** `--eth`: a positive amount of ETH, in wei. */
function parseEth(eth: string): bigint {
  let wei: bigint;
  try {
    wei = parseEther(eth);
  } catch {
    throw new UserInputError(`--eth must be an amount of ETH like 0.05, got "${eth}"`);
  }
  if (wei <= 0n) throw new UserInputError("--eth must be positive");
  return wei;
}

/** Prepays oracle fees for `user` into FeeVault from the submitting account (anyone may fund anyone). */
export async function depositFeeCommand(
  ctx: OracleContext,
  userArg: string,
  eth: string,
): Promise<DepositFeeJson> {
  const user = parseUser(userArg);
  const wei = parseEth(eth);
  const tx = await ctx.system.feeVault.depositETH(user, { value: wei });
  const receipt = await tx.wait();
  return {
    user,
    depositedWei: wei.toString(),
    balanceWei: (await ctx.system.feeVault.balanceOf(user)).toString(),
    txHash: receipt?.hash ?? tx.hash,
  };
}

/** `oracle:deposit-fee --file` output. */
export interface DepositFeeListJson {
  file: string;
  users: number;
  depositedWeiEach: string;
  depositedWei: string;
}

/**
 * Prepays `eth` of oracle fees for every distinct user of a bindings file (`oracle:bind --file`), one deposit each
 * from the submitting account; `onProgress` is told after each.
 */
export async function depositFeeListCommand(
  ctx: OracleContext,
  users: readonly string[],
  file: string,
  eth: string,
  onProgress?: (done: number, total: number) => void,
): Promise<DepositFeeListJson> {
  const wei = parseEth(eth);
  const distinct = [
    ...new Set(
      users.map((u, i) => {
        if (!isAddress(u) || u === ZeroAddress)
          throw new UserInputError(
            `--file ${file}: entry ${i + 1} has an invalid user "${u}"`,
            "EVM_ADDRESS",
          );
        return getAddress(u);
      }),
    ),
  ];
  for (const [i, user] of distinct.entries()) {
    await (await ctx.system.feeVault.depositETH(user, { value: wei })).wait();
    onProgress?.(i + 1, distinct.length);
  }
  return {
    file,
    users: distinct.length,
    depositedWeiEach: wei.toString(),
    depositedWei: (wei * BigInt(distinct.length)).toString(),
  };
}

/** `oracle:status` output: one user's oracle and token state (sats as decimal strings). */
export interface UserStatusJson {
  user: string;
  btcAddresses: string[];
  attestedSats: string;
  rbtcFree: string;
  rbtcEscrow: string;
  wrbtc: string;
  deferredSats: string;
  queuedSats: string;
  sequence: string;
  btcHeight: string;
  feeVaultWei: string;
}

export async function userStatusCommand(ctx: OracleContext, userArg: string): Promise<UserStatusJson> {
  const user = parseUser(userArg);
  const { oracle, rbtc, wrbtc, feeVault } = ctx.system;
  const [state, addresses, free, escrow, wrapped, feeWei] = await Promise.all([
    oracle.userState(user),
    oracle.addressesOf(user),
    rbtc.freeBalanceOf(user),
    rbtc.escrowOf(user),
    wrbtc.balanceOf(user),
    feeVault.balanceOf(user),
  ]);
  return {
    user,
    btcAddresses: [...addresses],
    attestedSats: state.attestedSats.toString(),
    rbtcFree: free.toString(),
    rbtcEscrow: escrow.toString(),
    wrbtc: wrapped.toString(),
    deferredSats: state.deferredSats.toString(),
    queuedSats: state.queuedSats.toString(),
    sequence: state.sequence.toString(),
    btcHeight: state.btcHeight.toString(),
    feeVaultWei: feeWei.toString(),
  };
}
