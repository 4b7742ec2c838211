// `npm run bench`: every benchmark in turn, each printing its own figures. Benchmarks measure; tests don't time.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const benches = [
  { file: "bench/bitcoin-balances.ts", cmd: ["npx", "tsx", "bench/bitcoin-balances.ts"] },
  { file: "bench/oracle-round.ts", cmd: ["npx", "hardhat", "run", "bench/oracle-round.ts"] },
  { file: "bench/oracle-operators.ts", cmd: ["npx", "hardhat", "run", "bench/oracle-operators.ts"] },
  { file: "bench/query.ts", cmd: ["npx", "hardhat", "run", "bench/query.ts"] },
  { file: "bench/store.ts", cmd: ["npx", "hardhat", "run", "bench/store.ts"] },
  { file: "bench/dashboard.ts", cmd: ["npx", "hardhat", "run", "bench/dashboard.ts"] },
  { file: "bench/relay-gas.ts", cmd: ["npx", "hardhat", "run", "bench/relay-gas.ts"] },
  { file: "bench/gas-snapshot.ts", cmd: ["npx", "hardhat", "run", "bench/gas-snapshot.ts"] },
  { file: "bench/sync-batches.ts", cmd: ["npx", "hardhat", "run", "bench/sync-batches.ts"] },
  {
    file: "scenarios/bench/1000-users.json",
    cmd: ["npx", "hardhat", "sim:run", "--scenario", "scenarios/bench/1000-users.json"],
  },
];

let failed = 0;
for (const bench of benches) {
  if (!existsSync(bench.file)) continue;
  console.log(`\n=== ${bench.file}`);
  const result = spawnSync(bench.cmd[0], bench.cmd.slice(1), { stdio: "inherit" });
  if (result.status !== 0) failed += 1;
}
process.exit(failed === 0 ? 0 : 1);
