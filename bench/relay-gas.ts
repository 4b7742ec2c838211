/**
 * Gas of the Bitcoin light relay: a retarget (mainnet rules, real headers, 20 on each side as in production and 4 on
 * each side) and a 6-header proof chain (real mainnet headers), plus a whole regtest transaction proof and the
 * inclusion check of a real mainnet P2WPKH spend. Run: `npm run hh -- run bench/relay-gas.ts` (part of
 * `npm run bench`). The figures are in docs/gas.md; test/gas/relay-gas.test.ts holds them to regression bounds.
 */
import { network } from "hardhat";

import { measureRelayGas } from "../test/gas/relay-gas.js";

const connection = await network.create();
const rows = await measureRelayGas(connection);
console.log(
  "LightRelay gas (whole transaction: 21,000 base and calldata included; views by eth_estimateGas)",
);
console.table(rows.map((r) => ({ case: r.case, headers: r.headers, gas: Number(r.gas) })));
await connection.close();
