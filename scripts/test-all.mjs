// The project's whole test suite, as `npm test` runs it (and .ci/run, on a clean clone).
//
// Runs, in order: lint (solhint, prettier), compile, eslint (type-aware: after the build) + type-check (project and dashboard page), the
// browser for the dashboard test (Debian chromium, apt-get installed when missing), every Hardhat test (Solidity
// unit/fuzz/invariant tests and mocha tests, one `hardhat test` run) and, when present, the subgraph checks. Each lint step or
// check counts as one test; Hardhat's own summary lines give the Solidity and mocha counts. Ends with one plain line
// `N passed, M failed` and exits non-zero on any failure.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";

const steps = [
  // Contracts with the project's rules (.solhint.json); the Solidity tests with test/solidity/.solhint.json on top
  // (test_/testFuzz_/invariant_ names, forge-std console, empty try/catch arms in handlers, ghost-total handlers).
  {
    name: "solhint",
    cmd: "npx",
    args: ["solhint", "--max-warnings", "0", "contracts/**/*.sol", "test/solidity/**/*.sol"],
  },
  { name: "prettier", cmd: "npx", args: ["prettier", "--check", "."] },
  { name: "compile", cmd: "npx", args: ["hardhat", "build"] },
  // After the build: the type-aware rules read the typechain bindings (types/ethers-contracts) it generates.
  { name: "eslint", cmd: "npx", args: ["eslint", "--max-warnings", "0", "."] },
  // Deployed bytecode sizes against EIP-170 (fails over the limit).
  { name: "contract sizes", cmd: "node", args: ["scripts/contract-sizes.mjs"] },
  { name: "typecheck", cmd: "npx", args: ["tsc", "--noEmit", "-p", "."] },
  // The dashboard page (browser code, DOM types) has its own tsconfig; Vite builds it when the server starts.
  { name: "typecheck dashboard", cmd: "npx", args: ["tsc", "--noEmit", "-p", "dashboard"] },
  // The dashboard's browser test drives Debian's chromium: install it before the mocha run.
  { name: "chromium", cmd: "node", args: ["scripts/ensure-chromium.mjs"] },
  // The store tests start a real Postgres server (Debian's postgresql, apt-get installed when missing).
  { name: "postgresql", cmd: "node", args: ["scripts/ensure-postgres.mjs"] },
  // The scenario tests run the subgraph's compiled mappings: graph-cli comes from the subgraph package.
  { name: "subgraph package", cmd: "node", args: ["scripts/ensure-subgraph.mjs"] },
  { name: "hardhat test", cmd: "npx", args: ["hardhat", "test", "--no-compile"], parse: parseHardhat },
  // The gas snapshot (snapshots/gas.json): fails when a figure regresses by more than 1% without the snapshot being
  // updated in the same commit, or docs/gas.md is not its rendering.
  { name: "gas check", cmd: "npx", args: ["hardhat", "run", "--no-compile", "bench/gas-snapshot.ts"] },
];
if (existsSync("subgraph/package.json") || existsSync("subgraph/subgraph.template.yaml")) {
  steps.push({
    name: "subgraph checks",
    cmd: "npm",
    args: ["run", "--silent", "test:subgraph"],
    parse: parseHardhat,
  });
}

/** Reads Hardhat's closing summary: "12 passing (3 solidity, 9 mocha)" / "2 failing (...)". */
function parseHardhat(output) {
  const passing = [...output.matchAll(/^\s*(\d+) passing\b/gm)].pop();
  const failing = [...output.matchAll(/^\s*(\d+) failing\b/gm)].pop();
  if (passing === undefined && failing === undefined) return undefined;
  return { passed: Number(passing?.[1] ?? 0), failed: Number(failing?.[1] ?? 0) };
}

function run(step) {
  return new Promise((resolve) => {
    const started = Date.now();
    console.log(`\n=== ${step.name}: ${step.cmd} ${step.args.join(" ")}`);
    const child = spawn(step.cmd, step.args, {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, FORCE_COLOR: "0" },
    });
    let output = "";
    for (const stream of [child.stdout, child.stderr]) {
      stream.on("data", (chunk) => {
        output += chunk;
        process.stdout.write(chunk);
      });
    }
    child.on("close", (code) => resolve({ code: code ?? 1, output, seconds: (Date.now() - started) / 1000 }));
  });
}

let passed = 0;
let failed = 0;
const summary = [];
for (const step of steps) {
  const { code, output, seconds } = await run(step);
  const counts = step.parse?.(output);
  if (counts !== undefined) {
    // A runner that exited non-zero without reporting a failure still failed (crash, compile error).
    const extraFailure = code !== 0 && counts.failed === 0 ? 1 : 0;
    passed += counts.passed;
    failed += counts.failed + extraFailure;
    summary.push(
      `${step.name}: ${counts.passed} passed, ${counts.failed + extraFailure} failed (${seconds.toFixed(1)} s)`,
    );
  } else if (code === 0 && step.parse === undefined) {
    passed += 1;
    summary.push(`${step.name}: ok (${seconds.toFixed(1)} s)`);
  } else {
    failed += 1;
    summary.push(`${step.name}: FAILED, exit ${code} (${seconds.toFixed(1)} s)`);
  }
}

console.log("\n=== summary");
for (const line of summary) console.log(`  ${line}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
