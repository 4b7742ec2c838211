import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { getAddress } from "ethers";

import { startDevnet } from "../../src/bitcoin/devnet/server.js";
import type { RunningDevnet } from "../../src/bitcoin/devnet/server.js";
import { DevnetWallet } from "../../src/bitcoin/devnet/wallet.js";
import { bindingMessage, verifyOwnershipProof } from "../../src/bitcoin/proof.js";
import balanceAction from "../../tasks/bitcoin/balance.action.js";
import devnetAction from "../../tasks/bitcoin/devnet.action.js";
import fundAction from "../../tasks/bitcoin/fund.action.js";
import mineAction from "../../tasks/bitcoin/mine.action.js";
import proveAction from "../../tasks/bitcoin/prove.action.js";
import reorgAction from "../../tasks/bitcoin/reorg.action.js";
import spendAction from "../../tasks/bitcoin/spend.action.js";
import verifyAction from "../../tasks/bitcoin/verify.action.js";

interface Captured {
  stdout: string[];
  stderr: string[];
  exitCode: number | undefined;
}

/** Runs a task action with console output captured and process.exitCode restored afterwards. */
async function capture(run: () => Promise<unknown>): Promise<Captured> {
  const out: Captured = { stdout: [], stderr: [], exitCode: undefined };
  const { log, error } = console;
  const previous = process.exitCode;
  process.exitCode = undefined;
  console.log = (...args: unknown[]) => void out.stdout.push(args.join(" "));
  console.error = (...args: unknown[]) => void out.stderr.push(args.join(" "));
  try {
    await run();
  } finally {
    console.log = log;
    console.error = error;
    out.exitCode = process.exitCode === undefined ? undefined : Number(process.exitCode);
    process.exitCode = previous;
  }
  return out;
}

const parse = (c: Captured): Record<string, unknown> =>
  JSON.parse(c.stdout.join("\n")) as Record<string, unknown>;

const ORACLE = "0x5fbdb2315678afecb367f032d93f642f64180aa3";
const EVM_USER = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";

