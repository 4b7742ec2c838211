import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { network } from "hardhat";

import AdminHandoverModule from "../deploy/modules/AdminHandover.js";
import { LOCAL_DEFAULT_OPERATORS } from "../deploy/modules/ReserveBTC.js";
import YieldAdminHandoverModule from "../deploy/modules/YieldAdminHandover.js";
import {
  DeploymentNotFoundError,
  attachSystem,
  deploySystem,
  deploySystemWithYield,
  loadDeployment,
} from "../src/deployments.js";
import { exitCodeFor } from "../src/errors.js";
import { committeeWallets } from "../src/oracle/signing.js";
import { YieldScalesPool__factory } from "../types/ethers-contracts/index.js";
import { ADMIN_TRANSFER_DELAY } from "./helpers/ledger.js";
import { CONFIG_ROLE, ORACLE_GUARDIAN_ROLE } from "./helpers/oracle.js";

const connection = await network.create();
const { ethers, ignition, networkHelpers } = connection;

const ADDRESSES = {
  "ReserveBTC#FeePolicy": "0x5FbDB2315678afecb367f032d93F642f64180aa3",
  "ReserveBTC#FeeVault": "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
  "ReserveBTC#RBTCSynth": "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0",
  "ReserveBTC#WrBTC": "0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9",
  "ReserveBTC#Oracle": "0xDc64a140Aa3E981100a9becA4E685f962f0cF6C9",
  "ReserveBTC#DisputeManager": "0x5FC8d32690cc91D4c39d9d3abcBD16989F875707",
  "ReserveBTC#ProofOfReserves": "0x0165878A594ca255338adfa4d48449f69242Eb8F",
};

/** Journal lines shaped like Ignition's (a leading blank line, one receipt per future, calls included). */
const JOURNAL = [
  "",
  JSON.stringify({ chainId: 31337, type: "DEPLOYMENT_INITIALIZE" }),
  ...Object.keys(ADDRESSES).map((futureId, i) =>
    JSON.stringify({ futureId, hash: "0x01", networkInteractionId: 1, receipt: { blockNumber: i + 1 } }),
  ),
  JSON.stringify({ futureId: "ReserveBTC#RBTCSynth.wire", receipt: { blockNumber: 9 } }),
].join("\n");

/** The error a promise rejects with (fails the test when it resolves). */
async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  expect.fail("expected a rejection");
}

