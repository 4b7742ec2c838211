import { anyValue } from "@nomicfoundation/hardhat-ethers-chai-matchers/withArgs";
import { expect } from "chai";
import { TypedDataEncoder, Wallet, ZeroAddress, encodeBytes32String, keccak256, toUtf8Bytes } from "ethers";
import { network } from "hardhat";

import type { Report } from "../../src/oracle/signing.js";
import {
  BINDING_TYPES,
  SYNC_BATCH_TYPES,
  oracleDomain,
  signBinding,
  signBindingWithDomain,
  signSyncBatch,
  signSyncBatchWithDomain,
} from "../../src/oracle/signing.js";
import { ADMIN_TRANSFER_DELAY, DEFAULT_ADMIN_ROLE, MAX_BTC_SATS } from "../helpers/ledger.js";
import {
  CONFIG_ROLE,
  ORACLE_GUARDIAN_ROLE,
  ORACLE_TEST_PARAMETERS as P,
  blockHash,
  deployOracleSystem,
  proofDigest,
} from "../helpers/oracle.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const loadFixture = networkHelpers.loadFixture.bind(networkHelpers);

const ALICE_BTC = "bc1qalice0000000000000000000000000000000000";
/** IOracle.SkipReason and IOracle.ConsumeCause codes. */
const SKIP_UNBOUND = 1;
const SKIP_PAUSED = 2;
const SKIP_STALE_SEQUENCE = 3;
const CONSUME_UNBIND = 0;
const BOB_BTC = "bc1qbob00000000000000000000000000000000000000";
const CAROL_BTC = "tb1pcarol000000000000000000000000000000000000000000000000000";
const ONE_ETH = 10n ** 18n;

async function deployedFixture() {
  return deployOracleSystem(connection);
}

/** alice, bob and carol each have one bound address; alice and bob prepaid 1 ETH of fees, carol nothing. */
async function boundFixture() {
  const s = await deployOracleSystem(connection);
  await s.bind(s.alice.address, ALICE_BTC);
  await s.bind(s.bob.address, BOB_BTC);
  await s.bind(s.carol.address, CAROL_BTC);
  await s.feeVault.depositETH(s.alice.address, { value: ONE_ETH });
  await s.feeVault.depositETH(s.bob.address, { value: ONE_ETH });
  return s;
}

/** alice holds 500,000 free rBTC (attested at height 101). */
async function mintedFixture() {
  const s = await boundFixture();
  await s.sync([await s.nextReport(s.alice.address, 500_000n)]);
  return s;
}

/** alice attested 1,500,000 sats: 1,000,000 minted (the user cap), 500,000 queued. */
async function queuedFixture() {
  const s = await boundFixture();
  await s.sync([await s.nextReport(s.alice.address, 1_500_000n)]);
  return s;
}

async function oracleConfig(overrides: Record<string, unknown> = {}) {
  const signers = await ethers.getSigners();
  return {
    operators: signers.slice(1, 4).map((a) => a.address),
    threshold: 2,
    minConfirmations: 3,
    mintWindowSeconds: 86_400,
    userMintCapSats: 1_000_000n,
    globalMintCapSats: 2_500_000n,
    mintDelaySeconds: 3_600,
    maxReportValiditySeconds: 3_600,
    maxBtcHeightLag: 6,
    ...overrides,
  };
}

/** Deploys a bare Oracle (constructor tests) against the fixture's token addresses. */
async function deployBare(overrides: Record<string, unknown> = {}, addresses?: string[]) {
  const s = await loadFixture(deployedFixture);
  const libraries = {
    BindingRegistry: await (await ethers.deployContract("BindingRegistry")).getAddress(),
    PositionResets: await (await ethers.deployContract("PositionResets")).getAddress(),
  };
  const factory = await ethers.getContractFactory("Oracle", { libraries });
  const args = addresses ?? [
    s.admin.address,
    await s.rbtc.getAddress(),
    await s.wrbtc.getAddress(),
    await s.feeVault.getAddress(),
    await s.feePolicy.getAddress(),
  ];
  return { factory, args, config: await oracleConfig(overrides), s };
}

function bytes32(name: string): string {
  return encodeBytes32String(name);
}

function addressHash(btcAddress: string): string {
  return keccak256(toUtf8Bytes(btcAddress));
}