describe("btc:* task actions", function () {
  let devnet: RunningDevnet;
  const alice = new DevnetWallet("alice").address("p2wpkh").address;
  const bob = new DevnetWallet("bob").address("p2wpkh").address;

  before(async function () {
    devnet = await startDevnet({ port: 0 });
  });
  after(async function () {
    await devnet.close();
  });

  context("when driving the devnet", function () {
    it("funds, mines, spends, reorgs and reads balances with one JSON document each", async function () {
      const url = devnet.url;
      const fund = await capture(() =>
        fundAction({ address: alice, sats: 150_000n, file: "", url, json: true }),
      );
      expect(parse(fund)).to.include({ address: alice, sats: "150000", mempoolSize: 1 });

      const mine = await capture(() => mineAction({ blocks: 3, url, json: true }));
      expect(parse(mine)).to.include({ blocks: 3, tipHeight: 3 });

      const balance = await capture(() =>
        balanceAction({ address: alice, minConf: 3, url, btcNetwork: "regtest", json: true }),
      );
      expect(parse(balance)).to.include({ sats: "150000", minConfirmations: 3, tipHeight: 3 });

      const spend = await capture(() =>
        spendAction({ from: alice, to: bob, sats: 40_000n, feeSats: 1_000n, url, json: true }),
      );
      expect(parse(spend)).to.include({ sats: "40000", feeSats: "1000", changeSats: "109000" });

      await capture(() => mineAction({ blocks: 1, url, json: true }));
      const reorg = await capture(() => reorgAction({ depth: 1, url, json: true }));
      const r = parse(reorg);
      expect(r.droppedTxids).to.have.length(1);
      expect(r.tipHeight).to.equal(5);

      const after = await capture(() =>
        balanceAction({ address: alice, minConf: 1, url, btcNetwork: "regtest", json: true }),
      );
      expect(parse(after)).to.include({ sats: "150000" });
    });

    it("prints a human table without --json", async function () {
      const out = await capture(() => mineAction({ blocks: 1, url: devnet.url, json: false }));
      expect(out.stdout.join("\n")).to.match(/^blocks\s+1$/m);
      expect(out.exitCode).to.equal(undefined);
    });
  });

  context("when running btc:devnet", function () {
    it("serves the Esplora API on 127.0.0.1 until SIGTERM, then closes", async function () {
      const lines: string[] = [];
      const { log } = console;
      console.log = (...args: unknown[]) => void lines.push(args.join(" "));
      let url: string;
      try {
        const running = devnetAction(
          { port: 0, state: "", btcNetwork: "regtest", json: true },
          undefined as never,
        );
        for (let i = 0; i < 100 && lines.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
        url = (JSON.parse(lines.join("\n")) as { url: string }).url;
        const height = await fetch(`${url}/blocks/tip/height`);
        expect(await height.text()).to.equal("0");
        process.emit("SIGTERM");
        await running;
      } finally {
        console.log = log;
      }
      expect(url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
      let refused = false;
      await fetch(`${url}/blocks/tip/height`).catch(() => (refused = true));
      expect(refused).to.equal(true);
    });
  });

  context("when the input is bad", function () {
    it("prints one error line and exits with code 2 for an address of another network", async function () {
      const out = await capture(() =>
        fundAction({
          address: "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
          sats: 1n,
          file: "",
          url: devnet.url,
          json: true,
        }),
      );
      expect(out.stdout).to.deep.equal([]);
      expect(out.stderr).to.deep.equal([
        "error: --address: not a valid regtest address (mainnet address on regtest)",
      ]);
      expect(out.exitCode).to.equal(2);
    });
    it("names --address and the reason for a bad address before asking any backend", async function () {
      const out = await capture(() =>
        balanceAction({
          address: "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3",
          minConf: 1,
          url: "http://127.0.0.1:1",
          btcNetwork: "mainnet",
          json: false,
        }),
      );
      expect(out.stderr).to.deep.equal([
        "error: --address: not a valid mainnet address (base58 checksum invalid)",
      ]);
      expect(out.exitCode).to.equal(2);
    });
    it("rejects a missing --address", async function () {
      const out = await capture(() =>
        balanceAction({ address: "", minConf: 1, url: devnet.url, btcNetwork: "regtest", json: false }),
      );
      expect(out.stderr).to.deep.equal(["error: --address is required"]);
      expect(out.exitCode).to.equal(2);
    });
    it("reports an unreachable devnet", async function () {
      const out = await capture(() => mineAction({ blocks: 1, url: "http://127.0.0.1:1", json: false }));
      expect(out.stderr[0]).to.match(/^error: no devnet reachable at http:\/\/127\.0\.0\.1:1/);
      expect(out.exitCode).to.equal(2);
    });
  });

  context("when proving and verifying ownership", function () {
    for (const type of ["p2wpkh", "p2tr", "p2sh-p2wpkh", "p2pkh"]) {
      it(`produces a ${type} proof that btc:verify accepts and rejects when tampered`, async function () {
        const prove = await capture(() =>
          proveAction({
            user: "alice",
            type,
            index: 0,
            chainId: 31337n,
            oracle: ORACLE,
            evmUser: EVM_USER,
            nonce: 0n,
            kind: "",
            btcNetwork: "regtest",
            count: 0,
            out: "",
            json: true,
          }),
        );
        const p = parse(prove) as { address: string; message: string; signature: string; digest: string };
        expect(p.message).to.contain(`Bitcoin address: ${p.address}`);
        const ok = await capture(() =>
          verifyAction({
            address: p.address,
            message: p.message,
            messageFile: "",
            signature: p.signature,
            btcNetwork: "regtest",
            json: true,
          }),
        );
        expect(parse(ok)).to.include({ valid: true, digest: p.digest });
        const bad = await capture(() =>
          verifyAction({
            address: p.address,
            message: p.message.replace("Nonce: 0", "Nonce: 9"),
            messageFile: "",
            signature: p.signature,
            btcNetwork: "regtest",
            json: true,
          }),
        );
        expect(bad.stderr).to.deep.equal([`error: signature does not match address ${p.address}`]);
        expect(bad.exitCode).to.equal(2);
      });
    }

    it("reads \\n escapes in --message as newlines", async function () {
      const w = new DevnetWallet("dave");
      const { address, signature } = w.signMessage("p2wpkh", "line one\nline two");
      const out = await capture(() =>
        verifyAction({
          address,
          message: "line one\\nline two",
          messageFile: "",
          signature,
          btcNetwork: "regtest",
          json: true,
        }),
      );
      expect(parse(out)).to.include({ valid: true });
    });

    it("writes a bindings file for N devnet users (--count, --out) that btc:fund --file funds", async function () {
      const dir = await mkdtemp(path.join(tmpdir(), "reservebtc-prove-"));
      try {
        const out = path.join(dir, "drill.json");
        const base = {
          user: "drill",
          type: "p2wpkh",
          index: 0,
          chainId: 31337n,
          oracle: ORACLE,
          evmUser: "",
          nonce: 0n,
          kind: "",
          btcNetwork: "regtest",
          count: 3,
        };
        const prove = await capture(() => proveAction({ ...base, out, json: true }));
        expect(parse(prove)).to.include({ out, count: 3, wallet: "drill" });
        const list = JSON.parse(await readFile(out, "utf8")) as Array<{
          user: string;
          btcAddress: string;
          signature: string;
        }>;
        expect(list.map((e) => e.btcAddress)).to.deep.equal(
          [0, 1, 2].map((i) => new DevnetWallet("drill").address("p2wpkh", i).address),
        );
        expect(new Set(list.map((e) => e.user)).size).to.equal(3);
        for (const entry of list) {
          const message = bindingMessage({
            chainId: 31337n,
            oracle: getAddress(ORACLE),
            user: entry.user,
            btcAddress: entry.btcAddress,
            nonce: 0n,
          });
          expect(
            verifyOwnershipProof({
              message,
              btcAddress: entry.btcAddress,
              signature: entry.signature,
              network: "regtest",
            }).kind,
          ).to.equal("bip322-simple");
        }

        const fund = await capture(() =>
          fundAction({ address: "", sats: 2_000n, file: out, url: devnet.url, json: true }),
        );
        expect(parse(fund)).to.include({ file: out, addresses: 3, satsEach: "2000", sats: "6000" });
        devnet.chain.mine(1);
        for (const entry of list) expect(devnet.chain.balance(entry.btcAddress, 1)).to.equal(2_000n);

        const noOut = await capture(() => proveAction({ ...base, out: "", json: false }));
        expect(noOut.stderr).to.deep.equal(["error: --count writes a bindings file: give it --out FILE"]);
        expect(noOut.exitCode).to.equal(2);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it("rejects an unknown address type", async function () {
      const out = await capture(() =>
        proveAction({
          user: "alice",
          type: "p2wsh",
          index: 0,
          chainId: 1n,
          oracle: ORACLE,
          evmUser: EVM_USER,
          nonce: 0n,
          kind: "",
          btcNetwork: "regtest",
          count: 0,
          out: "",
          json: false,
        }),
      );
      expect(out.stderr[0]).to.contain('error: unknown address type "p2wsh"');
      expect(out.exitCode).to.equal(2);
    });
  });
});
