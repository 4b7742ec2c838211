import { readFileSync } from "node:fs";

import { expect } from "chai";

import { RELAY_RULES } from "../../deploy/modules/LightRelay.js";

describe("relay parameter files", function () {
  for (const network of ["mainnet", "testnet4"] as const) {
    it(`deploy/parameters/relay-${network}.json carries RELAY_RULES.${network} and a placeholder genesis`, function () {
      const file = JSON.parse(readFileSync(`deploy/parameters/relay-${network}.json`, "utf8")) as {
        LightRelay: { rules: unknown; genesisHeader: string; genesisHeight: string };
      };
      expect(file.LightRelay.rules).to.deep.equal(RELAY_RULES[network]);
      expect(file.LightRelay.genesisHeader).to.match(/^REPLACE_ME/);
      expect(file.LightRelay.genesisHeight).to.match(/^REPLACE_ME/);
    });
  }
});
