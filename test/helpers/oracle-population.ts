/**
 * Many bound users, fast: bindings are approved by the committee and sent through the real `bindAddress` call,
 * several in flight at once, without the per-user BIP-322 proof (the Oracle stores only the proof digest; the proof
 * path is covered by the binding tests). Used by the multi-user test and bench/oracle-round.ts.
 */
import { keccak256, parseEther, toUtf8Bytes } from "ethers";
import type { Provider } from "ethers";

import { devnetEvmUser } from "../../src/bitcoin/devnet/binding.js";
import type { DevnetChain } from "../../src/bitcoin/devnet/chain.js";
import { DevnetWallet } from "../../src/bitcoin/devnet/wallet.js";
import type { SystemContracts } from "../../src/deployments.js";
import type { TypedDataSigner } from "../../src/oracle/signing.js";
import { oracleDomain, signBindingWithDomain } from "../../src/oracle/signing.js";

export interface PopulatedUser {
  user: string;
  btcAddress: string;
}

/** Runs `task` over `items` with at most `limit` in flight. */
async function pool<T>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      for (;;) {
        const i = next++;
        if (i >= items.length) return;
        await task(items[i] as T, i);
      }
    }),
  );
}

/** The i-th synthetic user: a deterministic EVM address and the i-th p2wpkh address of one devnet wallet. */
export function syntheticUsers(count: number, seed = "population"): PopulatedUser[] {
  const wallet = new DevnetWallet(seed);
  return Array.from({ length: count }, (_, i) => ({
    user: devnetEvmUser(seed, i),
    btcAddress: wallet.address("p2wpkh", i).address,
  }));
}

/** Binds every user through `bindAddress` with `signers`' approvals (threshold of them); optionally prepays fees. */
export async function bindUsers(
  system: SystemContracts,
  provider: Provider,
  signers: readonly TypedDataSigner[],
  users: readonly PopulatedUser[],
  options: { feeEth?: string; concurrency?: number; onProgress?: (done: number) => void } = {},
): Promise<void> {
  const domain = await oracleDomain(system.oracle);
  let deadline = 0n;
  let done = 0;
  await pool(users, options.concurrency ?? 8, async ({ user, btcAddress }) => {
    if (done % 200 === 0 || deadline === 0n) {
      const latest = await provider.getBlock("latest");
      deadline = BigInt(latest?.timestamp ?? Math.floor(Date.now() / 1000)) + 500n;
    }
    const request = {
      user,
      btcAddress,
      proofDigest: keccak256(toUtf8Bytes(`setup-proof:${btcAddress}`)),
      nonce: 0n,
      deadline,
    };
    const signatures = await signBindingWithDomain(domain, request, signers);
    await system.oracle.bindAddress(request, signatures);
    if (options.feeEth !== undefined) {
      await system.feeVault.depositETH(user, { value: parseEther(options.feeEth) });
    }
    done += 1;
    if (done % 500 === 0) options.onProgress?.(done);
  });
}

/** Funds user i with `sats(i)` on the devnet (0 = not funded). */
export function fundUsers(
  chain: DevnetChain,
  users: readonly PopulatedUser[],
  sats: (i: number) => bigint,
): void {
  users.forEach((u, i) => {
    const amount = sats(i);
    if (amount > 0n) chain.fund(u.btcAddress, amount);
  });
}
