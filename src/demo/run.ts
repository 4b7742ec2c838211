import { parseEther } from "ethers";
import type { Signer } from "ethers";
import type { NetworkConnection } from "hardhat/types/network";

import { EsploraClient } from "../bitcoin/esplora.js";
import { startDevnet } from "../bitcoin/devnet/server.js";
import type { WalletAddressType } from "../bitcoin/devnet/wallet.js";
import { DevnetWallet } from "../bitcoin/devnet/wallet.js";
import type { SystemContracts } from "../deployments.js";
import { deploySystem } from "../deployments.js";
import { bindAddress, pendingBindingMessage } from "../oracle/bind.js";
import { Committee } from "../oracle/committee.js";
import type { RoundSummary } from "../oracle/round.js";
import { runSyncRound } from "../oracle/round.js";
import { committeeWallets } from "../oracle/signing.js";

/** Confirmations the demo deployment requires (the devnet mines them on demand). */
const DEMO_MIN_CONFIRMATIONS = 2;
/** A burn address outside the system that spent BTC goes to. */
const OUTSIDE_WALLET = "outside";

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
}

export interface DemoCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export interface DemoRound {
  name: string;
  changed: number;
  mintedSats: bigint;
  burnedSats: bigint;
  deferred: number;
  skipped: number;
  gasUsed: bigint;
  durationMs: number;
}

export interface DemoReport {
  chainId: bigint;
  contracts: Record<string, string>;
  bitcoin: { url: string; tipHeight: number; minConfirmations: number };
  committee: { operators: number; threshold: number };
  rounds: DemoRound[];
  users: DemoUserReport[];
  supply: { rbtcSupply: bigint; rbtcEscrow: bigint; wrbtcSupply: bigint; uncoveredSats: bigint };
  checks: DemoCheck[];
  verdict: "pass" | "fail";
  durationMs: number;
}

interface DemoUser {
  id: string;
  signer: Signer;
  wallet: DevnetWallet;
  type: WalletAddressType;
  btcAddress: string;
}

function roundOf(name: string, summary: RoundSummary): DemoRound {
  return {
    name,
    changed: summary.changed,
    mintedSats: summary.mintedSats,
    burnedSats: summary.burnedSats,
    deferred: summary.deferred.length,
    skipped: summary.skipped.length,
    gasUsed: summary.gasUsed,
    durationMs: summary.durationMs,
  };
}

async function userReport(
  system: SystemContracts,
  esplora: EsploraClient,
  user: DemoUser,
  proofKind: string,
): Promise<DemoUserReport> {
  const address = await user.signer.getAddress();
  const [state, free, escrow, wrbtc, feeWei, btc] = await Promise.all([
    system.oracle.userState(address),
    system.rbtc.freeBalanceOf(address),
    system.rbtc.escrowOf(address),
    system.wrbtc.balanceOf(address),
    system.feeVault.balanceOf(address),
    esplora.confirmedBalance(user.btcAddress, DEMO_MIN_CONFIRMATIONS),
  ]);
  return {
    id: user.id,
    evmAddress: address,
    btcAddress: user.btcAddress,
    btcAddressType: user.type,
    proofKind,
    btcConfirmedSats: btc.sats,
    attestedSats: state.attestedSats,
    rbtcFree: free,
    rbtcEscrow: escrow,
    wrbtc,
    deferredSats: state.deferredSats,
    feeVaultWei: feeWei,
  };
}

/**
 * The main job: an in-process Bitcoin devnet and the in-process EVM network; deploy through Ignition; bind two
 * users' BTC addresses with real BIP-322 proofs; fund them on Bitcoin; run committee-signed sync rounds (one user's
 * mint deferred for an empty FeeVault, then paid); wrap and transfer wrBTC; spend BTC and burn (free, then escrow
 * with a slash); and check every balance against Bitcoin. The verdict is computed from the checks.
 */
