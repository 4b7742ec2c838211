import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import ReserveBTCModule from "./ReserveBTC.js";

/**
 * The last deployment step on a real network: deploys (or reuses) `ReserveBTC`, grants the operational roles to
 * `finalAdmin` and begins the two-step default-admin handover of every contract to it (`ADMIN_TRANSFER_DELAY` = 1 day,
 * then `finalAdmin` calls `acceptDefaultAdminTransfer()` on each contract). Deploy this module instead of
 * `ReserveBTC` only when `finalAdmin` differs from the deployer; local networks skip it. The deployer keeps its
 * operational roles until the new admin revokes them (docs: operations runbook).
 *
 * `ProofOfReserves` has one role, CONFIG_ROLE (the secure-mint gate's maximum round age; rounds themselves are
 * committee-signed). The optional YieldScalesPool has its own module, `YieldAdminHandover` (same `finalAdmin`).
 */
export default buildModule("AdminHandover", (m) => {
  const { rbtc, wrbtc, feePolicy, feeVault, oracle, disputeManager, proofOfReserves } =
    m.useModule(ReserveBTCModule);
  const finalAdmin = m.getParameter<string>("finalAdmin");
  const wired = { after: [ReserveBTCModule] };

  m.call(oracle, "grantRole", [m.staticCall(oracle, "CONFIG_ROLE"), finalAdmin], {
    ...wired,
    id: "oracle_CONFIG",
  });
  m.call(oracle, "grantRole", [m.staticCall(oracle, "GUARDIAN_ROLE"), finalAdmin], {
    ...wired,
    id: "oracle_GUARDIAN",
  });
  m.call(wrbtc, "grantRole", [m.staticCall(wrbtc, "GUARDIAN_ROLE"), finalAdmin], {
    ...wired,
    id: "wrbtc_GUARDIAN",
  });
  m.call(feePolicy, "grantRole", [m.staticCall(feePolicy, "FEE_ADMIN_ROLE"), finalAdmin], {
    ...wired,
    id: "feePolicy_FEE_ADMIN",
  });
  m.call(disputeManager, "grantRole", [m.staticCall(disputeManager, "CONFIG_ROLE"), finalAdmin], {
    ...wired,
    id: "disputeManager_CONFIG",
  });
  m.call(disputeManager, "grantRole", [m.staticCall(disputeManager, "RESOLVER_ROLE"), finalAdmin], {
    ...wired,
    id: "disputeManager_RESOLVER",
  });
  m.call(proofOfReserves, "grantRole", [m.staticCall(proofOfReserves, "CONFIG_ROLE"), finalAdmin], {
    ...wired,
    id: "proofOfReserves_CONFIG",
  });
  for (const [name, contract] of [
    ["rbtc", rbtc],
    ["wrbtc", wrbtc],
    ["feePolicy", feePolicy],
    ["feeVault", feeVault],
    ["oracle", oracle],
    ["disputeManager", disputeManager],
    ["proofOfReserves", proofOfReserves],
  ] as const) {
    m.call(contract, "beginDefaultAdminTransfer", [finalAdmin], { ...wired, id: `${name}_handover` });
  }

  return { rbtc, wrbtc, feePolicy, feeVault, oracle, disputeManager, proofOfReserves };
});
