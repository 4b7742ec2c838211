/**
 * What the gas benches share: a system deployed by the real Ignition module on the in-process network, deterministic
 * users bound by the committee (2 of the 3 default operator keys) with a prepaid fee, and signed sync batches.
 * Deterministic: fixed user addresses, amounts and block timestamps (each step mines one block `seconds` later).
 */
import type { ContractTransactionResponse } from "ethers";
import { dataSlice, getAddress, keccak256, parseEther, toUtf8Bytes } from "ethers";
import type { network } from "hardhat";

import { RESERVE_BTC_DEFAULTS } from "../deploy/modules/ReserveBTC.js";
import { deploySystemWithYield } from "../src/deployments.js";
import type { Report } from "../src/oracle/signing.js";
import { committeeWallets, signBinding, signSyncBatch } from "../src/oracle/signing.js";

export type BenchConnection = Awaited<ReturnType<typeof network.create>>;
export type BenchSystem = Awaited<ReturnType<typeof deploySystemWithYield>>;

/** The i-th deterministic user of a bench (an address nobody holds a key for; impersonated when it must send). */
export function benchUser(prefix: string, i: number): string {
  return getAddress(dataSlice(keccak256(toUtf8Bytes(`${prefix}-${i}`)), 12));
}

export const benchBtcAddress = (prefix: string, i: number) => `bc1q${prefix}${i.toString().padStart(3, "0")}`;

/** Deploys the system with the yield pool; caps far above any batch so nothing queues. */
export async function deployBenchSystem(connection: BenchConnection, treasury: string): Promise<BenchSystem> {
  return deploySystemWithYield(connection, {
    userMintCapSats: RESERVE_BTC_DEFAULTS.userMintCapSats,
    globalMintCapSats: 2_100_000_000_000_000n,
    treasury,
  });
}

/** Signs and sends one sync batch; `height` is the Bitcoin height the reports anchor to. */
export class SyncBench {
  readonly operators = committeeWallets(3).slice(0, 2);
  height = 800_000n;

  constructor(
    private readonly connection: BenchConnection,
    private readonly system: BenchSystem,
  ) {}

  /** Lets `seconds` pass (mines an empty block: deterministic timestamps). */
  async after(seconds: number): Promise<void> {
    await this.connection.networkHelpers.time.increase(seconds);
  }

  /** Binds each user to its bench BTC address and prepays its fee; `measure` sees the first user's transactions. */
  async bindUsers(
    users: readonly string[],
    btcAddressOf: (i: number) => string,
    measure?: (label: string, send: Promise<ContractTransactionResponse>) => Promise<unknown>,
  ): Promise<void> {
    const { oracle, feeVault } = this.system;
    for (const [i, user] of users.entries()) {
      const request = {
        user,
        btcAddress: btcAddressOf(i),
        proofDigest: keccak256(toUtf8Bytes(`proof-${i}`)),
        nonce: 0n,
        deadline: BigInt(await this.connection.networkHelpers.time.latest()) + 3_000n,
      };
      const signatures = await signBinding(oracle, request, this.operators);
      await this.after(12);
      const bind = oracle.bindAddress(request, signatures);
      if (i === 0 && measure !== undefined) await measure("bindAddress: a user's first binding", bind);
      else await (await bind).wait();
      await this.after(12);
      const deposit = feeVault.depositETH(user, { value: parseEther("0.1") });
      if (i === 0 && measure !== undefined)
        await measure("FeeVault.depositETH: a user's first deposit", deposit);
      else await (await deposit).wait();
    }
  }

  /** The reports setting `selected` users to `total` at the next Bitcoin height. */
  async reports(selected: readonly string[], total: bigint | ((user: string) => bigint)): Promise<Report[]> {
    this.height += 1n;
    const states = await this.system.oracle.userStates([...selected]);
    return selected.map((user, i) => ({
      user,
      newTotalSats: typeof total === "bigint" ? total : total(user),
      btcHeight: this.height,
      btcBlockHash: keccak256(toUtf8Bytes(`btc-${this.height}`)),
      sequence: (states[i]?.sequence ?? 0n) + 1n,
    }));
  }

  /** Signs and submits one batch setting `selected` users to `total` at the next Bitcoin height. */
  async sync(
    selected: readonly string[],
    total: bigint | ((user: string) => bigint),
  ): Promise<ContractTransactionResponse> {
    const reports = await this.reports(selected, total);
    const deadline = BigInt(await this.connection.networkHelpers.time.latest()) + 600n;
    const signatures = await signSyncBatch(this.system.oracle, reports, deadline, this.operators);
    await this.after(60);
    return this.system.oracle.sync(reports, deadline, signatures);
  }
}
