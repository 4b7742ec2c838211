import { expect } from "chai";
import { network } from "hardhat";

import type { RelayGasRow } from "./relay-gas.js";
import { measureRelayGas } from "./relay-gas.js";

const connection = await network.create();

/** Regression bounds (measured figures are in docs/gas.md; `npm run bench` prints them). */
const BOUNDS: Record<string, bigint> = {
  "retarget, mainnet rules, 20 + 20 headers (741,888)": 210_000n,
  "retarget, mainnet rules, 4 + 4 headers (554,400)": 92_000n,
  "validateProofWork, 6 mainnet headers (factor 6)": 54_000n,
  "validateChain, 6 mainnet headers": 50_000n,
  "inclusion of the mainnet P2WPKH spend of block 883,230 (segwit parse, coinbase, 2 × 10-level proofs)":
    78_000n,
  "verifyTransaction, regtest, 1-in/2-out spend + coinbase + 6 headers": 76_000n,
};

describe("gas: LightRelay", function () {
  let rows: RelayGasRow[];
  before(async function () {
    rows = await measureRelayGas(connection);
    console.log("\n    LightRelay gas (whole transaction: 21,000 base and calldata included)");
    console.table(rows.map((r) => ({ ...r, gas: Number(r.gas) })));
  });

  it("stays within the regression bound of every case", function () {
    expect(rows.map((r) => r.case)).to.deep.equal(Object.keys(BOUNDS));
    for (const row of rows) expect(row.gas, row.case).to.be.at.most(BOUNDS[row.case] as bigint);
  });
});
