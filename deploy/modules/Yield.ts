import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import type { ContractFuture, IgnitionModuleBuilder } from "@nomicfoundation/ignition-core";

import ReserveBTCModule from "./ReserveBTC.js";

/** Default parameters of the `Yield` and `YieldLocal` modules (overridable in deploy/parameters/<network>.json). */
export const YIELD_DEFAULTS = {
  /** 5% APR before scale and loyalty (max 1,333 so Gold stays ≤ 20%). */
  baseRateBps: 500,
  /** Reward units per sat × 1e18: an 18-decimal $1 token and 1 BTC = $100,000 → 1 sat = 1e15 units. */
  satPriceWad: 10n ** 33n,
  /** Reward units per liquidity unit × 1e18: the liquidity token is worth the reward token 1:1. */
  liquidityPriceWad: 10n ** 18n,
  /** YieldLocal only: MockStable the deployer funds the reward reserve with (1,000,000 tokens). */
  localRewardFunding: 1_000_000n * 10n ** 18n,
} as const;

/**
 * Deploys the YieldScalesPool next to an existing (or freshly deployed) `ReserveBTC` and wires it as the Oracle's
 * balance hook (`oracle.setBalanceHook(pool)`, CONFIG_ROLE, held by the deployer until `AdminHandover`).
 */
export function buildYieldPool(
  m: IgnitionModuleBuilder,
  rewardToken: ContractFuture<string> | ReturnType<IgnitionModuleBuilder["getParameter"]>,
  liquidityToken: ContractFuture<string> | ReturnType<IgnitionModuleBuilder["getParameter"]>,
) {
  const system = m.useModule(ReserveBTCModule);
  const deployer = m.getAccount(0);
  const pool = m.contract("YieldScalesPool", [
    deployer,
    system.rbtc,
    system.wrbtc,
    system.oracle,
    rewardToken,
    liquidityToken,
    m.getParameter("baseRateBps", YIELD_DEFAULTS.baseRateBps),
    m.getParameter("satPriceWad", YIELD_DEFAULTS.satPriceWad),
    m.getParameter("liquidityPriceWad", YIELD_DEFAULTS.liquidityPriceWad),
  ]);
  m.call(system.oracle, "setBalanceHook", [pool]);
  return { ...system, pool };
}

/**
 * Real networks: the reward and liquidity tokens are existing ERC-20s given as the required parameters
 * `rewardToken` and `liquidityToken` (they may be the same token). Fund the reserve afterwards with `fundRewards`.
 */
export default buildModule("Yield", (m) => {
  const rewardToken = m.getParameter<string>("rewardToken");
  const liquidityToken = m.getParameter<string>("liquidityToken");
  return buildYieldPool(m, rewardToken, liquidityToken);
});
