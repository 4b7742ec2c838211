/**
 * The gas snapshot, Uniswap-style: measures the gas of every figure the gas goals name (and the other external
 * functions users and operators call) on the in-process network against the real Ignition deployment (the deployed
 * defaults: 2-of-3 committee, fee on, the reserves gate wired into wrap, the yield pool as balance hook — unset for
 * the sync figures, which are the Oracle's own as the goals define them), and either
 * writes `snapshots/gas.json` or checks the measurements against it.
 *
 *   npm run gas:snapshot   measure and write snapshots/gas.json, then render docs/gas.md from it
 *   npm run gas:check      measure and fail when a figure is more than 1% above the snapshot (CI runs this)
 *
 * Figures are `receipt.gasUsed` (whole transaction, 21,000 base included) unless the key says "per user" (a batch's
 * gas divided by its reports). Everything is deterministic: fixed user addresses, amounts and block timestamps.
 */
import { readFile, writeFile } from "node:fs/promises";

import type { ContractTransactionResponse } from "ethers";
import { parseEther } from "ethers";
import { network } from "hardhat";

import { RESERVE_BTC_DEFAULTS } from "../deploy/modules/ReserveBTC.js";
import { ReserveTree } from "../src/oracle/reserve-tree.js";
import { signReserveRound, signRevocation } from "../src/oracle/signing.js";
import type { GasSnapshot } from "./gas-snapshot-lib.js";
import {
  GAS_DOCS_PATH,
  GAS_SNAPSHOT_PATH,
  compareSnapshot,
  renderGasDocs,
  renderedGasDocs,
} from "./gas-snapshot-lib.js";
import { SyncBench, benchBtcAddress, benchUser, deployBenchSystem } from "./sync-harness.js";

const BATCH = 100;
const FIRST_TOTAL = 1_000_000n;
const STEP = 10_000n;
const START = 1_900_000_000;

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const { time } = networkHelpers;
const figures: Record<string, number> = {};

async function gasOf(
  label: string,
  send: Promise<ContractTransactionResponse>,
  perUser = 1,
): Promise<bigint> {
  const receipt = await (await send).wait();
  if (receipt === null) throw new Error(`${label}: no receipt`);
  figures[label] = Number(receipt.gasUsed / BigInt(perUser));
  process.stderr.write(`  ${label}: ${figures[label]}\n`);
  return receipt.gasUsed;
}

await time.setNextBlockTimestamp(START);
const [admin, challenger] = await ethers.getSigners();
if (admin === undefined || challenger === undefined) throw new Error("signers");
const system = await deployBenchSystem(connection, admin.address);
const { oracle, rbtc, wrbtc, feeVault, proofOfReserves, disputeManager, yieldPool } = system;
const bench = new SyncBench(connection, system);
const { operators } = bench;
const at = (seconds: number) => bench.after(seconds);
const sync = (selected: readonly string[], total: bigint) => bench.sync(selected, total);
const users = Array.from({ length: BATCH }, (_, i) => benchUser("gas-snapshot-user", i));
const btcAddressOf = (i: number) => benchBtcAddress("gassnapshot", i);
const signerOf = async (user: string) => {
  await networkHelpers.setBalance(user, parseEther("10"));
  return ethers.getImpersonatedSigner(user);
};

/** Commits a reserve round attesting every user's current total. */
async function commitRound(label?: string) {
  const states = await oracle.userStates(users);
  const tree = new ReserveTree(
    users.map((user, i) => ({ user, btcAddress: btcAddressOf(i), sats: states[i]?.attestedSats ?? 0n })),
  );
  const round = {
    roundId: (await proofOfReserves.latestRoundId()) + 1n,
    merkleRoot: tree.root,
    attestedSats: tree.totalSats,
    btcHeight: bench.height,
    deadline: BigInt(await time.latest()) + 600n,
  };
  const signatures = await signReserveRound(proofOfReserves, round, operators);
  await at(12);
  const send = proofOfReserves.commitRound(
    round.merkleRoot,
    round.attestedSats,
    round.btcHeight,
    round.deadline,
    signatures,
  );
  if (label === undefined) await (await send).wait();
  else await gasOf(label, send);
}

process.stderr.write("gas snapshot: deploying and binding 100 users\n");
await bench.bindUsers(users, btcAddressOf, gasOf);

process.stderr.write("gas snapshot: sync batches of 100\n");
// The sync figures are the Oracle's own, as the goals define them: no balance hook (with the pool as hook a joined
// holder adds ≈ 10,000 per report and a non-participant ≈ 3,800 — test/gas/yield-hook-gas.test.ts).
const hook = await oracle.balanceHook();
await (await oracle.setBalanceHook(ethers.ZeroAddress)).wait();
await gasOf("sync: first mint, batch of 100 (per user)", sync(users, FIRST_TOTAL), BATCH);
await gasOf("sync: steady-state mint, batch of 100 (per user)", sync(users, FIRST_TOTAL + STEP), BATCH);
await gasOf("sync: burn, batch of 100 (per user)", sync(users, FIRST_TOTAL), BATCH);
await gasOf("sync: unchanged total, batch of 100 (per user)", sync(users, FIRST_TOTAL), BATCH);
await gasOf(
  "sync: steady-state mint, one user alone (2-of-3, fee on)",
  sync([users[0]!], FIRST_TOTAL + STEP),
);
await gasOf("sync: burn, one user alone (2-of-3)", sync([users[0]!], FIRST_TOTAL));
await (await oracle.setBalanceHook(hook)).wait();
await commitRound("ProofOfReserves.commitRound: 100 bindings, 2-of-3");

