import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";
import { id } from "ethers";

/** Bitcoin supply bound in sats (mirrors contracts/libraries/Constants.sol). */
export const MAX_BTC_SATS = 2_100_000_000_000_000n;
/** Default-admin handover delay in seconds (mirrors contracts/libraries/Constants.sol). */
export const ADMIN_TRANSFER_DELAY = 86_400n;

/** Fee policy used by the unit-test fixture: 0.5% of the minted value at 3e11 wei/sat, 1e14 wei fixed, 1e16 cap. */
export const FEE = {
  bps: 50n,
  weiPerSat: 300_000_000_000n,
  fixedWei: 100_000_000_000_000n,
  maxWei: 10_000_000_000_000_000n,
} as const;

export const GUARDIAN_ROLE = id("GUARDIAN_ROLE");
export const FEE_ADMIN_ROLE = id("FEE_ADMIN_ROLE");
export const DEFAULT_ADMIN_ROLE = "0x" + "00".repeat(32);

/**
 * Deploys RBTCSynth, WrBTC, FeePolicy and FeeVault and wires them with an EOA standing in for the Oracle, so the unit
 * tests exercise the real token contracts without the Oracle contract.
 * Signers: 0 admin, 1 alice, 2 bob, 3 carol, 8 treasury, 9 oracle.
 */
export async function deployLedger(ethers: HardhatEthers) {
  const signers = await ethers.getSigners();
  const [admin, alice, bob, carol] = signers;
  const treasury = signers[8];
  const oracle = signers[9];
  const stranger = signers[7];
  if (!admin || !alice || !bob || !carol || !treasury || !oracle || !stranger)
    throw new Error("need 10 signers");

  const rbtc = await ethers.deployContract("RBTCSynth", [admin.address]);
  const wrbtc = await ethers.deployContract("WrBTC", [admin.address, await rbtc.getAddress()]);
  const feePolicy = await ethers.deployContract("FeePolicy", [
    admin.address,
    FEE.bps,
    FEE.weiPerSat,
    FEE.fixedWei,
    FEE.maxWei,
  ]);
  const feeVault = await ethers.deployContract("FeeVault", [admin.address, treasury.address]);

  await rbtc.connect(admin).wire(oracle.address, await wrbtc.getAddress());
  await wrbtc.connect(admin).setOracle(oracle.address);
  await feeVault.connect(admin).setOracle(oracle.address);

  return { rbtc, wrbtc, feePolicy, feeVault, admin, alice, bob, carol, treasury, oracle, stranger };
}
