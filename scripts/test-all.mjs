// The project's whole test suite, as `npm test` runs it (and .ci/run, on a clean clone).
//
// Runs, in order: the contracts' build with solhint and prettier beside it; the Solidity tests' build with eslint
// (type-aware: it reads the typechain bindings the contracts' build generates), the type-checks (project and dashboard
// page) and the contract sizes beside it; the browser for the dashboard test (Debian chromium, apt-get installed when
// missing), Postgres and the subgraph package; every Hardhat test (Solidity unit/fuzz/invariant tests and mocha tests,
// one `hardhat test` run); the gas check and, when present, the subgraph checks. Steps in one group run at once (they
// read the tree and write nothing another reads; each one's output is printed whole when it ends): on two cores the
// lint and type-checks fill the time the single-threaded WebAssembly compiler leaves. Each lint step or check counts
// as one test; Hardhat's own summary lines give the Solidity and mocha counts. Ends with one plain line
// `N passed, M failed` and exits non-zero on any failure.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";

const solhint = {
  // Contracts with the project's rules (.solhint.json); the Solidity tests with test/solidity/.solhint.json on top
  // (test_/testFuzz_/invariant_ names, forge-std console, empty try/catch arms in handlers, ghost-total handlers).
  name: "solhint",
  cmd: "npx",
  args: ["solhint", "--max-warnings", "0", "contracts/**/*.sol", "test/solidity/**/*.sol"],
};
const subgraphChecks = {
  name: "subgraph checks",
  cmd: "npm",
  args: ["run", "--silent", "test:subgraph"],
  parse: parseHardhat,
};
const hasSubgraph = existsSync("subgraph/package.json") || existsSync("subgraph/subgraph.template.yaml");

/** Groups of steps, in order; the steps of one group run at once. */
const groups = [
  [
    { name: "compile contracts", cmd: "npx", args: ["hardhat", "build", "--no-tests"] },
    solhint,
    { name: "prettier", cmd: "npx", args: ["prettier", "--check", "."] },
  ],
  [
    { name: "compile Solidity tests", cmd: "npx", args: ["hardhat", "build", "--no-contracts"] },
    // The type-aware rules read the typechain bindings (types/ethers-contracts) the contracts' build generated.
    { name: "eslint", cmd: "npx", args: ["eslint", "--max-warnings", "0", "."] },
    { name: "typecheck", cmd: "npx", args: ["tsc", "--noEmit", "-p", "."] },
    // The dashboard page (browser code, DOM types) has its own tsconfig; Vite builds it when the server starts.
    { name: "typecheck dashboard", cmd: "npx", args: ["tsc", "--noEmit", "-p", "dashboard"] },
    // Deployed bytecode sizes against EIP-170 (fails over the limit).
    { name: "contract sizes", cmd: "node", args: ["scripts/contract-sizes.mjs"] },
  ],
  // The dashboard's browser test drives Debian's chromium: install it before the mocha run.
  [{ name: "chromium", cmd: "node", args: ["scripts/ensure-chromium.mjs"] }],
  // The store tests start a real Postgres server (Debian's postgresql, apt-get installed when missing).
  [{ name: "postgresql", cmd: "node", args: ["scripts/ensure-postgres.mjs"] }],
  // The scenario tests run the subgraph's compiled mappings: graph-cli comes from the subgraph package.
  [{ name: "subgraph package", cmd: "node", args: ["scripts/ensure-subgraph.mjs"] }],
  [{ name: "hardhat test", cmd: "npx", args: ["hardhat", "test", "--no-compile"], parse: parseHardhat }],
  [
    // The gas snapshot (snapshots/gas.json): fails when a figure regresses by more than 1% without the snapshot being
    // updated in the same commit, or docs/gas.md is not its rendering.
    { name: "gas check", cmd: "npx", args: ["hardhat", "run", "--no-compile", "bench/gas-snapshot.ts"] },
    // After the hardhat tests: both build the subgraph's mappings (graph codegen writes subgraph/generated).
    ...(hasSubgraph ? [subgraphChecks] : []),
  ],
];

/** Reads Hardhat's closing summary: "12 passing (3 solidity, 9 mocha)" / "2 failing (...)". */
function parseHardhat(output) {
  const passing = [...output.matchAll(/^\s*(\d+) passing\b/gm)].pop();
  const failing = [...output.matchAll(/^\s*(\d+) failing\b/gm)].pop();
  if (passing === undefined && failing === undefined) return undefined;
  return { passed: Number(passing?.[1] ?? 0), failed: Number(failing?.[1] ?? 0) };
}

/** Runs one step; alone, its output streams; beside others, it is printed whole when the step ends. */
function run(step, alone) {
  return new Promise((resolve) => {
    const started = Date.now();
    const header = `\n=== ${step.name}: ${step.cmd} ${step.args.join(" ")}\n`;
    if (alone) process.stdout.write(header);
    const child = spawn(step.cmd, step.args, {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, FORCE_COLOR: "0" },
    });
    let output = "";
    for (const stream of [child.stdout, child.stderr]) {
      stream.on("data", (chunk) => {
        output += chunk;
        if (alone) process.stdout.write(chunk);
      });
    }
    child.on("close", (code) => {
      if (!alone) process.stdout.write(header + output);
      resolve({ code: code ?? 1, output, seconds: (Date.now() - started) / 1000 });
    });
  });
}

let passed = 0;
let failed = 0;
const summary = [];
/** Counts one step's result into the totals and the summary. */
function tally(step, { code, output, seconds }) {
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

const started = Date.now();
for (const group of groups) {
  const results = await Promise.all(group.map((step) => run(step, group.length === 1)));
  group.forEach((step, i) => tally(step, results[i]));
}

console.log(`\n=== summary (${((Date.now() - started) / 1000).toFixed(1)} s)`);
for (const line of summary) console.log(`  ${line}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
