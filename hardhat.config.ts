import { createRequire } from "node:module";

import hardhatToolboxMochaEthersPlugin from "@nomicfoundation/hardhat-toolbox-mocha-ethers";
import { configVariable, defineConfig } from "hardhat/config";

import solcConcurrencyPlugin from "./plugins/solc-concurrency.js";
import warningsOncePlugin from "./plugins/warnings-once.js";
import { tasks } from "./tasks/index.js";

const require = createRequire(import.meta.url);

// The compiler comes from the npm `solc` package (soljson.js, a WebAssembly build): nothing is
// downloaded from anywhere but the npm registry. Its version is the package's version, so the
// config and the compiler can never disagree. See docs/architecture.md ("Compiler").
const solcVersion: string = (require("solc/package.json") as { version: string }).version;
const solcPath = require.resolve("solc/soljson.js");

/** Optimizer runs: deployed contracts are called far more often than they are deployed. */
const OPTIMIZER_RUNS = 10_000;
/** Optimizer runs of the Oracle: low enough that its code fits the EIP-170 size limit. */
const ORACLE_OPTIMIZER_RUNS = 200;

/** A compiler entry: the npm WebAssembly solc with the given optimizer runs. */
function compiler(runs: number) {
  return {
    version: solcVersion,
    path: solcPath,
    settings: { optimizer: { enabled: true, runs }, evmVersion: "cancun" },
  };
}

/**
 * The build of every task and of deployments (see `solidity.profiles`).
 *
 * Not `isolated`: Hardhat merges every root file that shares a compiler entry (by reference) into one solc job, so the
 * contracts compile in two jobs (10,000 runs, and the Oracle's) instead of one job per file, each recompiling its
 * imports — the WebAssembly solc is slow, and that was most of a cold build. The Solidity tests compile in groups
 * (plugins/solc-concurrency.ts): one WebAssembly job over all of them runs out of memory ("memory access out of bounds").
 */
const buildProfile = {
  isolated: false,
  // The Hardhat version in the build info, as a production build records it (for verification tools).
  toolVersionsInBuildInfo: true,
  compilers: [compiler(OPTIMIZER_RUNS)],
  overrides: {
    // The Oracle carries the committee, bindings, caps, disputes and emergency burns: at 10,000 runs its code
    // exceeds the 24,576-byte limit (EIP-170), so it is optimised for size first.
    "contracts/oracle/Oracle.sol": compiler(ORACLE_OPTIMIZER_RUNS),
  },
};

/** Fuzz/invariant depth: small locally, deep in CI (`CI=true`, or FUZZ_RUNS to override). */
const fuzzRuns = Number(process.env.FUZZ_RUNS ?? (process.env.CI === "true" ? 1024 : 256));
const invariantRuns = Number(process.env.INVARIANT_RUNS ?? (process.env.CI === "true" ? 128 : 64));

/** Block gas limit of local networks (Ethereum mainnet's current 60M), so batch sizing matches mainnet. */
const BLOCK_GAS_LIMIT = 60_000_000n;

export default defineConfig({
  plugins: [hardhatToolboxMochaEthersPlugin, solcConcurrencyPlugin, warningsOncePlugin],
  tasks,
  paths: {
    ignition: "deploy",
    tests: { mocha: "test", solidity: "test/solidity" },
  },
  solidity: {
    // One build for every task: `ignition deploy` builds with the "production" profile and every other task with
    // "default". Hardhat derives an unset production profile from the default one *without its settings* (optimizer
    // at 200 runs for every contract), so a deploy would recompile everything and deploy other bytecode than the tests
    // measured. Both profiles are the same object, so the artifacts of one serve the other.
    profiles: { default: buildProfile, production: buildProfile },
    // Contracts and Solidity tests compile in separate passes: one WebAssembly solc job over everything runs out of
    // memory ("memory access out of bounds") now that the test handlers are large.
    splitTestsCompilation: true,
  },
  test: {
    solidity: {
      fuzz: { runs: fuzzRuns },
      invariant: { runs: invariantRuns, depth: 40, failOnRevert: false },
    },
  },
  chainDescriptors: {
    // chainType "l1": EDR applies a descriptor only to networks of the same chain type (the `fork` network is l1).
    31337: { name: "Local node", chainType: "l1", hardforkHistory: { prague: { blockNumber: 0 } } },
  },
  networks: {
    // The in-process network every task uses by default (Hardhat 3 names it "default").
    default: { type: "edr-simulated", chainType: "l1", blockGasLimit: BLOCK_GAS_LIMIT },
    // `hardhat node --hostname 127.0.0.1`; LOCALHOST_RPC_URL (environment or keystore) points it at another port.
    localhost: {
      type: "http",
      chainType: "l1",
      url: configVariable("LOCALHOST_RPC_URL", { default: "http://127.0.0.1:8545" }),
    },
    fork: {
      type: "edr-simulated",
      chainType: "l1",
      blockGasLimit: BLOCK_GAS_LIMIT,
      forking: {
        url: configVariable("FORK_RPC_URL"),
        ...(process.env.FORK_BLOCK_NUMBER ? { blockNumber: BigInt(process.env.FORK_BLOCK_NUMBER) } : {}),
      },
    },
    sepolia: {
      type: "http",
      chainType: "l1",
      url: configVariable("SEPOLIA_RPC_URL"),
      accounts: [configVariable("SEPOLIA_DEPLOYER_KEY")],
    },
  },
});
