// Integration: the in-process EVM network + an in-process Bitcoin devnet (Esplora on 127.0.0.1, free port), the real
// runner round (runSyncRound, committing the reserve round) and the independent audit (checkReserves).
import { expect } from "chai";
import { network } from "hardhat";

import type { RunningDevnet } from "../../src/bitcoin/devnet/server.js";
import { startDevnet } from "../../src/bitcoin/devnet/server.js";
import { DevnetWallet } from "../../src/bitcoin/devnet/wallet.js";
import { EsploraClient } from "../../src/bitcoin/esplora.js";
import { LocalCommittee } from "../../src/oracle/committee.js";
import { runSyncRound } from "../../src/oracle/round.js";
import { committeeWallets } from "../../src/oracle/signing.js";
import { checkReserves, describeDiscrepancies, reserveExitCode } from "../../src/reserves/check.js";
import { proveUser } from "../../src/reserves/proof.js";
import { bindAndFundAliceAndBob, deployOracleSystem } from "../helpers/oracle.js";

const connection = await network.create();
const ONE_ETH = 10n ** 18n;
const MIN_BOND = 10n ** 16n;
const CONFIRMATIONS = 3; // ORACLE_TEST_PARAMETERS.minConfirmations

describe("integration: reserves, emergency burns and disputes against a Bitcoin devnet", function () {
  this.timeout(120_000);
  let devnet: RunningDevnet;

  beforeEach(async function () {
    devnet = await startDevnet({ port: 0 });
  });

  afterEach(async function () {
    await devnet.close();
  });

  async function setup() {
    const s = await deployOracleSystem(connection);
    const esplora = new EsploraClient({ baseUrl: devnet.url, network: "regtest" });
    const committee = new LocalCommittee(committeeWallets(3), 2);
    const sign = committee.batchSigner(s.oracle);
    const reserves = { contract: s.proofOfReserves, sign: committee.reserveSigner(s.proofOfReserves) };
    const round = () => runSyncRound(s.oracle, s.rbtc, esplora, sign, { reserves });
    const audit = () => checkReserves(s, esplora);
    const outside = new DevnetWallet("outside-int", "regtest").address("p2wpkh").address;
    const { aliceBtc, bobBtc } = await bindAndFundAliceAndBob(s, devnet.chain, "int", CONFIRMATIONS);
    const first = await round();
    expect(first.reserves).to.deep.include({ committed: true, attestedSats: 230_000n });
    return { s, esplora, round, audit, aliceBtc, bobBtc, outside };
  }

  it("reports a user whose BTC moved without a sync (exit 3) and is fully backed after the sync (exit 0)", async function () {
    const { s, round, audit, aliceBtc, outside } = await setup();
    expect(reserveExitCode(await audit())).to.equal(0);

    devnet.chain.spend(aliceBtc, outside, 100_000n);
    devnet.chain.mine(CONFIRMATIONS);
    const before = await audit();
    expect(reserveExitCode(before)).to.equal(3);
    expect(before.discrepancies.map((u) => [u.user, u.status, u.deficitSats])).to.deep.equal([
      [s.alice.address, "deficit", 100_000n],
    ]);
    expect(describeDiscrepancies(before.discrepancies)).to.equal(
      "1 user with rBTC above their BTC (deficit)",
    );
    expect(before.proofOfReserves.rootMatches).to.equal(false);

    const summary = await round();
    expect(summary.burnedSats).to.equal(100_000n);
    expect(summary.emergencyBurns).to.equal(0);
    const after = await audit();
    expect(reserveExitCode(after)).to.equal(0);
    expect(after.proofOfReserves.rootMatches).to.equal(true);
    expect(after.discrepancies).to.deep.equal([]);
    expect(describeDiscrepancies(after.discrepancies)).to.equal("no discrepancies");
  });

  it("says what the discrepancies are in words, singular and plural", function () {
    const of = (...statuses: Array<"ok" | "deficit" | "stale">) =>
      describeDiscrepancies(statuses.map((status) => ({ status })));
    expect(of("stale")).to.equal("1 user whose attested total differs from their BTC, rBTC covered (stale)");
    expect(of("deficit", "stale", "deficit", "stale", "stale")).to.equal(
      "2 users with rBTC above their BTC (deficit); 3 users whose attested total differs from their BTC, rBTC covered (stale)",
    );
  });

  it("gives every user an inclusion proof that verifies on-chain", async function () {
    const { s, esplora } = await setup();
    const report = await proveUser(s, esplora, s.bob.address);
    expect(report.rootMatches).to.equal(true);
    expect(report.proofs.map((p) => [p.sats, p.verifiedOnChain])).to.deep.equal([[80_000n, true]]);
  });

  it("burns BACKING_LOST when a wrapped holder whose wrBTC moved away spends BTC; the deficit stays visible", async function () {
    const { s, round, audit, aliceBtc, outside } = await setup();
    await s.wrbtc.connect(s.alice).wrap(50_000n);
    await s.wrbtc.connect(s.alice).transfer(s.bob.address, 50_000n);
    devnet.chain.spend(aliceBtc, outside, 140_000n);
    devnet.chain.mine(CONFIRMATIONS);

    const summary = await round();
    expect(summary.emergencyBurns).to.equal(1);
    expect(await s.oracle.emergencyBurnCount()).to.equal(1n);
    expect(await s.wrbtc.uncoveredSats()).to.equal(40_000n);
    expect(await s.rbtc.totalBackedOf(s.alice.address)).to.equal(10_000n);

    const report = await audit();
    expect(reserveExitCode(report)).to.equal(3);
    expect(report.totals.uncoveredSats).to.equal(40_000n);
    expect(report.discrepancies.map((u) => [u.user, u.uncoveredSats])).to.deep.equal([
      [s.alice.address, 40_000n],
    ]);
    const [, answer] = await s.proofOfReserves.latestRoundData();
    expect(answer).to.equal(90_000n);
    expect(await s.proofOfReserves.uncoveredSats()).to.equal(40_000n);
    expect(await s.proofOfReserves.isFullyBacked()).to.equal(false);
    await expect(s.wrbtc.connect(s.bob).wrap(1n)).to.be.revertedWithCustomError(
      s.wrbtc,
      "WrBTCNotFullyBacked",
    );
  });

  it("a dispute never delays the runner's burn; the upheld dispute then changes nothing; a griefer's bond is lost", async function () {
    const { s, round, audit, aliceBtc, outside } = await setup();
    // A watcher sees alice's BTC leave before the runner does and disputes her balance.
    devnet.chain.spend(aliceBtc, outside, 60_000n);
    devnet.chain.mine(CONFIRMATIONS);
    await s.disputeManager
      .connect(s.carol)
      .openDispute(s.alice.address, 90_000n, "btc tx", { value: MIN_BOND });
    // A griefer disputes bob's correct balance.
    await s.disputeManager.connect(s.stranger).openDispute(s.bob.address, 1n, "", { value: MIN_BOND });

    // Frozen or not, the drop applies: nothing a dispute does may delay a burn of rBTC whose BTC is gone.
    const frozen = await round();
    expect(frozen.burnedSats).to.equal(60_000n);
    expect(await s.rbtc.totalBackedOf(s.alice.address)).to.equal(90_000n);
    expect(await s.oracle.isSyncFrozen(s.alice.address)).to.equal(true);

    await s.disputeManager.fundRewards({ value: ONE_ETH });
    await expect(s.disputeManager.resolveDispute(1n, true, 90_000n)).to.changeEtherBalances(
      connection.ethers,
      [s.carol],
      [MIN_BOND + (await s.disputeManager.rewardWei())],
    );
    expect(await s.rbtc.totalBackedOf(s.alice.address)).to.equal(90_000n);
    await expect(s.disputeManager.resolveDispute(2n, false, 0n)).to.changeEtherBalances(
      connection.ethers,
      [s.treasury, s.stranger],
      [MIN_BOND, 0n],
    );

    await round();
    expect(reserveExitCode(await audit())).to.equal(0);
  });
});
