// `oracle:bind --file` and `oracle:deposit-fee --file` (the runbook's many-users drill) on the in-process network:
// real BIP-322 proofs from the devnet wallets (`btc:prove --count`), bound through the committee.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { parseEther } from "ethers";
import { network } from "hardhat";

import { devnetBindingList, devnetBindingProof } from "../../src/bitcoin/devnet/binding.js";
import { deploymentOf } from "../../src/deployments.js";
import { UserInputError } from "../../src/errors.js";
import { bindFileCommand } from "../../src/oracle/bind-list.js";
import { depositFeeListCommand } from "../../src/oracle/commands.js";
import { LocalCommittee } from "../../src/oracle/committee.js";
import type { OracleContext } from "../../src/oracle/context.js";
import { committeeWallets } from "../../src/oracle/signing.js";
import { deployOracleSystem } from "../helpers/oracle.js";

const connection = await network.create();
const CHAIN_ID = 31337n;

describe("oracle:bind --file (bind many users at once)", function () {
  this.timeout(120_000);
  let dir: string;

  beforeEach(async function () {
    dir = await mkdtemp(path.join(tmpdir(), "reservebtc-bind-list-"));
  });
  afterEach(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  async function setup() {
    const s = await deployOracleSystem(connection);
    const wallets = committeeWallets(3);
    const ctx: OracleContext = {
      chainId: CHAIN_ID,
      deployment: await deploymentOf(CHAIN_ID, s),
      system: s,
      submitter: s.admin,
      submitterAddress: s.admin.address,
      committee: new LocalCommittee(wallets, 2, 2_000),
      operators: wallets.map((w) => w.address),
      threshold: 2,
      localOperators: wallets.map((w) => w.address),
      remoteOperators: [],
      keySource: "hardhat-default-accounts",
    };
    const oracle = await s.oracle.getAddress();
    const list = devnetBindingList({ wallet: "drill", count: 4, type: "p2wpkh", chainId: CHAIN_ID, oracle });
    const write = async (name: string, entries: unknown) => {
      const file = path.join(dir, name);
      await writeFile(file, JSON.stringify(entries));
      return file;
    };
    const args = {
      btcNetwork: "regtest",
      user: "",
      btcAddress: "",
      signature: "",
      devnetWallet: "",
      printMessage: false,
    };
    return { s, ctx, oracle, list, write, args };
  }

  it("binds every entry with its proof, then a second run sends nothing (all already bound)", async function () {
    const { s, ctx, oracle, list, write, args } = await setup();
    // A second address for the first user is bound at her nonce 1: its proof signs that nonce.
    const second = devnetBindingProof({
      user: "drill",
      type: "p2tr",
      index: 0,
      chainId: CHAIN_ID,
      oracle,
      evmUser: list[0]!.user,
      nonce: 1n,
    });
    const entries = [
      ...list,
      { user: list[0]!.user, btcAddress: second.address, signature: second.signature },
    ];
    const file = await write("drill.json", entries);
    const progress: number[] = [];

    const first = await bindFileCommand(ctx, { ...args, file }, (done) => progress.push(done));
    expect(first).to.deep.include({ kind: "bound-list", entries: 5, alreadyBound: [] });
    expect(first.bound.map((b) => [b.user, b.btcAddress])).to.deep.equal(
      entries.map((e) => [e.user, e.btcAddress]),
    );
    expect(progress).to.deep.equal([1, 2, 3, 4, 5]);
    for (const e of entries) expect(await s.oracle.ownerOfBtcAddress(e.btcAddress)).to.equal(e.user);
    expect([...(await s.oracle.addressesOf(list[0]!.user))]).to.deep.equal([
      list[0]!.btcAddress,
      second.address,
    ]);

    const block = await connection.ethers.provider.getBlockNumber();
    const again = await bindFileCommand(ctx, { ...args, file });
    expect(again).to.deep.include({ bound: [], gasUsed: "0" });
    expect(again.alreadyBound).to.have.length(5);
    expect(await connection.ethers.provider.getBlockNumber()).to.equal(block);
  });

  it("sends nothing when one entry's proof is wrong, and names that entry", async function () {
    const { s, ctx, list, write, args } = await setup();
    const [a, b, c] = list;
    // Entry 3 carries entry 1's signature: a proof for another address and user.
    const file = await write("bad.json", [a, b, { ...c!, signature: a!.signature }]);
    const block = await connection.ethers.provider.getBlockNumber();
    const error = await bindFileCommand(ctx, { ...args, file }).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(UserInputError);
    expect((error as Error).message).to.match(/^entry 3: the ownership proof of bcrt1\w+ is rejected: /);
    expect(await connection.ethers.provider.getBlockNumber()).to.equal(block);
    expect(await s.oracle.bindingNonce(a!.user)).to.equal(0n);
  });

  it("refuses a file that is not a list of {user, btcAddress, signature}, or mixed with --user", async function () {
    const { ctx, list, write, args } = await setup();
    const cases: Array<[unknown, RegExp]> = [
      [{ user: "0x" }, /must hold a non-empty JSON array/],
      [
        [list[0], { user: list[1]!.user, btcAddress: list[1]!.btcAddress }],
        /entry 2 has no "signature" string/,
      ],
      [[list[0], list[0]], /entry 2: bcrt1\w+ is already entry 1/],
      [[{ ...list[0]!, btcAddress: "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4" }], /^entry 1: /],
    ];
    for (const [doc, message] of cases) {
      const file = await write("case.json", doc);
      await bindFileCommand(ctx, { ...args, file }).then(
        () => expect.fail(`accepted ${JSON.stringify(doc)}`),
        (e: unknown) => expect((e as Error).message).to.match(message),
      );
    }
    const file = await write("ok.json", list);
    await bindFileCommand(ctx, { ...args, file, user: list[0]!.user }).then(
      () => expect.fail("accepted --user with --file"),
      (e: unknown) =>
        expect((e as Error).message).to.equal(
          "--file binds the users and addresses of the file: drop --user",
        ),
    );
  });

  it("oracle:deposit-fee --file prepays every distinct user of the file", async function () {
    const { s, ctx, list } = await setup();
    const users = [...list.map((e) => e.user), list[0]!.user];
    const r = await depositFeeListCommand(ctx, users, "drill.json", "0.01");
    expect(r).to.deep.equal({
      file: "drill.json",
      users: 4,
      depositedWeiEach: parseEther("0.01").toString(),
      depositedWei: parseEther("0.04").toString(),
    });
    for (const e of list) expect(await s.feeVault.balanceOf(e.user)).to.equal(parseEther("0.01"));
  });
});
