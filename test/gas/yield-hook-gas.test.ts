import { expect } from "chai";
import { ZeroAddress, dataSlice, getAddress, keccak256, toUtf8Bytes } from "ethers";
import { network } from "hardhat";

import { deploySystemWithYield } from "../../src/deployments.js";
import type { Report } from "../../src/oracle/signing.js";
import { committeeWallets, signBinding, signSyncBatch } from "../../src/oracle/signing.js";
import { ORACLE_TEST_PARAMETERS, blockHash, proofDigest } from "../helpers/oracle.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const { time } = networkHelpers;
const loadFixture = networkHelpers.loadFixture.bind(networkHelpers);

/** Users in the batch (the measurement point). */
const BATCH = 100;
/** Issue 6's goal: the sync hook adds ≤ 10,000 gas per participant to a batched sync. */
const HOOK_GOAL_PER_USER = 10_000n;
const FIRST_TOTAL = 1_000_000n;
const STEP = 10_000n;
/** Time between the joins and the measured sync (a sync round every ten minutes): the first hook call accrues. */
const ROUND_SECONDS = 600;

/** The system with the pool as balance hook; BATCH bound users with 1,000,000 sats each and a funded fee vault. */
async function holdersFixture() {
  const [admin, submitter] = await ethers.getSigners();
  if (!admin || !submitter) throw new Error("signers");
  const system = await deploySystemWithYield(connection, {
    ...ORACLE_TEST_PARAMETERS,
    userMintCapSats: 2_100_000_000_000_000n,
    globalMintCapSats: 2_100_000_000_000_000n,
    treasury: admin.address,
  });
  const operators = committeeWallets(3).slice(0, 2);
  // Deterministic user addresses, so the calldata (and the gas) is the same on every run.
  const users = Array.from({ length: BATCH }, (_, i) =>
    getAddress(dataSlice(keccak256(toUtf8Bytes(`hook-gas-user-${i}`)), 12)),
  );
  const now = async () => BigInt(await time.latest());
  for (const [i, user] of users.entries()) {
    const request = {
      user,
      btcAddress: `bc1qhookgasuser${i}`,
      proofDigest: proofDigest(`${i}`),
      nonce: 0n,
      deadline: (await now()) + 3_000n,
    };
    await system.oracle
      .connect(submitter)
      .bindAddress(request, await signBinding(system.oracle, request, operators));
    await system.feeVault.depositETH(user, { value: 10n ** 17n });
  }
  /** One committee-signed batch setting every user to `total` (sequence and height follow the chain); its gas. */
  const syncAll = async (total: bigint): Promise<bigint> => {
    const height = (await system.oracle.highestBtcHeight()) + 1n;
    const sequence = (await system.oracle.userState(users[0] ?? ZeroAddress)).sequence + 1n;
    const reports: Report[] = users.map((user) => ({
      user,
      newTotalSats: total,
      btcHeight: height < 101n ? 101n : height,
      btcBlockHash: blockHash(height < 101n ? 101n : height),
      sequence,
    }));
    const deadline = (await now()) + 600n;
    const signatures = await signSyncBatch(system.oracle, reports, deadline, operators);
    const receipt = await (await system.oracle.connect(submitter).sync(reports, deadline, signatures)).wait();
    if (receipt === null) throw new Error("no receipt");
    return receipt.gasUsed;
  };
  await syncAll(FIRST_TOTAL);
  return { ...system, admin, users, syncAll };
}

/** Every user joined the pool. */
async function joinedFixture() {
  const s = await holdersFixture();
  for (const user of s.users) {
    await networkHelpers.setBalance(user, 10n ** 18n);
    const signer = await ethers.getImpersonatedSigner(user);
    await s.yieldPool.connect(signer).join();
  }
  return s;
}

type System = Awaited<ReturnType<typeof joinedFixture>>;

/** Gas of a steady-state mint and burn round of all users, ROUND_SECONDS after `fixture` (optionally prepared). */
async function roundGas(fixture: () => Promise<System>, prepare?: (s: System) => Promise<unknown>) {
  const s = await loadFixture(fixture);
  if (prepare) await prepare(s);
  await time.increase(ROUND_SECONDS);
  const mint = await s.syncAll(FIRST_TOTAL + STEP);
  await time.increase(ROUND_SECONDS);
  const burn = await s.syncAll(FIRST_TOTAL);
  for (const user of s.users) expect(await s.rbtc.totalBackedOf(user)).to.equal(FIRST_TOTAL);
  return { mint, burn, s };
}

describe(`gas: the YieldScalesPool balance hook in a sync of ${BATCH}`, function () {
  it(`adds ≤ ${HOOK_GOAL_PER_USER} gas per participant (steady-state mint and burn)`, async function () {
    const without = await roundGas(joinedFixture, (s) =>
      s.oracle.connect(s.admin).setBalanceHook(ZeroAddress),
    );
    const joined = await roundGas(joinedFixture);
    const strangers = await roundGas(holdersFixture);
    const n = BigInt(BATCH);
    const rows = {
      "mint, all joined": (joined.mint - without.mint) / n,
      "burn, all joined": (joined.burn - without.burn) / n,
      "mint, none joined": (strangers.mint - without.mint) / n,
      "burn, none joined": (strangers.burn - without.burn) / n,
    };
    console.log(`\n    sync of ${BATCH} without hook: mint ${without.mint}, burn ${without.burn}`);
    console.table(Object.entries(rows).map(([c, gas]) => ({ case: c, addedGasPerUser: Number(gas) })));
    // The hook really tracked every participant.
    const [first] = joined.s.users;
    expect((await joined.s.yieldPool.userStatus(first!)).backedSats).to.equal(FIRST_TOTAL);
    expect((await joined.s.yieldPool.poolStatus()).holders).to.equal(n);
    expect(rows["mint, all joined"]).to.be.at.most(HOOK_GOAL_PER_USER);
    expect(rows["burn, all joined"]).to.be.at.most(HOOK_GOAL_PER_USER);
    expect(rows["mint, none joined"]).to.be.lessThan(rows["mint, all joined"]);
  });
});
