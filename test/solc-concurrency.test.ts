import os from "node:os";
import path from "node:path";

import { expect } from "chai";
import hre from "hardhat";

import solcConcurrencyPlugin, {
  groupSolidityTests,
  importGroups,
  solcJobs,
} from "../plugins/solc-concurrency.js";

describe("solc-concurrency plugin", function () {
  it("runs one solc job per available CPU unless SOLC_JOBS says otherwise", function () {
    expect(solcJobs({})).to.equal(os.availableParallelism());
    expect(solcJobs({ SOLC_JOBS: "3" })).to.equal(3);
    for (const bad of ["0", "-1", "1.5", "many", ""]) {
      expect(solcJobs({ SOLC_JOBS: bad }), bad).to.equal(os.availableParallelism());
    }
  });

  it("is registered in the Hardhat config", function () {
    expect(hre.config.plugins.map((p) => p.id)).to.include(solcConcurrencyPlugin.id);
  });

  it("groups each test with the handlers it imports, directly or not, each handler once", function () {
    const sources: Record<string, string> = {
      "/t/A.t.sol":
        'import "forge-std/Test.sol";\nimport {H} from "./handlers/H.sol";\nimport "./handlers/S.sol";',
      "/t/B.t.sol": 'import { S } from "./handlers/S.sol";\nimport "../../contracts/X.sol";',
      "/t/C.t.sol": "contract C {}",
      "/t/handlers/H.sol": 'import "./Deep.sol";',
      "/t/handlers/Deep.sol": "",
      "/t/handlers/S.sol": "",
      "/t/handlers/Orphan.sol": "",
    };
    const groups = importGroups(Object.keys(sources), (file) => sources[file] ?? "");
    expect(groups).to.deep.equal([
      ["/t/A.t.sol", "/t/handlers/H.sol", "/t/handlers/Deep.sol", "/t/handlers/S.sol"],
      ["/t/B.t.sol"],
      ["/t/C.t.sol"],
      ["/t/handlers/Orphan.sol"],
    ]);
  });

  it("gives each group of the project's Solidity tests one shared compiler entry, the contracts' settings", function () {
    const profile = hre.config.solidity.profiles.default;
    expect(profile?.isolated).to.equal(false);
    const [compiler] = profile?.compilers ?? [];
    const entryOf = (source: string) => profile?.overrides[source];
    const system = entryOf("test/solidity/System.t.sol");
    expect(system).to.not.equal(undefined);
    expect(system).to.not.equal(compiler); // a job of its own, not merged with the contracts
    expect(system?.settings).to.deep.equal(compiler?.settings);
    expect(entryOf("test/solidity/handlers/SystemHandler.sol")).to.equal(system); // same object: one job
    expect(entryOf("test/solidity/Oracle.t.sol")).to.not.equal(system);
    expect(entryOf("test/solidity/handlers/OracleHandler.sol")).to.equal(
      entryOf("test/solidity/Oracle.t.sol"),
    );
    // The Oracle keeps its own (size-first) optimizer settings.
    expect(entryOf("contracts/oracle/Oracle.sol")?.settings).to.not.deep.equal(compiler?.settings);
  });

  it("leaves an isolated profile and existing overrides alone", function () {
    const compiler = { type: "solc" as const, version: "0.8.28", settings: {}, path: "x", preferWasm: false };
    const own = { ...compiler, settings: { optimizer: { enabled: false } } };
    const root = path.resolve("/p");
    const grouped = {
      isolated: false,
      preferWasm: false,
      compilers: [compiler],
      overrides: { "t/A.t.sol": own },
    };
    groupSolidityTests(grouped, [["/p/t/A.t.sol", "/p/t/H.sol"]], root);
    expect(grouped.overrides["t/A.t.sol"]).to.equal(own);
    expect(grouped.overrides).to.have.property("t/H.sol").that.deep.equals(compiler);
    const isolated = { isolated: true, preferWasm: false, compilers: [compiler], overrides: {} };
    groupSolidityTests(isolated, [["/p/t/A.t.sol"]], root);
    expect(isolated.overrides).to.deep.equal({});
  });
});