describe("Oracle", function () {
  /*//////////////////////////////////////////////////////////////
                              DEPLOYMENT
  //////////////////////////////////////////////////////////////*/

  describe("deployment (Ignition module)", function () {
    it("points at the wired token contracts and they point back", async function () {
      const s = await loadFixture(deployedFixture);
      const oracle = await s.oracle.getAddress();
      expect(await s.oracle.rbtc()).to.equal(await s.rbtc.getAddress());
      expect(await s.oracle.wrbtc()).to.equal(await s.wrbtc.getAddress());
      expect(await s.oracle.feeVault()).to.equal(await s.feeVault.getAddress());
      expect(await s.oracle.feePolicy()).to.equal(await s.feePolicy.getAddress());
      expect(await s.rbtc.oracle()).to.equal(oracle);
      expect(await s.rbtc.vault()).to.equal(await s.wrbtc.getAddress());
      expect(await s.wrbtc.oracle()).to.equal(oracle);
      expect(await s.feeVault.oracle()).to.equal(oracle);
    });

    it("has the committee of accounts 1..3 with threshold 2 in epoch 1", async function () {
      const s = await loadFixture(deployedFixture);
      const [operators, threshold, epoch] = await s.oracle.committee();
      expect(operators).to.deep.equal(s.operatorAccounts.map((a) => a.address));
      expect(operators).to.deep.equal(s.operators.map((w) => w.address));
      expect(threshold).to.equal(2n);
      expect(epoch).to.equal(1n);
      for (const op of s.operatorAccounts) expect(await s.oracle.isOperator(op.address)).to.equal(true);
      expect(await s.oracle.isOperator(s.stranger.address)).to.equal(false);
      expect(await s.oracle.isOperator(ZeroAddress)).to.equal(false);
    });

    it("stores the caps, staleness bounds and confirmation depth", async function () {
      const s = await loadFixture(deployedFixture);
      expect(await s.oracle.mintCaps()).to.deep.equal([
        BigInt(P.mintWindowSeconds),
        P.userMintCapSats,
        P.globalMintCapSats,
        BigInt(P.mintDelaySeconds),
      ]);
      expect(await s.oracle.staleness()).to.deep.equal([
        BigInt(P.maxReportValiditySeconds),
        BigInt(P.maxBtcHeightLag),
      ]);
      expect(await s.oracle.minConfirmations()).to.equal(BigInt(P.minConfirmations));
      expect(await s.oracle.globalMintedInWindow()).to.equal(0n);
      expect(await s.oracle.highestBtcHeight()).to.equal(0n);
    });

    it("grants the deployer every role with a one-day admin handover delay", async function () {
      const s = await loadFixture(deployedFixture);
      expect(await s.oracle.CONFIG_ROLE()).to.equal(CONFIG_ROLE);
      expect(await s.oracle.GUARDIAN_ROLE()).to.equal(ORACLE_GUARDIAN_ROLE);
      expect(await s.oracle.hasRole(CONFIG_ROLE, s.admin.address)).to.equal(true);
      expect(await s.oracle.hasRole(ORACLE_GUARDIAN_ROLE, s.admin.address)).to.equal(true);
      expect(await s.oracle.hasRole(DEFAULT_ADMIN_ROLE, s.admin.address)).to.equal(true);
      expect(await s.oracle.defaultAdmin()).to.equal(s.admin.address);
      expect(await s.oracle.defaultAdminDelay()).to.equal(ADMIN_TRANSFER_DELAY);
    });

    it("uses the EIP-712 domain ('ReserveBTC Oracle', '1', chain id, its address)", async function () {
      const s = await loadFixture(deployedFixture);
      const domain = await s.oracle.eip712Domain();
      expect(domain.name).to.equal("ReserveBTC Oracle");
      expect(domain.version).to.equal("1");
      expect(domain.chainId).to.equal(31337n);
      expect(domain.verifyingContract).to.equal(await s.oracle.getAddress());
    });
  });

  describe("constructor", function () {
    it("emits the configuration events", async function () {
      const { factory, args, config } = await deployBare();
      const oracle = await factory.deploy(...(args as [string, string, string, string, string]), config);
      const tx = oracle.deploymentTransaction();
      await expect(tx).to.emit(oracle, "CommitteeUpdated").withArgs(1n, config.operators, 2);
      await expect(tx).to.emit(oracle, "MintCapsUpdated").withArgs(86_400, 1_000_000n, 2_500_000n, 3_600);
      await expect(tx).to.emit(oracle, "StalenessUpdated").withArgs(3_600, 6);
      await expect(tx).to.emit(oracle, "MinConfirmationsUpdated").withArgs(3);
    });

    it("reverts on a zero contract address", async function () {
      const { factory, args, config } = await deployBare();
      for (let i = 1; i <= 4; i++) {
        const bad = [...args];
        bad[i] = ZeroAddress;
        await expect(
          factory.deploy(...(bad as [string, string, string, string, string]), config),
        ).to.be.revertedWithCustomError(factory, "OracleZeroAddress");
      }
    });

    it("reverts on a zero admin", async function () {
      const { factory, args, config } = await deployBare();
      const bad = [ZeroAddress, ...args.slice(1)] as [string, string, string, string, string];
      await expect(factory.deploy(...bad, config))
        .to.be.revertedWithCustomError(factory, "AccessControlInvalidDefaultAdmin")
        .withArgs(ZeroAddress);
    });

    it("validates the committee like setCommittee", async function () {
      const { factory, args } = await deployBare();
      const a = args as [string, string, string, string, string];
      await expect(factory.deploy(...a, await oracleConfig({ threshold: 0 })))
        .to.be.revertedWithCustomError(factory, "OracleInvalidThreshold")
        .withArgs(0, 3);
      await expect(factory.deploy(...a, await oracleConfig({ threshold: 4 })))
        .to.be.revertedWithCustomError(factory, "OracleInvalidThreshold")
        .withArgs(4, 3);
      await expect(factory.deploy(...a, await oracleConfig({ operators: [], threshold: 1 })))
        .to.be.revertedWithCustomError(factory, "OracleInvalidThreshold")
        .withArgs(1, 0);
    });

    it("validates the caps, staleness and confirmations like the setters", async function () {
      const { factory, args } = await deployBare();
      const a = args as [string, string, string, string, string];
      const cases: [Record<string, unknown>, string][] = [
        [{ mintWindowSeconds: 0 }, "mintWindowSeconds"],
        [{ userMintCapSats: 0n }, "userMintCapSats"],
        [{ globalMintCapSats: 0n }, "globalMintCapSats"],
        [{ maxReportValiditySeconds: 0 }, "maxReportValiditySeconds"],
        [{ minConfirmations: 0 }, "minConfirmations"],
      ];
      for (const [override, name] of cases) {
        await expect(factory.deploy(...a, await oracleConfig(override)))
          .to.be.revertedWithCustomError(factory, "OracleInvalidParameter")
          .withArgs(bytes32(name));
      }
    });
  });

  /*//////////////////////////////////////////////////////////////
                                 SYNC
  //////////////////////////////////////////////////////////////*/

  describe("sync", function () {
    context("when the total rises and FeeVault pays", function () {
      it("charges the quoted fee, mints and emits Synced", async function () {
        const s = await loadFixture(boundFixture);
        const report = await s.nextReport(s.alice.address, 500_000n);
        const fee = await s.feePolicy.quote(500_000n);
        expect(fee).to.be.greaterThan(0n);
        const tx = s.sync([report]);
        await expect(tx)
          .to.emit(s.oracle, "Synced")
          .withArgs(s.alice.address, 0n, 500_000n, report.btcHeight, report.btcBlockHash, 1n);
        await expect(tx).to.emit(s.feeVault, "FeeSpent").withArgs(s.alice.address, fee);
        await expect(tx).to.emit(s.rbtc, "Minted").withArgs(s.alice.address, 500_000n);
        await expect(tx).not.to.emit(s.oracle, "NeedsTopUp");
        await expect(tx).not.to.emit(s.oracle, "MintQueued");
        expect(await s.rbtc.freeBalanceOf(s.alice.address)).to.equal(500_000n);
        expect(await s.feeVault.balanceOf(s.alice.address)).to.equal(ONE_ETH - fee);
        expect(await s.feeVault.accruedFeesWei()).to.equal(fee);
      });

      it("records the user's state, the highest height and the anchor", async function () {
        const s = await loadFixture(boundFixture);
        const report = await s.nextReport(s.alice.address, 500_000n);
        await s.sync([report]);
        const state = await s.oracle.userState(s.alice.address);
        expect(state.attestedSats).to.equal(500_000n);
        expect(state.sequence).to.equal(1n);
        expect(state.btcHeight).to.equal(report.btcHeight);
        expect(state.lastSyncAt).to.equal(await s.now());
        expect(state.bindingCount).to.equal(1n);
        expect(state.deferredSats).to.equal(0n);
        expect(state.queuedSats).to.equal(0n);
        expect(state.queuedReadyAt).to.equal(0n);
        expect(await s.oracle.highestBtcHeight()).to.equal(report.btcHeight);
        expect(await s.oracle.btcAnchor(report.btcHeight)).to.equal(report.btcBlockHash);
        expect(await s.oracle.globalMintedInWindow()).to.equal(500_000n);
      });

      it("applies a batch of several users and consecutive reports of one user", async function () {
        const s = await loadFixture(boundFixture);
        const a1 = await s.nextReport(s.alice.address, 100_000n);
        const b1 = await s.nextReport(s.bob.address, 200_000n);
        const a2 = { ...a1, newTotalSats: 300_000n, sequence: 2n };
        await expect(s.sync([a1, b1, a2]))
          .to.emit(s.oracle, "Synced")
          .withArgs(s.alice.address, 100_000n, 300_000n, a2.btcHeight, a2.btcBlockHash, 2n);
        expect(await s.rbtc.totalBackedOf(s.alice.address)).to.equal(300_000n);
        expect(await s.rbtc.totalBackedOf(s.bob.address)).to.equal(200_000n);
        const states = await s.oracle.userStates([s.alice.address, s.bob.address]);
        expect(states.map((x) => x.sequence)).to.deep.equal([2n, 1n]);
        expect(states.map((x) => x.attestedSats)).to.deep.equal([300_000n, 200_000n]);
      });

      it("accepts more valid signatures than the threshold", async function () {
        const s = await loadFixture(boundFixture);
        const report = await s.nextReport(s.alice.address, 1_000n);
        await expect(s.sync([report], s.operators)).to.emit(s.oracle, "Synced");
      });

      it("skips FeeVault when the fee is zero", async function () {
        const s = await loadFixture(boundFixture);
        await s.feePolicy.setParameters(0, 0, 0, 1);
        const report = await s.nextReport(s.carol.address, 70_000n);
        const tx = s.sync([report]);
        await expect(tx).to.emit(s.rbtc, "Minted").withArgs(s.carol.address, 70_000n);
        await expect(tx).not.to.emit(s.feeVault, "FeeSpent");
        await expect(tx).not.to.emit(s.oracle, "NeedsTopUp");
      });
    });

    context("when the total rises and FeeVault cannot pay", function () {
      it("defers the mint with NeedsTopUp and still consumes the report", async function () {
        const s = await loadFixture(boundFixture);
        const report = await s.nextReport(s.carol.address, 80_000n);
        const fee = await s.feePolicy.quote(80_000n);
        const tx = s.sync([report]);
        await expect(tx).to.emit(s.oracle, "NeedsTopUp").withArgs(s.carol.address, 80_000n, fee, 0n);
        await expect(tx)
          .to.emit(s.oracle, "Synced")
          .withArgs(s.carol.address, 0n, 0n, report.btcHeight, report.btcBlockHash, 1n);
        await expect(tx).not.to.emit(s.rbtc, "Minted");
        const state = await s.oracle.userState(s.carol.address);
        expect(state.attestedSats).to.equal(0n);
        expect(state.deferredSats).to.equal(80_000n);
        expect(state.sequence).to.equal(1n);
        expect(state.btcHeight).to.equal(report.btcHeight);
        expect(await s.rbtc.totalBackedOf(s.carol.address)).to.equal(0n);
      });

      it("reports the partial balance in NeedsTopUp when it is short", async function () {
        const s = await loadFixture(boundFixture);
        await s.feeVault.depositETH(s.carol.address, { value: 1n });
        const report = await s.nextReport(s.carol.address, 80_000n);
        const fee = await s.feePolicy.quote(80_000n);
        await expect(s.sync([report]))
          .to.emit(s.oracle, "NeedsTopUp")
          .withArgs(s.carol.address, 80_000n, fee, 1n);
      });

      it("mints once the user tops up and the committee reports again", async function () {
        const s = await loadFixture(boundFixture);
        await s.sync([await s.nextReport(s.carol.address, 80_000n)]);
        await s.feeVault.connect(s.carol).depositETH(s.carol.address, { value: ONE_ETH });
        await expect(s.sync([await s.nextReport(s.carol.address, 80_000n)]))
          .to.emit(s.rbtc, "Minted")
          .withArgs(s.carol.address, 80_000n);
        const state = await s.oracle.userState(s.carol.address);
        expect(state.attestedSats).to.equal(80_000n);
        expect(state.deferredSats).to.equal(0n);
      });
    });

    context("when the total falls", function () {
      it("burns free rBTC without charging any fee, even with an empty FeeVault", async function () {
        const s = await loadFixture(mintedFixture);
        await s.feeVault.connect(s.alice).withdraw(await s.feeVault.balanceOf(s.alice.address));
        expect(await s.feeVault.balanceOf(s.alice.address)).to.equal(0n);
        const report = await s.nextReport(s.alice.address, 200_000n);
        const tx = s.sync([report]);
        await expect(tx)
          .to.emit(s.oracle, "Synced")
          .withArgs(s.alice.address, 500_000n, 200_000n, report.btcHeight, report.btcBlockHash, 2n);
        await expect(tx).to.emit(s.rbtc, "Burned").withArgs(s.alice.address, 300_000n, 0n);
        await expect(tx).not.to.emit(s.feeVault, "FeeSpent");
        await expect(tx).not.to.emit(s.wrbtc, "Slashed");
        expect(await s.rbtc.totalBackedOf(s.alice.address)).to.equal(200_000n);
        expect((await s.oracle.userState(s.alice.address)).attestedSats).to.equal(200_000n);
      });

      it("burns free first, then escrow, slashing the holder's wrBTC", async function () {
        const s = await loadFixture(mintedFixture);
        await s.commitReserves();
        await s.wrbtc.connect(s.alice).wrap(300_000n);
        const tx = s.sync([await s.nextReport(s.alice.address, 100_000n)]);
        await expect(tx).to.emit(s.rbtc, "Burned").withArgs(s.alice.address, 200_000n, 200_000n);
        await expect(tx).to.emit(s.wrbtc, "Slashed").withArgs(s.alice.address, 200_000n, 200_000n, 0n);
        expect(await s.rbtc.freeBalanceOf(s.alice.address)).to.equal(0n);
        expect(await s.rbtc.escrowOf(s.alice.address)).to.equal(100_000n);
        expect(await s.wrbtc.balanceOf(s.alice.address)).to.equal(100_000n);
      });

      it("records wrBTC the holder no longer has as uncovered", async function () {
        const s = await loadFixture(mintedFixture);
        await s.commitReserves();
        await s.wrbtc.connect(s.alice).wrap(500_000n);
        await s.wrbtc.connect(s.alice).transfer(s.bob.address, 400_000n);
        const tx = s.sync([await s.nextReport(s.alice.address, 0n)]);
        await expect(tx).to.emit(s.rbtc, "Burned").withArgs(s.alice.address, 0n, 500_000n);
        await expect(tx).to.emit(s.wrbtc, "Slashed").withArgs(s.alice.address, 500_000n, 100_000n, 400_000n);
        expect(await s.rbtc.totalBackedOf(s.alice.address)).to.equal(0n);
        expect(await s.wrbtc.uncoveredOf(s.alice.address)).to.equal(400_000n);
        expect(await s.wrbtc.balanceOf(s.bob.address)).to.equal(400_000n);
      });

      it("clears a deferred mint", async function () {
        const s = await loadFixture(boundFixture);
        await s.sync([await s.nextReport(s.carol.address, 80_000n)]);
        await s.sync([await s.nextReport(s.carol.address, 0n)]);
        expect((await s.oracle.userState(s.carol.address)).deferredSats).to.equal(0n);
      });
    });

    context("when the total is unchanged", function () {
      it("only advances the sequence and height", async function () {
        const s = await loadFixture(mintedFixture);
        const report = await s.nextReport(s.alice.address, 500_000n);
        const tx = s.sync([report]);
        await expect(tx)
          .to.emit(s.oracle, "Synced")
          .withArgs(s.alice.address, 500_000n, 500_000n, report.btcHeight, report.btcBlockHash, 2n);
        await expect(tx).not.to.emit(s.rbtc, "Minted");
        await expect(tx).not.to.emit(s.rbtc, "Burned");
        await expect(tx).not.to.emit(s.feeVault, "FeeSpent");
        const state = await s.oracle.userState(s.alice.address);
        expect(state.sequence).to.equal(2n);
        expect(state.btcHeight).to.equal(report.btcHeight);
      });

      it("accepts a zero total for a user without bindings", async function () {
        const s = await loadFixture(boundFixture);
        await expect(s.sync([await s.nextReport(s.stranger.address, 0n)])).to.emit(s.oracle, "Synced");
      });
    });

    context("anchors", function () {
      it("replaces an anchor reported with a different hash (reorg) and emits BitcoinAnchorReplaced", async function () {
        const s = await loadFixture(mintedFixture);
        const first = (await s.oracle.userState(s.alice.address)).btcHeight;
        const previous = blockHash(first);
        const report = { ...(await s.nextReport(s.bob.address, 1_000n)), btcHeight: first };
        const reorged = { ...report, btcBlockHash: blockHash(first, 1) };
        await expect(s.sync([reorged]))
          .to.emit(s.oracle, "BitcoinAnchorReplaced")
          .withArgs(first, previous, reorged.btcBlockHash);
        expect(await s.oracle.btcAnchor(first)).to.equal(reorged.btcBlockHash);
      });

      it("keeps an anchor reported again with the same hash", async function () {
        const s = await loadFixture(mintedFixture);
        const first = (await s.oracle.userState(s.alice.address)).btcHeight;
        const report = {
          ...(await s.nextReport(s.bob.address, 1_000n)),
          btcHeight: first,
          btcBlockHash: blockHash(first),
        };
        await expect(s.sync([report])).not.to.emit(s.oracle, "BitcoinAnchorReplaced");
        expect(await s.oracle.btcAnchor(first)).to.equal(blockHash(first));
      });
    });

    context("when the Oracle is paused", function () {
      it("holds rises back (ReportSkipped PAUSED, the sequence consumed) and still applies drops", async function () {
        const s = await loadFixture(mintedFixture);
        await s.bind(s.bob.address, "bc1qbobpaused");
        await s.oracle.pause();
        const rise = await s.nextReport(s.bob.address, 1_000n);
        const drop = await s.nextReport(s.alice.address, 200_000n);
        await expect(s.sync([rise, drop]))
          .to.emit(s.oracle, "ReportSkipped")
          .withArgs(s.bob.address, 1n, SKIP_PAUSED)
          .and.to.emit(s.rbtc, "Burned")
          .withArgs(s.alice.address, 300_000n, 0n);
        expect((await s.oracle.userState(s.bob.address)).sequence).to.equal(1n);
        expect(await s.rbtc.totalBackedOf(s.bob.address)).to.equal(0n);
        expect((await s.oracle.userState(s.alice.address)).attestedSats).to.equal(200_000n);
        await s.oracle.unpause();
        // The held rise can never apply later: its sequence is used.
        const deadline = (await s.now()) + 600n;
        await expect(s.oracle.sync([rise], deadline, await s.signReports([rise], deadline)))
          .to.emit(s.oracle, "ReportSkipped")
          .withArgs(s.bob.address, 1n, SKIP_STALE_SEQUENCE);
        expect(await s.rbtc.totalBackedOf(s.bob.address)).to.equal(0n);
        await expect(s.sync([await s.nextReport(s.bob.address, 1_000n)]))
          .to.emit(s.rbtc, "Minted")
          .withArgs(s.bob.address, 1_000n);
      });
    });

    context("when it is invalid", function () {
      it("reverts on an empty batch", async function () {
        const s = await loadFixture(boundFixture);
        await expect(s.sync([])).to.be.revertedWithCustomError(s.oracle, "OracleEmptyBatch");
      });

      it("reverts on an expired deadline", async function () {
        const s = await loadFixture(boundFixture);
        const report = await s.nextReport(s.alice.address, 1n);
        const deadline = (await s.now()) + 10n;
        const signatures = await s.signReports([report], deadline);
        await networkHelpers.time.setNextBlockTimestamp(deadline + 1n);
        await expect(s.oracle.sync([report], deadline, signatures))
          .to.be.revertedWithCustomError(s.oracle, "OracleReportExpired")
          .withArgs(deadline, deadline + 1n);
      });

      it("accepts a deadline equal to the block time", async function () {
        const s = await loadFixture(boundFixture);
        const report = await s.nextReport(s.alice.address, 1n);
        const deadline = (await s.now()) + 10n;
        const signatures = await s.signReports([report], deadline);
        await networkHelpers.time.setNextBlockTimestamp(deadline);
        await expect(s.oracle.sync([report], deadline, signatures)).to.emit(s.oracle, "Synced");
      });

      it("reverts on a deadline further ahead than maxReportValiditySeconds", async function () {
        const s = await loadFixture(boundFixture);
        const report = await s.nextReport(s.alice.address, 1n);
        const next = (await s.now()) + 5n;
        const deadline = next + BigInt(P.maxReportValiditySeconds) + 1n;
        const signatures = await s.signReports([report], deadline);
        await networkHelpers.time.setNextBlockTimestamp(next);
        await expect(s.oracle.sync([report], deadline, signatures))
          .to.be.revertedWithCustomError(s.oracle, "OracleDeadlineTooFar")
          .withArgs(deadline, next + BigInt(P.maxReportValiditySeconds));
      });

      it("reverts with fewer signatures than the threshold", async function () {
        const s = await loadFixture(boundFixture);
        const report = await s.nextReport(s.alice.address, 1n);
        await expect(s.sync([report], s.operators.slice(0, 1)))
          .to.be.revertedWithCustomError(s.oracle, "OracleInsufficientSignatures")
          .withArgs(1n, 2);
        await expect(s.sync([report], []))
          .to.be.revertedWithCustomError(s.oracle, "OracleInsufficientSignatures")
          .withArgs(0n, 2);
      });

      it("reverts when one operator signs twice", async function () {
        const s = await loadFixture(boundFixture);
        const report = await s.nextReport(s.alice.address, 1n);
        const deadline = (await s.now()) + 600n;
        const [sig] = await s.signReports([report], deadline, s.operators.slice(0, 1));
        await expect(s.oracle.sync([report], deadline, [sig!, sig!]))
          .to.be.revertedWithCustomError(s.oracle, "OracleDuplicateSigner")
          .withArgs(s.operators[0]!.address);
      });

      it("reverts when signatures are not sorted by signer", async function () {
        const s = await loadFixture(boundFixture);
        const report = await s.nextReport(s.alice.address, 1n);
        const deadline = (await s.now()) + 600n;
        const sorted = await s.signReports([report], deadline, s.operators.slice(0, 2));
        const signers = [...s.operators.slice(0, 2)]
          .map((w) => w.address)
          .sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
        await expect(s.oracle.sync([report], deadline, [...sorted].reverse()))
          .to.be.revertedWithCustomError(s.oracle, "OracleSignersNotSorted")
          .withArgs(signers[1], signers[0]);
      });

      it("reverts on a signer that is not an operator", async function () {
        const s = await loadFixture(boundFixture);
        const report = await s.nextReport(s.alice.address, 1n);
        const outsider = Wallet.createRandom();
        await expect(s.sync([report], [s.operators[0]!, outsider]))
          .to.be.revertedWithCustomError(s.oracle, "OracleUnknownSigner")
          .withArgs(outsider.address);
      });

      it("reverts on signatures made for another chain id (recovers an unknown signer)", async function () {
        const s = await loadFixture(boundFixture);
        const report = await s.nextReport(s.alice.address, 1n);
        const deadline = (await s.now()) + 600n;
        const domain = { ...(await oracleDomain(s.oracle)), chainId: 1n };
        const signatures = await signSyncBatchWithDomain(domain, [report], deadline, s.operators.slice(0, 2));
        await expect(s.oracle.sync([report], deadline, signatures))
          .to.be.revertedWithCustomError(s.oracle, "OracleUnknownSigner")
          .withArgs(anyValue);
      });

      it("reverts on signatures made for another contract (recovers an unknown signer)", async function () {
        const s = await loadFixture(boundFixture);
        const report = await s.nextReport(s.alice.address, 1n);
        const deadline = (await s.now()) + 600n;
        const domain = { ...(await oracleDomain(s.oracle)), verifyingContract: await s.rbtc.getAddress() };
        const signatures = await signSyncBatchWithDomain(domain, [report], deadline, s.operators.slice(0, 2));
        await expect(s.oracle.sync([report], deadline, signatures))
          .to.be.revertedWithCustomError(s.oracle, "OracleUnknownSigner")
          .withArgs(anyValue);
      });

      it("reverts when a report differs from the signed one", async function () {
        const s = await loadFixture(boundFixture);
        const report = await s.nextReport(s.alice.address, 1_000n);
        const deadline = (await s.now()) + 600n;
        const signatures = await s.signReports([report], deadline);
        await expect(s.oracle.sync([{ ...report, newTotalSats: 9_000_000n }], deadline, signatures))
          .to.be.revertedWithCustomError(s.oracle, "OracleUnknownSigner")
          .withArgs(anyValue);
        await expect(s.oracle.sync([report], deadline + 1n, signatures)).to.be.revertedWithCustomError(
          s.oracle,
          "OracleUnknownSigner",
        );
      });

      it("reverts on a zero user", async function () {
        const s = await loadFixture(boundFixture);
        const report = { ...(await s.nextReport(s.alice.address, 0n)), user: ZeroAddress };
        await expect(s.sync([report])).to.be.revertedWithCustomError(s.oracle, "OracleZeroAddress");
      });

      it("reverts on a total above the Bitcoin supply", async function () {
        const s = await loadFixture(boundFixture);
        const report = await s.nextReport(s.alice.address, MAX_BTC_SATS + 1n);
        await expect(s.sync([report]))
          .to.be.revertedWithCustomError(s.oracle, "OracleTotalTooLarge")
          .withArgs(s.alice.address, MAX_BTC_SATS + 1n);
      });

      it("skips a replayed batch's reports (STALE_SEQUENCE) and changes nothing", async function () {
        const s = await loadFixture(boundFixture);
        const report = await s.nextReport(s.alice.address, 1_000n);
        const deadline = (await s.now()) + 600n;
        const signatures = await s.signReports([report], deadline);
        await s.oracle.sync([report], deadline, signatures);
        const before = await s.oracle.userState(s.alice.address);
        await expect(s.oracle.sync([report], deadline, signatures))
          .to.emit(s.oracle, "ReportSkipped")
          .withArgs(s.alice.address, 1n, SKIP_STALE_SEQUENCE)
          .and.not.to.emit(s.oracle, "Synced");
        expect(await s.oracle.userState(s.alice.address)).to.deep.equal(before);
        expect(await s.rbtc.totalBackedOf(s.alice.address)).to.equal(1_000n);
      });

      it("reverts on a skipped sequence", async function () {
        const s = await loadFixture(boundFixture);
        const report = { ...(await s.nextReport(s.alice.address, 1_000n)), sequence: 2n };
        await expect(s.sync([report]))
          .to.be.revertedWithCustomError(s.oracle, "OracleBadSequence")
          .withArgs(s.alice.address, 1n, 2n);
      });

      it("reverts when the user's Bitcoin height regresses", async function () {
        const s = await loadFixture(mintedFixture);
        const last = (await s.oracle.userState(s.alice.address)).btcHeight;
        const report = { ...(await s.nextReport(s.alice.address, 1n)), btcHeight: last - 1n };
        await expect(s.sync([report]))
          .to.be.revertedWithCustomError(s.oracle, "OracleHeightRegressed")
          .withArgs(s.alice.address, last, last - 1n);
      });

      it("reverts on a height lagging the highest one by more than maxBtcHeightLag", async function () {
        const s = await loadFixture(mintedFixture);
        const highest = await s.oracle.highestBtcHeight();
        const lag = BigInt(P.maxBtcHeightLag);
        const stale = { ...(await s.nextReport(s.bob.address, 1n)), btcHeight: highest - lag - 1n };
        await expect(s.sync([stale]))
          .to.be.revertedWithCustomError(s.oracle, "OracleStaleReport")
          .withArgs(highest - lag - 1n, highest - lag);
        const edge = { ...stale, btcHeight: highest - lag };
        await expect(s.sync([edge])).to.emit(s.oracle, "Synced");
      });

      it("reverts on a height beyond uint32", async function () {
        const s = await loadFixture(boundFixture);
        const report = { ...(await s.nextReport(s.alice.address, 1n)), btcHeight: 2n ** 32n };
        await expect(s.sync([report]))
          .to.be.revertedWithCustomError(s.oracle, "OracleInvalidParameter")
          .withArgs(bytes32("btcHeight"));
      });

      it("holds back a positive total for a user without a bound address (UNBOUND) and applies the rest", async function () {
        const s = await loadFixture(boundFixture);
        const good = await s.nextReport(s.alice.address, 1_000n);
        await expect(s.sync([await s.nextReport(s.stranger.address, 1n), good]))
          .to.emit(s.oracle, "ReportSkipped")
          .withArgs(s.stranger.address, 1n, SKIP_UNBOUND)
          .and.to.emit(s.rbtc, "Minted")
          .withArgs(s.alice.address, 1_000n);
        // The held rise consumed its sequence: it can never apply later.
        expect((await s.oracle.userState(s.stranger.address)).sequence).to.equal(1n);
        expect(await s.rbtc.totalBackedOf(s.stranger.address)).to.equal(0n);
      });

      it("reverts the whole batch when one report is invalid (a committee error)", async function () {
        const s = await loadFixture(boundFixture);
        const good = await s.nextReport(s.alice.address, 1_000n);
        const bad = { ...(await s.nextReport(s.bob.address, 1n)), sequence: 5n };
        await expect(s.sync([good, bad])).to.be.revertedWithCustomError(s.oracle, "OracleBadSequence");
        expect((await s.oracle.userState(s.alice.address)).sequence).to.equal(0n);
      });

      it("rejects a former operator after a committee change", async function () {
        const s = await loadFixture(boundFixture);
        const [op1, op2, op3] = s.operators;
        await s.oracle.setCommittee([op1!.address, op2!.address], 2);
        const report = await s.nextReport(s.alice.address, 1n);
        await expect(s.sync([report], [op1!, op3!]))
          .to.be.revertedWithCustomError(s.oracle, "OracleUnknownSigner")
          .withArgs(op3!.address);
      });
    });
  });

  /*//////////////////////////////////////////////////////////////
                          MINT CAPS AND QUEUE
  //////////////////////////////////////////////////////////////*/

  describe("mint caps and the queue", function () {
    it("mints up to the per-user cap and queues the rest", async function () {
      const s = await loadFixture(boundFixture);
      const report = await s.nextReport(s.alice.address, 1_500_000n);
      const tx = s.sync([report]);
      await expect(tx).to.emit(s.rbtc, "Minted").withArgs(s.alice.address, 1_000_000n);
      const readyAt = (await s.now()) + BigInt(P.mintDelaySeconds);
      await expect(tx).to.emit(s.oracle, "MintQueued").withArgs(s.alice.address, 500_000n, readyAt);
      const state = await s.oracle.userState(s.alice.address);
      expect(state.attestedSats).to.equal(1_500_000n);
      expect(state.queuedSats).to.equal(500_000n);
      expect(state.queuedReadyAt).to.equal(readyAt);
      expect(await s.rbtc.totalBackedOf(s.alice.address)).to.equal(1_000_000n);
    });

    it("queues everything once the user's window is used up, and mints again in the next window", async function () {
      const s = await loadFixture(boundFixture);
      await s.sync([await s.nextReport(s.alice.address, 1_000_000n)]);
      await expect(s.sync([await s.nextReport(s.alice.address, 1_100_000n)]))
        .to.emit(s.oracle, "MintQueued")
        .withArgs(s.alice.address, 100_000n, anyValue);
      await networkHelpers.time.increase(P.mintWindowSeconds);
      await expect(s.sync([await s.nextReport(s.alice.address, 1_200_000n)]))
        .to.emit(s.rbtc, "Minted")
        .withArgs(s.alice.address, 100_000n);
      expect(await s.oracle.globalMintedInWindow()).to.equal(100_000n);
    });

    it("caps all users together at the global cap", async function () {
      const s = await loadFixture(boundFixture);
      await s.feeVault.depositETH(s.carol.address, { value: ONE_ETH });
      await s.sync([
        await s.nextReport(s.alice.address, 1_000_000n),
        await s.nextReport(s.bob.address, 1_000_000n),
      ]);
      const tx = s.sync([await s.nextReport(s.carol.address, 1_000_000n)]);
      await expect(tx).to.emit(s.rbtc, "Minted").withArgs(s.carol.address, 500_000n);
      await expect(tx).to.emit(s.oracle, "MintQueued").withArgs(s.carol.address, 500_000n, anyValue);
      expect(await s.oracle.globalMintedInWindow()).to.equal(P.globalMintCapSats);
    });

    it("executes a queued mint after the delay (anyone)", async function () {
      const s = await loadFixture(queuedFixture);
      const { queuedReadyAt } = await s.oracle.userState(s.alice.address);
      await networkHelpers.time.increaseTo(queuedReadyAt);
      const tx = s.oracle.connect(s.stranger).executeQueuedMint(s.alice.address);
      await expect(tx).to.emit(s.oracle, "QueuedMintExecuted").withArgs(s.alice.address, 500_000n);
      await expect(tx).to.emit(s.rbtc, "Minted").withArgs(s.alice.address, 500_000n);
      const state = await s.oracle.userState(s.alice.address);
      expect(state.queuedSats).to.equal(0n);
      expect(state.queuedReadyAt).to.equal(0n);
      expect(await s.rbtc.totalBackedOf(s.alice.address)).to.equal(state.attestedSats);
    });

    it("refuses to execute before the delay", async function () {
      const s = await loadFixture(queuedFixture);
      const { queuedReadyAt } = await s.oracle.userState(s.alice.address);
      await networkHelpers.time.setNextBlockTimestamp(queuedReadyAt - 1n);
      await expect(s.oracle.executeQueuedMint(s.alice.address))
        .to.be.revertedWithCustomError(s.oracle, "OracleQueuedMintNotReady")
        .withArgs(s.alice.address, queuedReadyAt, queuedReadyAt - 1n);
    });

    it("refuses to execute without a queued mint", async function () {
      const s = await loadFixture(boundFixture);
      await networkHelpers.time.setNextBlockTimestamp((await s.now()) + 1n);
      await expect(s.oracle.executeQueuedMint(s.bob.address))
        .to.be.revertedWithCustomError(s.oracle, "OracleQueuedMintNotReady")
        .withArgs(s.bob.address, 0n, (await s.now()) + 1n);
    });

    it("refuses to execute while paused", async function () {
      const s = await loadFixture(queuedFixture);
      await networkHelpers.time.increase(P.mintDelaySeconds);
      await s.oracle.pause();
      await expect(s.oracle.executeQueuedMint(s.alice.address)).to.be.revertedWithCustomError(
        s.oracle,
        "EnforcedPause",
      );
    });

    it("shrinks the queue first when the total falls", async function () {
      const s = await loadFixture(queuedFixture);
      const tx = s.sync([await s.nextReport(s.alice.address, 1_300_000n)]);
      await expect(tx).not.to.emit(s.rbtc, "Burned");
      expect((await s.oracle.userState(s.alice.address)).queuedSats).to.equal(300_000n);
      await expect(s.sync([await s.nextReport(s.alice.address, 900_000n)]))
        .to.emit(s.rbtc, "Burned")
        .withArgs(s.alice.address, 100_000n, 0n);
      const state = await s.oracle.userState(s.alice.address);
      expect(state.queuedSats).to.equal(0n);
      expect(state.queuedReadyAt).to.equal(0n);
      expect(await s.rbtc.totalBackedOf(s.alice.address)).to.equal(900_000n);
    });

    it("lets a guardian cancel a queued mint, lowering the attested total", async function () {
      const s = await loadFixture(queuedFixture);
      await expect(s.oracle.cancelQueuedMint(s.alice.address))
        .to.emit(s.oracle, "QueuedMintCancelled")
        .withArgs(s.alice.address, 500_000n, s.admin.address);
      const state = await s.oracle.userState(s.alice.address);
      expect(state.attestedSats).to.equal(1_000_000n);
      expect(state.queuedSats).to.equal(0n);
      expect(await s.rbtc.totalBackedOf(s.alice.address)).to.equal(1_000_000n);
      await expect(s.oracle.executeQueuedMint(s.alice.address)).to.be.revertedWithCustomError(
        s.oracle,
        "OracleQueuedMintNotReady",
      );
    });

    it("treats a user cap beyond the packed range as unlimited without corrupting the user's state", async function () {
      const s = await loadFixture(boundFixture);
      const maxUint64 = 2n ** 64n - 1n;
      await s.oracle.setMintCaps(P.mintWindowSeconds, maxUint64, maxUint64, P.mintDelaySeconds);
      const report = await s.nextReport(s.alice.address, MAX_BTC_SATS);
      await expect(s.sync([report]))
        .to.emit(s.rbtc, "Minted")
        .withArgs(s.alice.address, MAX_BTC_SATS);
      await s.sync([await s.nextReport(s.alice.address, 1n)]);
      await expect(s.sync([await s.nextReport(s.alice.address, MAX_BTC_SATS)]))
        .to.emit(s.rbtc, "Minted")
        .withArgs(s.alice.address, MAX_BTC_SATS - 1n);
      const state = await s.oracle.userState(s.alice.address);
      expect(state.attestedSats).to.equal(MAX_BTC_SATS);
      expect(state.sequence).to.equal(3n);
      expect(state.btcHeight).to.equal(report.btcHeight + 2n);
      expect(state.bindingCount).to.equal(1n);
      expect(state.queuedSats).to.equal(0n);
    });

    it("keeps a queued and a deferred mint apart", async function () {
      const s = await loadFixture(queuedFixture);
      await s.feeVault.connect(s.alice).withdraw(await s.feeVault.balanceOf(s.alice.address));
      await expect(s.sync([await s.nextReport(s.alice.address, 1_600_000n)]))
        .to.emit(s.oracle, "NeedsTopUp")
        .withArgs(s.alice.address, 100_000n, anyValue, 0n);
      let state = await s.oracle.userState(s.alice.address);
      expect([state.attestedSats, state.queuedSats, state.deferredSats]).to.deep.equal([
        1_500_000n,
        500_000n,
        100_000n,
      ]);
      await s.sync([await s.nextReport(s.alice.address, 1_200_000n)]);
      state = await s.oracle.userState(s.alice.address);
      expect([state.attestedSats, state.queuedSats, state.deferredSats]).to.deep.equal([
        1_200_000n,
        200_000n,
        0n,
      ]);
      expect(await s.rbtc.totalBackedOf(s.alice.address)).to.equal(1_000_000n);
    });

    it("refuses to cancel without a queued mint or without GUARDIAN_ROLE", async function () {
      const s = await loadFixture(queuedFixture);
      await expect(s.oracle.cancelQueuedMint(s.bob.address))
        .to.be.revertedWithCustomError(s.oracle, "OracleQueuedMintNotReady")
        .withArgs(s.bob.address, 0n, anyValue);
      await expect(s.oracle.connect(s.stranger).cancelQueuedMint(s.alice.address))
        .to.be.revertedWithCustomError(s.oracle, "AccessControlUnauthorizedAccount")
        .withArgs(s.stranger.address, ORACLE_GUARDIAN_ROLE);
    });
  });

  /*//////////////////////////////////////////////////////////////
                               BINDINGS
  //////////////////////////////////////////////////////////////*/

  describe("bindAddress", function () {
    it("binds, emits AddressBound and lists the address and the user", async function () {
      const s = await loadFixture(deployedFixture);
      await expect(s.bind(s.alice.address, ALICE_BTC))
        .to.emit(s.oracle, "AddressBound")
        .withArgs(s.alice.address, addressHash(ALICE_BTC), ALICE_BTC, proofDigest(ALICE_BTC), 0n);
      expect(await s.oracle.bindingNonce(s.alice.address)).to.equal(1n);
      expect(await s.oracle.ownerOfBtcAddress(ALICE_BTC)).to.equal(s.alice.address);
      expect(await s.oracle.addressesOf(s.alice.address)).to.deep.equal([ALICE_BTC]);
      expect(await s.oracle.bindingsLength()).to.equal(1n);
      expect((await s.oracle.bindingsSlice(0, 10)).map((b) => [b.user, b.btcAddress])).to.deep.equal([
        [s.alice.address, ALICE_BTC],
      ]);
      expect(await s.oracle.usersLength()).to.equal(1n);
      expect(await s.oracle.usersSlice(0, 10)).to.deep.equal([s.alice.address]);
      expect((await s.oracle.userState(s.alice.address)).bindingCount).to.equal(1n);
    });

    it("lists a user once however many addresses they bind", async function () {
      const s = await loadFixture(deployedFixture);
      await s.bind(s.alice.address, ALICE_BTC);
      await s.bind(s.alice.address, "bc1qalice-second");
      await s.bind(s.bob.address, BOB_BTC);
      expect(await s.oracle.usersSlice(0, 10)).to.deep.equal([s.alice.address, s.bob.address]);
      expect(await s.oracle.addressesOf(s.alice.address)).to.deep.equal([ALICE_BTC, "bc1qalice-second"]);
      expect((await s.oracle.userState(s.alice.address)).bindingCount).to.equal(2n);
    });

    it("reverts when the address is already bound", async function () {
      const s = await loadFixture(deployedFixture);
      await s.bind(s.alice.address, ALICE_BTC);
      await expect(s.bind(s.bob.address, ALICE_BTC))
        .to.be.revertedWithCustomError(s.oracle, "OracleAddressAlreadyBound")
        .withArgs(ALICE_BTC, s.alice.address);
      await expect(s.bind(s.alice.address, ALICE_BTC))
        .to.be.revertedWithCustomError(s.oracle, "OracleAddressAlreadyBound")
        .withArgs(ALICE_BTC, s.alice.address);
    });

    it("reverts on a wrong nonce, and a used approval cannot be replayed", async function () {
      const s = await loadFixture(deployedFixture);
      const request = await s.bindingRequest(s.alice.address, ALICE_BTC);
      const signatures = await signBinding(s.oracle, request, s.operators.slice(0, 2));
      await s.oracle.bindAddress(request, signatures);
      await s.oracle.connect(s.alice).unbindAddress(ALICE_BTC);
      await expect(s.oracle.bindAddress(request, signatures))
        .to.be.revertedWithCustomError(s.oracle, "OracleBadBindingNonce")
        .withArgs(s.alice.address, 1n, 0n);
    });

    it("reverts on an empty or too long address", async function () {
      const s = await loadFixture(deployedFixture);
      const max = Number(await s.oracle.MAX_BTC_ADDRESS_LENGTH());
      await expect(s.bind(s.alice.address, ""))
        .to.be.revertedWithCustomError(s.oracle, "OracleInvalidBtcAddress")
        .withArgs("");
      const long = "b".repeat(max + 1);
      await expect(s.bind(s.alice.address, long))
        .to.be.revertedWithCustomError(s.oracle, "OracleInvalidBtcAddress")
        .withArgs(long);
      await expect(s.bind(s.alice.address, "b".repeat(max))).to.emit(s.oracle, "AddressBound");
    });

    it("reverts on a zero user", async function () {
      const s = await loadFixture(deployedFixture);
      await expect(s.bind(ZeroAddress, ALICE_BTC)).to.be.revertedWithCustomError(
        s.oracle,
        "OracleZeroAddress",
      );
    });

    it("reverts on an expired or too far deadline", async function () {
      const s = await loadFixture(deployedFixture);
      const request = await s.bindingRequest(s.alice.address, ALICE_BTC);
      const expired = { ...request, deadline: (await s.now()) - 1n };
      await expect(s.oracle.bindAddress(expired, await signBinding(s.oracle, expired, s.operators)))
        .to.be.revertedWithCustomError(s.oracle, "OracleReportExpired")
        .withArgs(expired.deadline, anyValue);
      const far = { ...request, deadline: (await s.now()) + 10n ** 6n };
      await expect(
        s.oracle.bindAddress(far, await signBinding(s.oracle, far, s.operators)),
      ).to.be.revertedWithCustomError(s.oracle, "OracleDeadlineTooFar");
    });

    it("reverts with too few, unknown or foreign-domain signatures", async function () {
      const s = await loadFixture(deployedFixture);
      const request = await s.bindingRequest(s.alice.address, ALICE_BTC);
      await expect(
        s.oracle.bindAddress(request, await signBinding(s.oracle, request, s.operators.slice(0, 1))),
      )
        .to.be.revertedWithCustomError(s.oracle, "OracleInsufficientSignatures")
        .withArgs(1n, 2);
      const outsider = Wallet.createRandom();
      await expect(
        s.oracle.bindAddress(request, await signBinding(s.oracle, request, [outsider, s.operators[0]!])),
      )
        .to.be.revertedWithCustomError(s.oracle, "OracleUnknownSigner")
        .withArgs(outsider.address);
      const domain = { ...(await oracleDomain(s.oracle)), chainId: 11155111n };
      await expect(
        s.oracle.bindAddress(request, await signBindingWithDomain(domain, request, s.operators.slice(0, 2))),
      ).to.be.revertedWithCustomError(s.oracle, "OracleUnknownSigner");
    });

    it("reverts beyond MAX_BINDINGS_PER_USER", async function () {
      const s = await loadFixture(deployedFixture);
      const max = await s.oracle.MAX_BINDINGS_PER_USER();
      for (let i = 0n; i < max; i++) await s.bind(s.alice.address, `bc1qalice${i}`);
      await expect(s.bind(s.alice.address, "bc1qalice-one-too-many"))
        .to.be.revertedWithCustomError(s.oracle, "OracleTooManyBindings")
        .withArgs(s.alice.address, max);
    });

    it("reverts while paused", async function () {
      const s = await loadFixture(deployedFixture);
      await s.oracle.pause();
      await expect(s.bind(s.alice.address, ALICE_BTC)).to.be.revertedWithCustomError(
        s.oracle,
        "EnforcedPause",
      );
    });
  });

  describe("unbindAddress", function () {
    it("unbinds, emits AddressUnbound and swap-and-pops the binding list", async function () {
      const s = await loadFixture(boundFixture);
      await expect(s.oracle.connect(s.alice).unbindAddress(ALICE_BTC))
        .to.emit(s.oracle, "AddressUnbound")
        .withArgs(s.alice.address, addressHash(ALICE_BTC), ALICE_BTC);
      expect(await s.oracle.ownerOfBtcAddress(ALICE_BTC)).to.equal(ZeroAddress);
      expect(await s.oracle.addressesOf(s.alice.address)).to.deep.equal([]);
      expect(await s.oracle.bindingsLength()).to.equal(2n);
      expect((await s.oracle.bindingsSlice(0, 10)).map((b) => [b.user, b.btcAddress])).to.deep.equal([
        [s.carol.address, CAROL_BTC],
        [s.bob.address, BOB_BTC],
      ]);
      expect((await s.oracle.userState(s.alice.address)).bindingCount).to.equal(0n);
      expect(await s.oracle.usersLength()).to.equal(3n);
    });

    it("keeps a user's other addresses", async function () {
      const s = await loadFixture(boundFixture);
      await s.bind(s.alice.address, "bc1qalice-2");
      await s.bind(s.alice.address, "bc1qalice-3");
      await s.oracle.connect(s.alice).unbindAddress(ALICE_BTC);
      expect(await s.oracle.addressesOf(s.alice.address)).to.deep.equal(["bc1qalice-3", "bc1qalice-2"]);
      expect(await s.oracle.ownerOfBtcAddress("bc1qalice-2")).to.equal(s.alice.address);
    });

    it("reverts for an address not bound to the caller", async function () {
      const s = await loadFixture(boundFixture);
      await expect(s.oracle.connect(s.bob).unbindAddress(ALICE_BTC))
        .to.be.revertedWithCustomError(s.oracle, "OracleAddressNotBound")
        .withArgs(ALICE_BTC, s.bob.address);
      await expect(s.oracle.connect(s.bob).unbindAddress("bc1qnobody"))
        .to.be.revertedWithCustomError(s.oracle, "OracleAddressNotBound")
        .withArgs("bc1qnobody", s.bob.address);
    });

    it("consumes the caller's sequence (soft) and holds back a rise of a user left without a binding", async function () {
      const s = await loadFixture(mintedFixture);
      await expect(s.oracle.connect(s.alice).unbindAddress(ALICE_BTC))
        .to.emit(s.oracle, "SequenceConsumed")
        .withArgs(s.alice.address, 2n, CONSUME_UNBIND);
      expect((await s.oracle.userState(s.alice.address)).sequence).to.equal(2n);
      await expect(s.sync([await s.nextReport(s.alice.address, 600_000n)]))
        .to.emit(s.oracle, "ReportSkipped")
        .withArgs(s.alice.address, 3n, SKIP_UNBOUND);
    });

    it("lets the address be bound again, and burns the unbound BTC at the next report", async function () {
      const s = await loadFixture(mintedFixture);
      await s.oracle.connect(s.alice).unbindAddress(ALICE_BTC);
      await expect(s.sync([await s.nextReport(s.alice.address, 0n)]))
        .to.emit(s.rbtc, "Burned")
        .withArgs(s.alice.address, 500_000n, 0n);
      await expect(s.bind(s.bob.address, ALICE_BTC)).to.emit(s.oracle, "AddressBound");
      expect(await s.oracle.ownerOfBtcAddress(ALICE_BTC)).to.equal(s.bob.address);
    });
  });

  /*//////////////////////////////////////////////////////////////
                                 ADMIN
  //////////////////////////////////////////////////////////////*/

  describe("setCommittee", function () {
    it("replaces the committee, bumps the epoch and emits CommitteeUpdated", async function () {
      const s = await loadFixture(deployedFixture);
      const outsider = Wallet.createRandom();
      const operators = [s.operators[2]!.address, outsider.address];
      await expect(s.oracle.setCommittee(operators, 1))
        .to.emit(s.oracle, "CommitteeUpdated")
        .withArgs(2n, operators, 1);
      expect(await s.oracle.committee()).to.deep.equal([operators, 1n, 2n]);
      expect(await s.oracle.isOperator(s.operators[0]!.address)).to.equal(false);
      expect(await s.oracle.isOperator(outsider.address)).to.equal(true);
    });

    it("reverts on a zero or too high threshold", async function () {
      const s = await loadFixture(deployedFixture);
      const ops = s.operators.map((w) => w.address);
      await expect(s.oracle.setCommittee(ops, 0))
        .to.be.revertedWithCustomError(s.oracle, "OracleInvalidThreshold")
        .withArgs(0, 3n);
      await expect(s.oracle.setCommittee(ops, 4))
        .to.be.revertedWithCustomError(s.oracle, "OracleInvalidThreshold")
        .withArgs(4, 3n);
    });

    it("reverts on a duplicate or zero operator", async function () {
      const s = await loadFixture(deployedFixture);
      const a = s.operators[0]!.address;
      await expect(s.oracle.setCommittee([a, s.operators[1]!.address, a], 2))
        .to.be.revertedWithCustomError(s.oracle, "OracleDuplicateOperator")
        .withArgs(a);
      await expect(s.oracle.setCommittee([a, ZeroAddress], 1)).to.be.revertedWithCustomError(
        s.oracle,
        "OracleZeroAddress",
      );
    });

    it("reverts above MAX_COMMITTEE_SIZE", async function () {
      const s = await loadFixture(deployedFixture);
      const max = await s.oracle.MAX_COMMITTEE_SIZE();
      const ops = Array.from({ length: Number(max) + 1 }, () => Wallet.createRandom().address);
      await expect(s.oracle.setCommittee(ops, 2))
        .to.be.revertedWithCustomError(s.oracle, "OracleCommitteeTooLarge")
        .withArgs(max + 1n, max);
      await expect(s.oracle.setCommittee(ops.slice(0, Number(max)), 2)).to.emit(s.oracle, "CommitteeUpdated");
    });

    it("reverts without CONFIG_ROLE", async function () {
      const s = await loadFixture(deployedFixture);
      await expect(s.oracle.connect(s.stranger).setCommittee([s.stranger.address], 1))
        .to.be.revertedWithCustomError(s.oracle, "AccessControlUnauthorizedAccount")
        .withArgs(s.stranger.address, CONFIG_ROLE);
    });
  });

  describe("setMintCaps", function () {
    it("sets the caps and emits MintCapsUpdated", async function () {
      const s = await loadFixture(deployedFixture);
      await expect(s.oracle.setMintCaps(3_600, 5n, 7n, 0))
        .to.emit(s.oracle, "MintCapsUpdated")
        .withArgs(3_600, 5n, 7n, 0);
      expect(await s.oracle.mintCaps()).to.deep.equal([3_600n, 5n, 7n, 0n]);
    });

    it("reverts on a zero window or cap", async function () {
      const s = await loadFixture(deployedFixture);
      await expect(s.oracle.setMintCaps(0, 1n, 1n, 0))
        .to.be.revertedWithCustomError(s.oracle, "OracleInvalidParameter")
        .withArgs(bytes32("mintWindowSeconds"));
      await expect(s.oracle.setMintCaps(1, 0n, 1n, 0))
        .to.be.revertedWithCustomError(s.oracle, "OracleInvalidParameter")
        .withArgs(bytes32("userMintCapSats"));
      await expect(s.oracle.setMintCaps(1, 1n, 0n, 0))
        .to.be.revertedWithCustomError(s.oracle, "OracleInvalidParameter")
        .withArgs(bytes32("globalMintCapSats"));
    });

    it("reverts without CONFIG_ROLE", async function () {
      const s = await loadFixture(deployedFixture);
      await expect(s.oracle.connect(s.stranger).setMintCaps(1, 1n, 1n, 1))
        .to.be.revertedWithCustomError(s.oracle, "AccessControlUnauthorizedAccount")
        .withArgs(s.stranger.address, CONFIG_ROLE);
    });
  });

  describe("setStaleness", function () {
    it("sets the bounds and emits StalenessUpdated", async function () {
      const s = await loadFixture(deployedFixture);
      await expect(s.oracle.setStaleness(60, 0)).to.emit(s.oracle, "StalenessUpdated").withArgs(60, 0);
      expect(await s.oracle.staleness()).to.deep.equal([60n, 0n]);
    });

    it("reverts on a zero validity", async function () {
      const s = await loadFixture(deployedFixture);
      await expect(s.oracle.setStaleness(0, 6))
        .to.be.revertedWithCustomError(s.oracle, "OracleInvalidParameter")
        .withArgs(bytes32("maxReportValiditySeconds"));
    });

    it("reverts without CONFIG_ROLE", async function () {
      const s = await loadFixture(deployedFixture);
      await expect(s.oracle.connect(s.stranger).setStaleness(1, 1))
        .to.be.revertedWithCustomError(s.oracle, "AccessControlUnauthorizedAccount")
        .withArgs(s.stranger.address, CONFIG_ROLE);
    });
  });

  describe("setMinConfirmations", function () {
    it("sets the depth and emits MinConfirmationsUpdated", async function () {
      const s = await loadFixture(deployedFixture);
      await expect(s.oracle.setMinConfirmations(6)).to.emit(s.oracle, "MinConfirmationsUpdated").withArgs(6);
      expect(await s.oracle.minConfirmations()).to.equal(6n);
    });

    it("reverts on zero", async function () {
      const s = await loadFixture(deployedFixture);
      await expect(s.oracle.setMinConfirmations(0))
        .to.be.revertedWithCustomError(s.oracle, "OracleInvalidParameter")
        .withArgs(bytes32("minConfirmations"));
    });

    it("reverts without CONFIG_ROLE", async function () {
      const s = await loadFixture(deployedFixture);
      await expect(s.oracle.connect(s.stranger).setMinConfirmations(1))
        .to.be.revertedWithCustomError(s.oracle, "AccessControlUnauthorizedAccount")
        .withArgs(s.stranger.address, CONFIG_ROLE);
    });
  });

  describe("pause and unpause", function () {
    it("pauses and unpauses (GUARDIAN_ROLE) with events", async function () {
      const s = await loadFixture(boundFixture);
      await expect(s.oracle.pause()).to.emit(s.oracle, "Paused").withArgs(s.admin.address);
      expect(await s.oracle.paused()).to.equal(true);
      await expect(s.oracle.unpause()).to.emit(s.oracle, "Unpaused").withArgs(s.admin.address);
      await expect(s.sync([await s.nextReport(s.alice.address, 1n)])).to.emit(s.oracle, "Synced");
    });

    it("still lets users unbind and guardians cancel while paused", async function () {
      const s = await loadFixture(queuedFixture);
      await s.oracle.pause();
      await expect(s.oracle.cancelQueuedMint(s.alice.address)).to.emit(s.oracle, "QueuedMintCancelled");
      await expect(s.oracle.connect(s.bob).unbindAddress(BOB_BTC)).to.emit(s.oracle, "AddressUnbound");
    });

    it("reverts without GUARDIAN_ROLE", async function () {
      const s = await loadFixture(deployedFixture);
      await expect(s.oracle.connect(s.stranger).pause())
        .to.be.revertedWithCustomError(s.oracle, "AccessControlUnauthorizedAccount")
        .withArgs(s.stranger.address, ORACLE_GUARDIAN_ROLE);
      await s.oracle.pause();
      await expect(s.oracle.connect(s.stranger).unpause())
        .to.be.revertedWithCustomError(s.oracle, "AccessControlUnauthorizedAccount")
        .withArgs(s.stranger.address, ORACLE_GUARDIAN_ROLE);
    });
  });

  /*//////////////////////////////////////////////////////////////
                                 VIEWS
  //////////////////////////////////////////////////////////////*/

  describe("views", function () {
    it("hashSyncBatch is the EIP-712 digest ethers computes", async function () {
      const s = await loadFixture(boundFixture);
      const reports: Report[] = [
        await s.nextReport(s.alice.address, 5n),
        await s.nextReport(s.bob.address, 7n, 2n, 1),
      ];
      const domain = await oracleDomain(s.oracle);
      const value = { reports, deadline: 1234n };
      expect(await s.oracle.hashSyncBatch(reports, 1234n)).to.equal(
        TypedDataEncoder.hash(domain, SYNC_BATCH_TYPES, value),
      );
    });

    it("hashBinding is the EIP-712 digest ethers computes", async function () {
      const s = await loadFixture(deployedFixture);
      const request = await s.bindingRequest(s.alice.address, ALICE_BTC);
      const domain = await oracleDomain(s.oracle);
      expect(await s.oracle.hashBinding(request)).to.equal(
        TypedDataEncoder.hash(domain, BINDING_TYPES, request),
      );
    });

    it("signSyncBatch orders signatures by signer so any committee subset verifies", async function () {
      const s = await loadFixture(boundFixture);
      const report = await s.nextReport(s.alice.address, 5n);
      const deadline = (await s.now()) + 600n;
      const reversed = [...s.operators].reverse();
      const signatures = await signSyncBatch(s.oracle, [report], deadline, reversed);
      await expect(s.oracle.sync([report], deadline, signatures)).to.emit(s.oracle, "Synced");
    });

    it("clamps slices to the list length", async function () {
      const s = await loadFixture(boundFixture);
      expect(await s.oracle.usersSlice(1, 100)).to.deep.equal([s.bob.address, s.carol.address]);
      expect(await s.oracle.usersSlice(5, 2)).to.deep.equal([]);
      expect(await s.oracle.usersSlice(3, 3)).to.deep.equal([]);
      expect(await s.oracle.bindingsSlice(2, 100)).to.have.length(1);
      expect(await s.oracle.bindingsSlice(7, 9)).to.have.length(0);
    });

    it("userState is all zero for an unknown user and userStates follows the input order", async function () {
      const s = await loadFixture(mintedFixture);
      const [unknown, alice] = await s.oracle.userStates([s.stranger.address, s.alice.address]);
      expect(unknown!.attestedSats).to.equal(0n);
      expect(unknown!.sequence).to.equal(0n);
      expect(alice!.attestedSats).to.equal(500_000n);
      expect(await s.oracle.userStates([])).to.deep.equal([]);
      expect(await s.oracle.addressesOf(s.stranger.address)).to.deep.equal([]);
      expect(await s.oracle.btcAnchor(1n)).to.equal("0x" + "00".repeat(32));
    });

    it("globalMintedInWindow resets in a new window", async function () {
      const s = await loadFixture(mintedFixture);
      expect(await s.oracle.globalMintedInWindow()).to.equal(500_000n);
      await networkHelpers.time.increase(P.mintWindowSeconds);
      expect(await s.oracle.globalMintedInWindow()).to.equal(0n);
    });
  });
});
