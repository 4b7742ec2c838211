import os from "node:os";

import { expect } from "chai";
import hre from "hardhat";

import solcConcurrencyPlugin, { solcJobs } from "../plugins/solc-concurrency.js";

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
});
