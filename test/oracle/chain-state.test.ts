import { expect } from "chai";
import { AbiCoder, getAddress, keccak256, toUtf8Bytes } from "ethers";

import { decodeBindings, decodeStaticArray } from "../../src/oracle/chain-state.js";

const coder = AbiCoder.defaultAbiCoder();
const address = (i: number) => getAddress(keccak256(toUtf8Bytes(`user-${i}`)).slice(0, 42));

describe("chain-state decoders", function () {
  context("decodeBindings", function () {
    it("reads (address, string)[] exactly as ethers' decoder does", function () {
      const bindings = [
        [address(1), "bcrt1qy3wvz7n8kxh4r4d0sa9cfqsavferwfgnn85ft6"],
        [address(2), "bcrt1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqc8gma6"],
        [address(3), "mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn"],
      ];
      const data = coder.encode(["tuple(address,string)[]"], [bindings]);
      expect(decodeBindings(data)).to.deep.equal(
        bindings.map(([user, btcAddress]) => ({ user, btcAddress })),
      );
    });

    it("reads an empty page", function () {
      expect(decodeBindings(coder.encode(["tuple(address,string)[]"], [[]]))).to.deep.equal([]);
    });

    it("rejects truncated data and a user word that is not an address", function () {
      const data = coder.encode(["tuple(address,string)[]"], [[[address(1), "bcrt1qxyz"]]]);
      expect(() => decodeBindings(data.slice(0, data.length - 64))).to.throw(/too short/);
      // Words: array offset, length, the element's offset, then the tuple: its first word is the user.
      const dirty = `${data.slice(0, 2 + 64 * 3)}ff${data.slice(2 + 64 * 3 + 2)}`;
      expect(() => decodeBindings(dirty)).to.throw(/not an address/);
    });
  });

  context("decodeStaticArray", function () {
    it("reads address[] and static tuple arrays as ethers' decoder does", function () {
      const users = [address(1), address(2)];
      const rows = decodeStaticArray(coder.encode(["address[]"], [users]), 1);
      expect(
        rows.map(([w]) => getAddress(`0x${(w as bigint).toString(16).padStart(40, "0")}`)),
      ).to.deep.equal(users);
      const views = [
        [150_000n, 3n, 812n, 1_700_000_000n, 2n, 0n, 5n, 0n],
        [0n, 0n, 0n, 0n, 1n, 7n, 0n, 9n],
      ];
      const data = coder.encode(
        ["tuple(uint64,uint64,uint64,uint64,uint16,uint64,uint64,uint64)[]"],
        [views],
      );
      expect(decodeStaticArray(data, 8)).to.deep.equal(views);
    });

    it("rejects data shorter than its declared length", function () {
      const data = coder.encode(["address[]"], [[address(1), address(2)]]);
      expect(() => decodeStaticArray(data.slice(0, data.length - 64), 1)).to.throw(/too short/);
    });
  });
});
