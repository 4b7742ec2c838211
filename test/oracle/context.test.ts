import { expect } from "chai";
import hre from "hardhat";

import { UserInputError } from "../../src/errors.js";
import {
  OPERATOR_KEYS_VARIABLE,
  parseOperatorKeys,
  resolveConfigVariable,
} from "../../src/oracle/context.js";
import { hardhatWallet } from "../../src/oracle/signing.js";

describe("operator keys", function () {
  context("parseOperatorKeys", function () {
    it("reads comma-separated keys with or without 0x and spaces", function () {
      const [a, b] = [hardhatWallet(1), hardhatWallet(2)];
      const wallets = parseOperatorKeys(` ${a.privateKey}, ${b.privateKey.slice(2)} ,`);
      expect(wallets.map((w) => w.address)).to.deep.equal([a.address, b.address]);
    });

    it("rejects a malformed entry without echoing it", function () {
      const secret = "0xdeadbeef";
      expect(() => parseOperatorKeys(`${hardhatWallet(1).privateKey},${secret}`))
        .to.throw(UserInputError, /entry 2 is not a 32-byte hex private key/)
        .and.satisfy((e: Error) => !e.message.includes(secret));
    });
  });

  context("resolveConfigVariable", function () {
    it("takes the environment variable first, as Hardhat's configVariable does", async function () {
      const previous = process.env[OPERATOR_KEYS_VARIABLE];
      process.env[OPERATOR_KEYS_VARIABLE] = "0xabc";
      try {
        expect(await resolveConfigVariable(hre.hooks, OPERATOR_KEYS_VARIABLE)).to.equal("0xabc");
      } finally {
        if (previous === undefined) delete process.env[OPERATOR_KEYS_VARIABLE];
        else process.env[OPERATOR_KEYS_VARIABLE] = previous;
      }
    });
  });
});