describe("deployments", function () {
  let root: string;

  beforeEach(async function () {
    root = await mkdtemp(path.join(tmpdir(), "reservebtc-deployments-"));
    await mkdir(path.join(root, "chain-31337"));
  });

  afterEach(async function () {
    await rm(root, { recursive: true, force: true });
  });

  describe("loadDeployment", function () {
    it("reads the addresses and the start blocks of an Ignition deployment", async function () {
      await writeFile(path.join(root, "chain-31337", "deployed_addresses.json"), JSON.stringify(ADDRESSES));
      await writeFile(path.join(root, "chain-31337", "journal.jsonl"), JOURNAL);
      expect(await loadDeployment(31337n, root)).to.deep.equal({
        chainId: 31337n,
        rbtc: ADDRESSES["ReserveBTC#RBTCSynth"],
        wrbtc: ADDRESSES["ReserveBTC#WrBTC"],
        feeVault: ADDRESSES["ReserveBTC#FeeVault"],
        feePolicy: ADDRESSES["ReserveBTC#FeePolicy"],
        oracle: ADDRESSES["ReserveBTC#Oracle"],
        disputeManager: ADDRESSES["ReserveBTC#DisputeManager"],
        proofOfReserves: ADDRESSES["ReserveBTC#ProofOfReserves"],
        startBlocks: {
          feePolicy: 1,
          feeVault: 2,
          rbtc: 3,
          wrbtc: 4,
          oracle: 5,
          disputeManager: 6,
          proofOfReserves: 7,
        },
      });
    });

    it("has no yield pool unless one was deployed, and reads it from Yield or YieldLocal", async function () {
      const file = path.join(root, "chain-31337", "deployed_addresses.json");
      await writeFile(file, JSON.stringify(ADDRESSES));
      expect(await loadDeployment(31337n, root)).to.not.have.property("yieldPool");
      const pool = "0x2279B7A0a67DB372996a5FaB50D91eAA73d2eBe6";
      await writeFile(file, JSON.stringify({ ...ADDRESSES, "YieldLocal#YieldScalesPool": pool }));
      expect((await loadDeployment(31337n, root)).yieldPool).to.equal(pool);
      const realPool = "0x8A791620dd6260079BF849Dc5567aDC3F2FdC318";
      await writeFile(
        file,
        JSON.stringify({
          ...ADDRESSES,
          "YieldLocal#YieldScalesPool": pool,
          "Yield#YieldScalesPool": realPool,
        }),
      );
      expect((await loadDeployment(31337n, root)).yieldPool).to.equal(realPool);
    });

    it("omits the start blocks without a journal", async function () {
      await writeFile(path.join(root, "chain-31337", "deployed_addresses.json"), JSON.stringify(ADDRESSES));
      const deployment = await loadDeployment(31337n, root);
      expect(deployment.oracle).to.equal(ADDRESSES["ReserveBTC#Oracle"]);
      expect(deployment.startBlocks).to.equal(undefined);
    });

    it("fails with DeploymentNotFoundError for an unknown chain or a missing contract", async function () {
      expect(await failure(loadDeployment(1n, root)))
        .to.be.instanceOf(DeploymentNotFoundError)
        .and.have.property("message")
        .that.matches(/chain 1 /);
      const { "ReserveBTC#Oracle": _oracle, ...partial } = ADDRESSES;
      await writeFile(path.join(root, "chain-31337", "deployed_addresses.json"), JSON.stringify(partial));
      expect(await failure(loadDeployment(31337n, root)))
        .to.be.instanceOf(DeploymentNotFoundError)
        .and.have.property("message")
        .that.matches(/has no ReserveBTC#Oracle/);
    });

    it("is bad input: a task exits 2 for a missing deployment", async function () {
      expect(exitCodeFor(await failure(loadDeployment(1n, root)))).to.equal(2);
    });
  });

  describe("deploySystem", function () {
    it("deploys the wired system with the module's default committee (Hardhat accounts 1..3)", async function () {
      const system = await networkHelpers.loadFixture(async function defaultSystem() {
        return deploySystem(connection);
      });
      const [operators, threshold] = await system.oracle.committee();
      expect(operators).to.deep.equal(LOCAL_DEFAULT_OPERATORS);
      expect(operators).to.deep.equal(committeeWallets(3).map((w) => w.address));
      expect(threshold).to.equal(2n);
      expect(system.deployment.chainId).to.equal(31337n);
      expect(system.deployment.oracle).to.equal(await system.oracle.getAddress());
      expect(await system.rbtc.oracle()).to.equal(system.deployment.oracle);
    });
  });

  describe("deploySystemWithYield", function () {
    it("deploys the system with the pool wired as the Oracle's balance hook and in the address book", async function () {
      const system = await networkHelpers.loadFixture(async function yieldSystem() {
        return deploySystemWithYield(connection);
      });
      const pool = await system.yieldPool.getAddress();
      expect(system.deployment.yieldPool).to.equal(pool);
      expect(await system.oracle.balanceHook()).to.equal(pool);
      expect((await system.yieldPool.poolStatus()).rewardReserve).to.be.greaterThan(0n);
      const attached = attachSystem(system.deployment, ethers.provider);
      expect(await attached.yieldPool?.getAddress()).to.equal(pool);
    });
  });

  describe("AdminHandover module", function () {
    it("grants the operational roles and begins the default-admin handover of every contract", async function () {
      const signers = await ethers.getSigners();
      const finalAdmin = signers[9]!.address;
      const { rbtc, wrbtc, feePolicy, feeVault, oracle, disputeManager, proofOfReserves } =
        await ignition.deploy(AdminHandoverModule, {
          parameters: { AdminHandover: { finalAdmin } },
          displayUi: false,
        });
      for (const contract of [rbtc, wrbtc, feePolicy, feeVault, oracle, disputeManager, proofOfReserves]) {
        const [pending] = (await contract.getFunction("pendingDefaultAdmin")()) as [string, bigint];
        expect(pending).to.equal(finalAdmin);
      }
      const hasRole = (c: typeof oracle, role: string) => c.getFunction("hasRole")(role, finalAdmin);
      expect(await hasRole(oracle, CONFIG_ROLE)).to.equal(true);
      expect(await hasRole(oracle, ORACLE_GUARDIAN_ROLE)).to.equal(true);
      expect(await hasRole(wrbtc, ORACLE_GUARDIAN_ROLE)).to.equal(true);
      expect(await hasRole(feePolicy, (await feePolicy.getFunction("FEE_ADMIN_ROLE")()) as string)).to.equal(
        true,
      );
      expect(await hasRole(disputeManager, CONFIG_ROLE)).to.equal(true);
      expect(
        await hasRole(disputeManager, (await disputeManager.getFunction("RESOLVER_ROLE")()) as string),
      ).to.equal(true);
      // ProofOfReserves's one role sets the secure-mint gate's maximum round age.
      expect(await hasRole(proofOfReserves, CONFIG_ROLE)).to.equal(true);
    });
  });

  describe("YieldAdminHandover module", function () {
    it("grants YIELD_ADMIN_ROLE and hands the pool's default admin over (accepted after the delay)", async function () {
      const signers = await ethers.getSigners();
      const deployer = signers[0]!;
      const finalAdmin = signers[9]!;
      const stable = await ethers.deployContract("MockStable");
      const { pool } = await ignition.deploy(YieldAdminHandoverModule, {
        parameters: {
          YieldAdminHandover: { finalAdmin: finalAdmin.address },
          Yield: { rewardToken: await stable.getAddress(), liquidityToken: await stable.getAddress() },
        },
        displayUi: false,
      });
      const yieldAdminRole = (await pool.getFunction("YIELD_ADMIN_ROLE")()) as string;
      expect(await pool.getFunction("hasRole")(yieldAdminRole, finalAdmin.address)).to.equal(true);
      const [pending] = (await pool.getFunction("pendingDefaultAdmin")()) as [string, bigint];
      expect(pending).to.equal(finalAdmin.address);
      expect(await pool.getFunction("defaultAdmin")()).to.equal(deployer.address);

      await networkHelpers.time.increase(ADMIN_TRANSFER_DELAY + 1n);
      const asFinal = YieldScalesPool__factory.connect(await pool.getAddress(), finalAdmin);
      await asFinal.acceptDefaultAdminTransfer();
      expect(await asFinal.defaultAdmin()).to.equal(finalAdmin.address);
      await expect(asFinal.setBaseRate(600)).to.emit(asFinal, "BaseRateSet").withArgs(500n, 600n);
    });
  });
});
