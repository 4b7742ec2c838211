/** One line per scenario step for reports and progress: "btc fund alice[0] 150000", "oracle sync", "expect rbtcFree". */
import type { BtcStep, DoStep, Expectations, OracleStep, Step } from "./scenario.js";

/** The step's label. */
export function labelOf(step: Step): string {
  const a = step.action;
  if ("expect" in a) return expectLabel(a);
  if ("btc" in a) return btcLabel(a);
  if ("oracle" in a) return oracleLabel(a);
  return doLabel(a);
}

function expectLabel(a: { expect: Expectations }): string {
  const fields = [
    ...Object.keys(a.expect.perUser),
    ...a.expect.global.map((g) => g.field),
    ...(a.expect.burnReasons.size > 0 ? ["emergencyBurnReasons"] : []),
  ];
  return `expect ${fields.join(", ")}`;
}

function btcLabel(a: BtcStep): string {
  switch (a.btc) {
    case "fund":
      return `btc fund ${a.user}[${a.address}] ${a.sats}`;
    case "spend":
      return `btc spend ${a.user}[${a.address}] ${a.sats}${a.feeSats > 0n ? ` fee ${a.feeSats}` : ""}`;
    case "mine":
      return `btc mine ${a.blocks}`;
    case "reorg":
      return `btc reorg depth ${a.depth}`;
  }
}

function oracleLabel(a: OracleStep): string {
  switch (a.oracle) {
    case "bind":
      return `oracle bind ${a.user}[${a.address}]`;
    case "kill-operator":
    case "revive-operator":
    case "operator-honest":
      return `oracle ${a.oracle} ${a.operator}`;
    case "operator-lies":
      return `oracle operator-lies ${a.operator} +${a.inflateSats} sats`;
    case "operator-lags":
      return `oracle operator-lags ${a.operator} ${a.blocks} blocks`;
    case "malicious-proposal":
      return `oracle malicious-proposal ${a.user} +${a.inflateSats} sats`;
    default:
      return `oracle ${a.oracle}`;
  }
}

function doLabel(a: DoStep): string {
  switch (a.do) {
    case "wrap":
    case "redeem":
    case "stakeWrBTC":
    case "unstakeWrBTC":
      return `do ${a.do} ${a.user} ${a.sats}`;
    case "transfer":
      return `do transfer ${a.token} ${a.from} → ${a.to} ${a.sats}`;
    case "depositFee":
      return `do depositFee ${a.user} ${a.wei} wei`;
    case "withdrawFee":
      return `do withdrawFee ${a.user} ${a.wei === "all" ? "all" : `${a.wei} wei`}`;
    case "advanceTime":
      return `do advanceTime ${a.seconds}s`;
    case "executeQueuedMint":
    case "cancelQueuedMint":
    case "joinYield":
    case "leaveYield":
    case "claimYield":
      return `do ${a.do} ${a.user}`;
    case "dispute":
      return `do dispute ${a.user} by ${a.challenger}: claims ${a.claimedSats}, bond ${a.bondWei} wei`;
    case "resolve":
      return `do resolve ${a.upheld ? `upheld → ${a.resolvedSats}` : "rejected"}`;
    case "expireDispute":
      return "do expireDispute";
    case "fundDisputeRewards":
      return `do fundDisputeRewards ${a.wei} wei`;
    case "depositLiquidity":
      return `do depositLiquidity ${a.user} ${a.units} units`;
    case "fundRewards":
      return `do fundRewards ${a.units} units`;
  }
}
