import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import { YIELD_DEFAULTS, buildYieldPool } from "./Yield.js";

/**
 * LOCAL NETWORKS ONLY (the in-process network, `hardhat node`): deploys `MockStable` (an open-mint test ERC-20,
 * contracts/mocks/) as both the reward and the liquidity token, deploys the pool through `buildYieldPool`, and funds
 * the reward reserve with `localRewardFunding` freshly minted MockStable so yield can be paid at once.
 */
export default buildModule("YieldLocal", (m) => {
  const deployer = m.getAccount(0);
  const stable = m.contract("MockStable", []);
  const deployed = buildYieldPool(m, stable, stable);
  const funding = m.getParameter("localRewardFunding", YIELD_DEFAULTS.localRewardFunding);
  const minted = m.call(stable, "mint", [deployer, funding]);
  const approved = m.call(stable, "approve", [deployed.pool, funding], { after: [minted] });
  m.call(deployed.pool, "fundRewards", [funding], { after: [approved] });
  return { ...deployed, stable };
});
