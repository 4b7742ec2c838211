/**
 * The deadline committee signatures carry: `lifetimeSeconds` after the chain's "now". "Now" is the latest block's
 * timestamp, or the wall clock when that block is older: a chain that mines only on demand (`hardhat node`) stamps its
 * next block with the wall clock, so after ten idle minutes a deadline counted from its latest block — ten minutes
 * old — had already passed when the transaction was mined (`OracleReportExpired`). On a live chain the two agree to a
 * block time; on a chain ahead of the wall clock (time travel in tests) the block wins.
 */
export function deadlineFrom(
  blockTimestamp: number | bigint,
  lifetimeSeconds: bigint,
  nowMs: number = Date.now(),
): bigint {
  const block = BigInt(blockTimestamp);
  const wall = BigInt(Math.floor(nowMs / 1000));
  return (block > wall ? block : wall) + lifetimeSeconds;
}
