import { sha256 } from "@noble/hashes/sha2.js";
import { bech32, bech32m, createBase58check, hex } from "@scure/base";
import { expect } from "chai";

import { isValidAddress, parseAddress } from "../../src/bitcoin/address.js";
import type { AddressType } from "../../src/bitcoin/address.js";
import type { BitcoinNetwork } from "../../src/bitcoin/networks.js";
import { UserInputError } from "../../src/errors.js";

/** Published vectors (BIP-173/350, bip322-js docs, Bitcoin wiki) with their output scripts. */
const VALID: Array<{ network: BitcoinNetwork; type: AddressType; address: string; script: string }> = [
  {
    network: "mainnet",
    type: "p2pkh",
    address: "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
    script: "76a91477bff20c60e522dfaa3350c39b030a5d004e839a88ac",
  },
  {
    network: "mainnet",
    type: "p2sh",
    address: "3HSVzEhCFuH9Z3wvoWTexy7BMVVp3PjS6f",
    script: "a914acc33311c263691a8d98604609cd55ed1aa34ab387",
  },
  {
    network: "mainnet",
    type: "p2wpkh",
    address: "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
    script: "0014751e76e8199196d454941c45d1b3a323f1433bd6",
  },
  {
    network: "mainnet",
    type: "p2wsh",
    address: "bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3",
    script: "00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262",
  },
  {
    network: "mainnet",
    type: "p2tr",
    address: "bc1ppv609nr0vr25u07u95waq5lucwfm6tde4nydujnu8npg4q75mr5sxq8lt3",
    script: "51200b34f2cc6f60d54e3fdc2d1dd053fcc393bd2db9acc8de4a7c3cc28a83d4d8e9",
  },
  {
    network: "testnet",
    type: "p2pkh",
    address: "muZpTpBYhxmRFuCjLc7C6BBDF32C8XVJUi",
    script: "76a9149a1c78a507689f6f54b847ad1cef1e614ee23f1e88ac",
  },
  {
    network: "testnet",
    type: "p2sh",
    address: "2MzQwSSnBHWHqSAqtTVQ6v47XtaisrJa1Vc",
    script: "a9144e9f39ca4688ff102128ea4ccda34105324305b087",
  },
  {
    network: "testnet",
    type: "p2wpkh",
    address: "tb1q9vza2e8x573nczrlzms0wvx3gsqjx7vaxwd45v",
    script: "00142b05d564e6a7a33c087f16e0f730d1440123799d",
  },
  {
    network: "testnet",
    type: "p2wsh",
    address: "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7",
    script: "00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262",
  },
  {
    network: "testnet",
    type: "p2tr",
    address: "tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c",
    script: "5120000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433",
  },
  {
    network: "signet",
    type: "p2pkh",
    address: "muZpTpBYhxmRFuCjLc7C6BBDF32C8XVJUi",
    script: "76a9149a1c78a507689f6f54b847ad1cef1e614ee23f1e88ac",
  },
  {
    network: "signet",
    type: "p2sh",
    address: "2MzQwSSnBHWHqSAqtTVQ6v47XtaisrJa1Vc",
    script: "a9144e9f39ca4688ff102128ea4ccda34105324305b087",
  },
  {
    network: "signet",
    type: "p2wpkh",
    address: "tb1q9vza2e8x573nczrlzms0wvx3gsqjx7vaxwd45v",
    script: "00142b05d564e6a7a33c087f16e0f730d1440123799d",
  },
  {
    network: "signet",
    type: "p2wsh",
    address: "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7",
    script: "00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262",
  },
  {
    network: "signet",
    type: "p2tr",
    address: "tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c",
    script: "5120000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433",
  },
  {
    network: "regtest",
    type: "p2pkh",
    address: "muZpTpBYhxmRFuCjLc7C6BBDF32C8XVJUi",
    script: "76a9149a1c78a507689f6f54b847ad1cef1e614ee23f1e88ac",
  },
  {
    network: "regtest",
    type: "p2sh",
    address: "2MzQwSSnBHWHqSAqtTVQ6v47XtaisrJa1Vc",
    script: "a9144e9f39ca4688ff102128ea4ccda34105324305b087",
  },
  {
    network: "regtest",
    type: "p2wpkh",
    address: "bcrt1q9vza2e8x573nczrlzms0wvx3gsqjx7vay85cr9",
    script: "00142b05d564e6a7a33c087f16e0f730d1440123799d",
  },
  {
    network: "regtest",
    type: "p2wsh",
    address: "bcrt1qruu5mtcgx8fpz58uquwjke6tte88uykrr06nhgu9eruv2j370lesyhj9au",
    script: "00201f394daf0831d21150fc071d2b674b5e4e7e12c31bf53ba385c8f8c54a3e7ff3",
  },
  {
    network: "regtest",
    type: "p2tr",
    address: "bcrt1p5tm5kzqpflhxkkzhl7x4f0nnfygp38hxz4erdq4ffhpqgmgket9sty4pzc",
    script: "5120a2f74b08014fee6b5857ff8d54be734910189ee615723682a94dc2046d16cacb",
  },
];

const words = (version: number, bytes: number) => [version, ...bech32.toWords(new Uint8Array(bytes).fill(7))];
const base58check = createBase58check(sha256);

