// Prints the deployed bytecode size of every contract under contracts/ (mocks excluded) against the EIP-170 limit,
// and exits 1 when one exceeds it. Reads the artifacts of the last `hardhat build`. `npm run sizes`; also a step of
// `npm test` (scripts/test-all.mjs), so CI prints the sizes.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const EIP170_LIMIT = 24_576;
const root = "artifacts/contracts";

function artifacts(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return artifacts(path);
    return name.endsWith(".json") && !name.endsWith(".dbg.json") ? [path] : [];
  });
}

const rows = artifacts(root)
  .filter((path) => !path.includes("/mocks/"))
  .map((path) => {
    const { contractName, deployedBytecode } = JSON.parse(readFileSync(path, "utf8"));
    return { contractName, bytes: (deployedBytecode.length - 2) / 2 };
  })
  .filter((row) => row.bytes > 0)
  .sort((a, b) => b.bytes - a.bytes);

if (rows.length === 0) {
  console.error("no artifacts under artifacts/contracts: run `npx hardhat build` first");
  process.exit(2);
}
const width = Math.max(...rows.map((r) => r.contractName.length));
console.log(`${"contract".padEnd(width)}  bytes   headroom (EIP-170: ${EIP170_LIMIT})`);
for (const { contractName, bytes } of rows) {
  console.log(
    `${contractName.padEnd(width)}  ${String(bytes).padStart(6)}  ${String(EIP170_LIMIT - bytes).padStart(6)}`,
  );
}
const over = rows.filter((r) => r.bytes > EIP170_LIMIT);
if (over.length > 0) {
  console.error(`over the EIP-170 limit: ${over.map((r) => r.contractName).join(", ")}`);
  process.exit(1);
}