process.stderr.write("gas snapshot: wrBTC\n");
const [u0, u1, u2] = await Promise.all(users.slice(0, 3).map(signerOf));
await at(12);
await gasOf("wrap: the first after deployment (reserves gate)", wrbtc.connect(u0).wrap(50_000n));
await at(12);
await gasOf("wrap: a holder's first (reserves gate)", wrbtc.connect(u1).wrap(50_000n));
await at(12);
await gasOf("wrap: repeat (reserves gate)", wrbtc.connect(u1).wrap(10_000n));
await at(12);
await gasOf("redeem", wrbtc.connect(u1).redeem(10_000n));
await at(12);
await gasOf("wrBTC transfer", wrbtc.connect(u0).transfer(users[5]!, 1_000n));

process.stderr.write("gas snapshot: fees, bindings, yield\n");
await at(12);
await gasOf(
  "FeeVault.depositETH: a repeat deposit",
  feeVault.depositETH(users[0]!, { value: parseEther("0.01") }),
);
await at(12);
await gasOf("FeeVault.withdraw", feeVault.connect(u2).withdraw(parseEther("0.01")));
await at(12);
await gasOf("YieldScalesPool.join", yieldPool.connect(u1).join());
await at(12);
await (await wrbtc.connect(u1).approve(await yieldPool.getAddress(), 40_000n)).wait();
await at(12);
await gasOf("YieldScalesPool.stakeWrBTC", yieldPool.connect(u1).stakeWrBTC(40_000n));
await at(86_400);
await gasOf("YieldScalesPool.claim: after a day", yieldPool.connect(u1).claim());
const [u9] = await Promise.all([signerOf(users[9]!)]);
await at(12);
await gasOf("unbindAddress", oracle.connect(u9).unbindAddress(btcAddressOf(9)));

process.stderr.write("gas snapshot: disputes, queued mint, emergency burns\n");
await (await sync([users[10]!, users[11]!, users[12]!], FIRST_TOTAL)).wait();
await at(12);
await gasOf(
  "DisputeManager.openDispute",
  disputeManager
    .connect(challenger)
    .openDispute(users[10]!, 1n, "", { value: RESERVE_BTC_DEFAULTS.minBondWei }),
);
await at(12);
await gasOf(
  "DisputeManager.resolveDispute: upheld, lowering",
  disputeManager.resolveDispute(1n, true, 500_000n),
);
await at(12);
await (
  await disputeManager
    .connect(challenger)
    .openDispute(users[11]!, 1n, "", { value: RESERVE_BTC_DEFAULTS.minBondWei })
).wait();
await at(RESERVE_BTC_DEFAULTS.resolutionDeadlineSeconds + 1);
await gasOf("DisputeManager.expireDispute", disputeManager.expireDispute(2n));
const overCap = FIRST_TOTAL + RESERVE_BTC_DEFAULTS.userMintCapSats + 1_000n;
await (await sync([users[12]!], overCap)).wait();
await at(RESERVE_BTC_DEFAULTS.mintDelaySeconds + 1);
await gasOf("executeQueuedMint", oracle.executeQueuedMint(users[12]!));
const revocation = {
  user: users[13]!,
  btcAddress: btcAddressOf(13),
  nonce: await oracle.bindingNonce(users[13]!),
  deadline: BigInt(await time.latest()) + 600n,
};
const revocationSignatures = await signRevocation(oracle, revocation, operators);
await at(12);
await gasOf("revokeBinding (burns the position)", oracle.revokeBinding(revocation, revocationSignatures));
const u14 = await signerOf(users[14]!);
await at(12);
await (await feeVault.connect(u14).withdraw(await feeVault.balanceOf(users[14]!))).wait();
await (await sync([users[14]!], FIRST_TOTAL * 2n)).wait();
await at(RESERVE_BTC_DEFAULTS.feeGracePeriodSeconds + 1);
await (await sync([users[14]!], FIRST_TOTAL * 2n)).wait();
await at(12);
await gasOf("emergencyBurnFeeExhausted", oracle.emergencyBurnFeeExhausted(users[14]!));

const measured: GasSnapshot = { unit: "gas (receipt.gasUsed)", figures };
const expectedBacked = await rbtc.totalBackedOf(users[20]!);
if (expectedBacked !== FIRST_TOTAL) throw new Error(`unexpected backed total ${expectedBacked}`);

if (process.env.GAS_SNAPSHOT === "write") {
  await writeFile(GAS_SNAPSHOT_PATH, `${JSON.stringify(measured, null, 2)}\n`);
  await renderGasDocs(measured);
  console.log(`wrote ${GAS_SNAPSHOT_PATH} (${Object.keys(figures).length} figures) and docs/gas.md`);
} else {
  const committed = JSON.parse(await readFile(GAS_SNAPSHOT_PATH, "utf8")) as GasSnapshot;
  const { table, regressions, missing } = compareSnapshot(committed, measured);
  console.table(table);
  if ((await renderedGasDocs(committed)) !== (await readFile(GAS_DOCS_PATH, "utf8"))) {
    missing.push(`${GAS_DOCS_PATH} is not rendered from ${GAS_SNAPSHOT_PATH}: run npm run gas:snapshot`);
  }
  if (missing.length > 0 || regressions.length > 0) {
    for (const line of [...missing, ...regressions]) console.error(line);
    console.error(
      "gas check failed: update the snapshot in the same commit (npm run gas:snapshot) if intended",
    );
    process.exitCode = 1;
  } else {
    console.log(`gas check: ${Object.keys(figures).length} figures within 1% of ${GAS_SNAPSHOT_PATH}`);
  }
}