/** [description, address, network, expected message fragment] */
const INVALID: Array<[string, string, BitcoinNetwork, string]> = [
  [
    "a corrupted bech32 checksum",
    "bc1q9vza2e8x573nczrlzms0wvx3gsqjx7vavgkx0m",
    "mainnet",
    "bech32 checksum invalid",
  ],
  [
    "a testnet bech32 address on mainnet",
    "tb1q9vza2e8x573nczrlzms0wvx3gsqjx7vaxwd45v",
    "mainnet",
    "testnet address on mainnet",
  ],
  [
    "a testnet base58 address on mainnet",
    "muZpTpBYhxmRFuCjLc7C6BBDF32C8XVJUi",
    "mainnet",
    "testnet address on mainnet",
  ],
  [
    "a mainnet address on testnet",
    "bc1q9vza2e8x573nczrlzms0wvx3gsqjx7vavgkx0l",
    "testnet",
    "mainnet address on testnet",
  ],
  [
    "a mainnet address on signet",
    "3HSVzEhCFuH9Z3wvoWTexy7BMVVp3PjS6f",
    "signet",
    "mainnet address on signet",
  ],
  [
    "a regtest address on mainnet",
    "bcrt1q9vza2e8x573nczrlzms0wvx3gsqjx7vay85cr9",
    "mainnet",
    "regtest address on mainnet",
  ],
  [
    "a testnet bech32 address on regtest",
    "tb1q9vza2e8x573nczrlzms0wvx3gsqjx7vaxwd45v",
    "regtest",
    "testnet address on regtest",
  ],
  [
    "a mainnet address on regtest",
    "bc1q9vza2e8x573nczrlzms0wvx3gsqjx7vavgkx0l",
    "regtest",
    "mainnet address on regtest",
  ],
  [
    "a witness v2 address (BIP-350 vector)",
    "bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs",
    "mainnet",
    "unsupported witness version 2",
  ],
  [
    "a v1 program with a bech32 checksum",
    bech32.encode("bc", words(1, 32)),
    "mainnet",
    "witness v1 address must use bech32m",
  ],
  [
    "a v0 program with a bech32m checksum",
    bech32m.encode("bc", words(0, 20)),
    "mainnet",
    "witness v0 address must use bech32, not bech32m",
  ],
  [
    "a 16-byte v0 program",
    bech32.encode("bc", words(0, 16)),
    "mainnet",
    "invalid witness v0 program length 16",
  ],
  [
    "a 20-byte v1 program",
    bech32m.encode("bc", words(1, 20)),
    "mainnet",
    "unsupported witness v1 program length 20",
  ],
  ["mixed case", "bc1q9vza2e8x573nczrlzms0wvx3gsqjx7vavgkX0l", "mainnet", "mixes upper and lower case"],
  [
    "a character outside the bech32 alphabet",
    "bc1q9vza2e8x573nczrlzms0wvx3gsqjx7vavgkb0l",
    "mainnet",
    'invalid bech32 character "b"',
  ],
  [
    "an unknown bech32 prefix",
    "ltc1qw508d6qejxtdg4y5r3zarvary0c5xw7kgmn4n9",
    "mainnet",
    'unknown bech32 prefix "ltc"',
  ],
  ["a corrupted base58 checksum", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3", "mainnet", "base58 checksum invalid"],
  [
    "a character outside the base58 alphabet",
    "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN0",
    "mainnet",
    'invalid base58 character "0"',
  ],
  [
    "an unknown base58 version (Litecoin)",
    base58check.encode(new Uint8Array(21).fill(0x30, 0, 1)),
    "mainnet",
    "unknown base58 address version 0x30",
  ],
  [
    "a base58 payload of the wrong length",
    base58check.encode(new Uint8Array(25)),
    "mainnet",
    "invalid base58 address length",
  ],
  ["an empty string", "  ", "mainnet", "empty bitcoin address"],
];

describe("parseAddress", function () {
  context("when the address is valid for the network", function () {
    for (const v of VALID) {
      it(`parses a ${v.network} ${v.type} address into its output script`, function () {
        const parsed = parseAddress(v.address, v.network);
        expect(parsed.type).to.equal(v.type);
        expect(parsed.network).to.equal(v.network);
        expect(hex.encode(parsed.scriptPubKey)).to.equal(v.script);
      });
    }

    it("accepts upper-case bech32 and returns it lower-cased", function () {
      const parsed = parseAddress("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "mainnet");
      expect(parsed.address).to.equal("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4");
    });
  });

  context("when the address is invalid", function () {
    for (const [what, address, network, message] of INVALID) {
      it(`rejects ${what} with "${message}"`, function () {
        expect(() => parseAddress(address, network))
          .to.throw(UserInputError, message)
          .with.property("code", "BTC_ADDRESS");
      });
    }
  });

  context("when the address came from a flag or a query parameter", function () {
    it("names the input, the network and the reason", function () {
      // A mainnet P2PKH address with its last character changed: the base58check checksum no longer matches.
      expect(() => parseAddress("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3", "regtest", { name: "address" }))
        .to.throw(UserInputError, "--address: not a valid regtest address (base58 checksum invalid)")
        .with.property("code", "BTC_ADDRESS");
      expect(() =>
        parseAddress("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "regtest", { name: "btcAddress" }),
      )
        .to.throw(UserInputError)
        .with.property("message", "--btc-address: not a valid regtest address (mainnet address on regtest)");
      expect(() => parseAddress("nope", "mainnet", { name: "btcAddress", origin: "query" }))
        .to.throw(UserInputError)
        .with.property("message")
        .that.matches(/^btcAddress: not a valid mainnet address \(/);
    });
  });

  context("when asked with isValidAddress", function () {
    it("answers true for a valid address and false for an invalid one", function () {
      expect(isValidAddress("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "mainnet")).to.equal(true);
      expect(isValidAddress("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "regtest")).to.equal(false);
    });
  });
});