export async function runDemo(
  connection: NetworkConnection,
  progress: (message: string) => void = () => undefined,
): Promise<DemoReport> {
  const started = Date.now();
  const devnet = await startDevnet({ port: 0 });
  try {
    progress(`bitcoin devnet on ${devnet.url}`);
    const esplora = new EsploraClient({ baseUrl: devnet.url, network: "regtest" });

    const system = await deploySystem(connection, { minConfirmations: DEMO_MIN_CONFIRMATIONS });
    const { chainId } = await connection.ethers.provider.getNetwork();
    progress(`deployed on chain ${chainId}: Oracle ${system.deployment.oracle}`);

    const [operators, threshold] = await system.oracle.committee();
    const committee = new Committee(
      committeeWallets(operators.length).filter((w) => operators.includes(w.address)),
      Number(threshold),
    );
    const signers = await connection.ethers.getSigners();
    const users: DemoUser[] = (
      [
        ["alice", 4, "p2wpkh"],
        ["bob", 5, "p2tr"],
      ] as const
    ).map(([id, index, type]) => {
      const wallet = new DevnetWallet(id, "regtest");
      const signer = signers[index];
      if (signer === undefined) throw new Error(`account ${index} missing`);
      return { id, signer, wallet, type, btcAddress: wallet.address(type).address };
    });
    const [alice, bob] = users as [DemoUser, DemoUser];

    // 1. Bind each user's BTC address with a real ownership proof over the binding message.
    const proofKinds = new Map<string, string>();
    for (const user of users) {
      const evm = await user.signer.getAddress();
      const message = await pendingBindingMessage(system.oracle, evm, user.btcAddress);
      const { signature } = user.wallet.signMessage(user.type, message);
      const bound = await bindAddress(system.oracle, committee, {
        user: evm,
        btcAddress: user.btcAddress,
        signature,
        network: "regtest",
      });
      proofKinds.set(user.id, bound.proofKind);
      progress(
        `bound ${user.id}'s ${user.type} ${user.btcAddress} (${bound.proofKind}, ${bound.gasUsed} gas)`,
      );
    }

    // 2. BTC arrives; only alice prepaid oracle fees.
    devnet.chain.fund(alice.btcAddress, 150_000n);
    devnet.chain.fund(bob.btcAddress, 80_000n);
    devnet.chain.mine(DEMO_MIN_CONFIRMATIONS);
    await system.feeVault.connect(alice.signer).depositETH(await alice.signer.getAddress(), {
      value: parseEther("0.05"),
    });
    const sign = committee.batchSigner(system.oracle);
    const reserves = {
      contract: system.proofOfReserves,
      sign: committee.reserveSigner(system.proofOfReserves),
    };
    const rounds: DemoRound[] = [];
    const round = async (name: string): Promise<void> => {
      const summary = await runSyncRound(system.oracle, system.rbtc, esplora, sign, {
        onProgress: progress,
        reserves,
      });
      rounds.push(roundOf(name, summary));
      progress(
        `${name}: ${summary.changed} reports, minted ${summary.mintedSats}, burned ${summary.burnedSats}, ` +
          `deferred ${summary.deferred.length}, ${summary.gasUsed} gas`,
      );
    };
    await round("first sync (bob has no fee deposit)");

    // 3. Bob tops up; alice wraps and sends wrBTC to bob.
    await system.feeVault
      .connect(bob.signer)
      .depositETH(await bob.signer.getAddress(), { value: parseEther("0.05") });
    await system.wrbtc.connect(alice.signer).wrap(50_000n);
    await system.wrbtc.connect(alice.signer).transfer(await bob.signer.getAddress(), 20_000n);
    await round("second sync (bob's deferred mint, now paid)");

    // 4. Alice spends 120,000 sats on Bitcoin: the burn takes her free rBTC, then escrow, slashing her wrBTC.
    devnet.chain.spend(
      alice.btcAddress,
      new DevnetWallet(OUTSIDE_WALLET).address("p2wpkh").address,
      120_000n,
    );
    devnet.chain.mine(DEMO_MIN_CONFIRMATIONS);
    await round("third sync (alice spent BTC)");

    const reports = await Promise.all(
      users.map((u) => userReport(system, esplora, u, proofKinds.get(u.id) ?? "")),
    );
    const [rbtcSupply, rbtcEscrow, wrbtcSupply, uncoveredSats, vaultWei, depositsWei, accruedWei] =
      await Promise.all([
        system.rbtc.totalSupply(),
        system.rbtc.totalEscrow(),
        system.wrbtc.totalSupply(),
        system.wrbtc.uncoveredSats(),
        connection.ethers.provider.getBalance(system.deployment.feeVault),
        system.feeVault.totalDepositsWei(),
        system.feeVault.accruedFeesWei(),
      ]);
    const checks: DemoCheck[] = [];
    for (const r of reports) {
      checks.push({
        name: `${r.id}: attested == confirmed BTC`,
        ok: r.attestedSats === r.btcConfirmedSats,
        detail: `${r.attestedSats} vs ${r.btcConfirmedSats}`,
      });
      checks.push({
        name: `${r.id}: rBTC free + escrow == attested`,
        ok: r.rbtcFree + r.rbtcEscrow === r.attestedSats,
        detail: `${r.rbtcFree} + ${r.rbtcEscrow} vs ${r.attestedSats}`,
      });
    }
    checks.push({
      name: "wrBTC supply == escrow + uncovered",
      ok: wrbtcSupply === BigInt(rbtcEscrow) + BigInt(uncoveredSats),
      detail: `${wrbtcSupply} vs ${rbtcEscrow} + ${uncoveredSats}`,
    });
    checks.push({
      name: "FeeVault ETH == deposits + accrued fees",
      ok: vaultWei === depositsWei + accruedWei,
      detail: `${vaultWei} vs ${depositsWei} + ${accruedWei}`,
    });
    checks.push({
      name: "a deferred mint was reported, then paid",
      ok: rounds[0]?.deferred === 1 && reports.every((r) => r.deferredSats === 0n),
      detail: `round 1 deferred ${rounds[0]?.deferred ?? 0}`,
    });
    checks.push({
      name: "the BTC spend burned rBTC",
      ok: (rounds[2]?.burnedSats ?? 0n) === 120_000n,
      detail: `burned ${rounds[2]?.burnedSats ?? 0n}`,
    });

    return {
      chainId,
      contracts: {
        rbtc: system.deployment.rbtc,
        wrbtc: system.deployment.wrbtc,
        feeVault: system.deployment.feeVault,
        feePolicy: system.deployment.feePolicy,
        oracle: system.deployment.oracle,
      },
      bitcoin: {
        url: devnet.url,
        tipHeight: devnet.chain.tipHeight,
        minConfirmations: DEMO_MIN_CONFIRMATIONS,
      },
      committee: { operators: operators.length, threshold: Number(threshold) },
      rounds,
      users: reports,
      supply: { rbtcSupply, rbtcEscrow, wrbtcSupply, uncoveredSats },
      checks,
      verdict: checks.every((c) => c.ok) ? "pass" : "fail",
      durationMs: Date.now() - started,
    };
  } finally {
    await devnet.close();
  }
}
