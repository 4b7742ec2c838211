import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import YieldModule from "./Yield.js";

/**
 * The YieldScalesPool's part of the last deployment step on a real network (run it with `AdminHandover`, same
 * `finalAdmin`): deploys (or reuses) `Yield`, grants `YIELD_ADMIN_ROLE` (base rate, prices, pause/unpause — the pool
 * has no separate pauser role) to `finalAdmin` and begins the two-step default-admin handover of the pool
 * (`ADMIN_TRANSFER_DELAY` = 1 day, then `finalAdmin` calls `acceptDefaultAdminTransfer()`). The deployer keeps
 * `YIELD_ADMIN_ROLE` until the new admin revokes it (docs/operations.md).
 */
export default buildModule("YieldAdminHandover", (m) => {
  const { pool } = m.useModule(YieldModule);
  const finalAdmin = m.getParameter<string>("finalAdmin");
  // No `after: [YieldModule]` (as AdminHandover has for ReserveBTC): with it, Ignition's in-process deploy hung until
  // the heap ran out in our test (Yield uses ReserveBTC in turn). The calls depend on the pool future, which is all
  // the ordering they need.
  const grant = m.call(pool, "grantRole", [m.staticCall(pool, "YIELD_ADMIN_ROLE"), finalAdmin], {
    id: "pool_YIELD_ADMIN",
  });
  m.call(pool, "beginDefaultAdminTransfer", [finalAdmin], { after: [grant], id: "pool_handover" });

  return { pool };
});
