/**
 * A round over 240 bound users on the in-process network and an in-process devnet: afterwards every user's rBTC
 * equals their devnet balance at ≥ minConfirmations — including users whose newest BTC is not yet confirmed deep
 * enough, and users who spent part of it.
 */
import { expect } from "chai";
import { network } from "hardhat";

import { startDevnet } from "../../../src/bitcoin/devnet/server.js";
import type { RunningDevnet } from "../../../src/bitcoin/devnet/server.js";
import { DevnetWallet } from "../../../src/bitcoin/devnet/wallet.js";
import { EsploraClient } from "../../../src/bitcoin/esplora.js";
import { deploySystem } from "../../../src/deployments.js";
import { LocalCommittee } from "../../../src/oracle/committee.js";
import { runSyncRound } from "../../../src/oracle/round.js";
import { committeeWallets } from "../../../src/oracle/signing.js";
import { bindUsers, fundUsers, syntheticUsers } from "../../helpers/oracle-population.js";

const USERS = 240;
const MIN_CONFIRMATIONS = 3;

const connection = await network.create();

describe("oracle round over many users (in-process network + devnet)", function () {
  this.timeout(300_000);
  let devnet: RunningDevnet;

  before(async function () {
    devnet = await startDevnet({ port: 0 });
  });

  after(async function () {
    await devnet?.close();
  });

  it(`keeps every one of ${USERS} users' rBTC equal to their BTC at ≥ minConfirmations`, async function () {
    const system = await deploySystem(connection, { minConfirmations: MIN_CONFIRMATIONS });
    const wallets = committeeWallets(3);
    const committee = new LocalCommittee(wallets, 2);
    const users = syntheticUsers(USERS, "multi-user");
    await bindUsers(system, connection.ethers.provider, wallets.slice(0, 2), users, { feeEth: "0.01" });
    expect(await system.oracle.usersLength()).to.equal(BigInt(USERS));

    const chain = devnet.chain;
    fundUsers(chain, users, (i) => BigInt(10_000 + i * 137));
    chain.mine(MIN_CONFIRMATIONS);
    // A quarter of the users spend some BTC; then every third user receives more, one confirmation short.
    const outside = new DevnetWallet("outside").address("p2wpkh").address;
    users.forEach((u, i) => {
      if (i % 4 === 1) chain.spend(u.btcAddress, outside, 3_000n);
    });
    chain.mine(1);
    fundUsers(chain, users, (i) => (i % 3 === 0 ? 5_000n : 0n));
    chain.mine(MIN_CONFIRMATIONS - 1);

    const esplora = new EsploraClient({ baseUrl: devnet.url, network: "regtest" });
    const sign = committee.batchSigner(system.oracle);
    // Four scan chunks: each chunk's reports are submitted while the next one is scanned.
    const first = await runSyncRound(system.oracle, system.rbtc, esplora, sign, {
      batchSize: 100,
      scanChunkUsers: USERS / 4,
    });
    expect(first.usersChecked).to.equal(USERS);
    expect(first.skipped).to.deep.equal([]);
    expect(first.deferred).to.deep.equal([]);
    expect(first.changed + first.unchanged).to.equal(USERS);
    expect(first.batches.length).to.be.greaterThanOrEqual(2);

    const balances = await Promise.all(users.map((u) => system.rbtc.freeBalanceOf(u.user)));
    const mismatches = users.filter((u, i) => balances[i] !== chain.balance(u.btcAddress, MIN_CONFIRMATIONS));
    expect(mismatches).to.deep.equal([]);
    // The deposits one confirmation short were not counted (user 0); spends were (user 1)…
    expect(balances[0]).to.equal(10_000n);
    expect(balances[1]).to.equal(10_137n - 3_000n);
    // …and the deposits count once they are deep enough.
    chain.mine(1);
    const second = await runSyncRound(system.oracle, system.rbtc, esplora, sign);
    expect(second.changed).to.equal(USERS / 3);
    expect(await system.rbtc.freeBalanceOf(users[0]?.user ?? "")).to.equal(15_000n);
    for (const [i, u] of users.entries()) {
      expect(await system.rbtc.freeBalanceOf(u.user), `user ${i}`).to.equal(
        chain.balance(u.btcAddress, MIN_CONFIRMATIONS),
      );
    }
  });
});
