import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { sha256 } from "@noble/hashes/sha2.js";
import { hex } from "@scure/base";
import { RawTx } from "@scure/btc-signer";
import { expect } from "chai";

import { DevnetChain } from "../../src/bitcoin/devnet/chain.js";
import { DevnetControl } from "../../src/bitcoin/devnet/control.js";
import { startDevnet } from "../../src/bitcoin/devnet/server.js";
import type { RunningDevnet } from "../../src/bitcoin/devnet/server.js";
import { DevnetWallet } from "../../src/bitcoin/devnet/wallet.js";
import { BackendError, UserInputError } from "../../src/errors.js";
import { closedPort } from "./helpers.js";

const A = new DevnetWallet("alice").address("p2wpkh").address;
const B = new DevnetWallet("bob").address("p2tr").address;
const C = new DevnetWallet("carol").address("p2pkh").address;
const clock = () => 1_700_000_000;

describe("DevnetChain", function () {
  context("when created", function () {
    it("starts at a genesis block of height 0 with a 64-hex hash", function () {
      const chain = new DevnetChain({ clock });
      expect(chain.tipHeight).to.equal(0);
      expect(chain.tipHash).to.match(/^[0-9a-f]{64}$/);
    });
    it("is deterministic for the same clock and operations", function () {
      const x = new DevnetChain({ clock });
      const y = new DevnetChain({ clock });
      x.fund(A, 5n);
      y.fund(A, 5n);
      x.mine(2);
      y.mine(2);
      expect(x.tipHash).to.equal(y.tipHash);
    });
  });

  context("when funding", function () {
    it("puts a coinbase-like transaction with a real double-SHA256 txid in the mempool", function () {
      const chain = new DevnetChain({ clock });
      const tx = chain.fund(A, 12_345n);
      expect(chain.mempool).to.deep.equal([tx.txid]);
      expect(tx.coinbase).to.equal(true);
      expect(chain.balance(A, 0)).to.equal(12_345n);
      expect(chain.balance(A, 1)).to.equal(0n);
      // the txid is the hash of the Bitcoin serialization
      const raw = RawTx.encode({
        version: 2,
        segwitFlag: false,
        inputs: [
          {
            txid: new Uint8Array(32),
            index: 0xffffffff,
            finalScriptSig: hex.decode(tx.coinbaseScript),
            sequence: 0xffffffff,
          },
        ],
        outputs: [{ amount: 12_345n, script: hex.decode(tx.outputs[0]?.scriptPubKey ?? "") }],
        witnesses: undefined,
        lockTime: 0,
      });
      expect(tx.txid).to.equal(hex.encode(sha256(sha256(raw)).reverse()));
    });
    it("gives two identical fundings different txids", function () {
      const chain = new DevnetChain({ clock });
      expect(chain.fund(A, 1n).txid).to.not.equal(chain.fund(A, 1n).txid);
    });
    it("rejects a mainnet address on a regtest devnet", function () {
      expect(() => new DevnetChain().fund("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", 1n)).to.throw(
        UserInputError,
        "mainnet address on regtest",
      );
    });
    it("rejects zero and more than 21 million BTC", function () {
      const chain = new DevnetChain();
      expect(() => chain.fund(A, 0n)).to.throw(UserInputError, "amount must be positive");
      expect(() => chain.fund(A, 2_100_000_000_000_001n)).to.throw(UserInputError, "exceeds 21 million BTC");
    });
  });

  context("when mining", function () {
    it("confirms the mempool in the first block and commits to it in the merkle root", function () {
      const chain = new DevnetChain({ clock });
      const tx = chain.fund(A, 1_000n);
      const [first, second] = chain.mine(2);
      expect(chain.mempool).to.deep.equal([]);
      expect(chain.block(first ?? "")?.txids).to.deep.equal([tx.txid]);
      // coinbase and one transaction: root = sha256d(coinbase txid ‖ txid), internal byte order
      const block = chain.block(first ?? "");
      const leaves = [block?.coinbase.txid ?? "", tx.txid].map((t) => hex.decode(t).reverse());
      const root = sha256(sha256(new Uint8Array([...(leaves[0] ?? []), ...(leaves[1] ?? [])])));
      expect(block?.merkleRoot).to.equal(hex.encode(root.reverse()));
      expect(chain.block(second ?? "")?.txids).to.deep.equal([]);
      expect(chain.txHeight(tx.txid)).to.equal(1);
      expect(chain.balance(A, 2)).to.equal(1_000n);
      expect(chain.balance(A, 3)).to.equal(0n);
    });
    it("rejects a block count of 0", function () {
      expect(() => new DevnetChain().mine(0)).to.throw(
        UserInputError,
        "blocks must be an integer between 1 and 10000",
      );
    });
  });

  context("when spending", function () {
    it("pays the recipient, returns change to the sender and burns the fee", function () {
      const chain = new DevnetChain({ clock });
      chain.fund(A, 60_000n);
      chain.fund(A, 50_000n);
      chain.mine(1);
      const tx = chain.spend(A, B, 80_000n, 500n);
      expect(tx.inputs).to.have.length(2);
      expect(tx.outputs.map((o) => [o.address, o.value])).to.deep.equal([
        [B, 80_000n],
        [A, 29_500n],
      ]);
      chain.mine(1);
      expect(chain.balance(A)).to.equal(29_500n);
      expect(chain.balance(B)).to.equal(80_000n);
      expect(chain.spentBy(tx.inputs[0]?.txid ?? "", 0)).to.equal(tx.txid);
    });
    it("rejects a spend beyond the sender's UTXOs", function () {
      const chain = new DevnetChain();
      chain.fund(A, 1_000n);
      expect(() => chain.spend(A, B, 1_000n, 1n)).to.throw(
        UserInputError,
        `insufficient funds: ${A} has 1000 sats spendable, needs 1001`,
      );
    });
  });

  context("when reorganizing", function () {
    it("replaces the last `depth` blocks by depth + 1 empty blocks and drops their transactions", function () {
      const chain = new DevnetChain({ clock });
      chain.mine(2);
      const funding = chain.fund(A, 9_000n);
      const [dropped] = chain.mine(2);
      const result = chain.reorg(2);
      expect(result.removedBlocks[0]).to.equal(dropped);
      expect(result.droppedTxids).to.deep.equal([funding.txid]);
      expect(chain.tipHeight).to.equal(5);
      expect(chain.tx(funding.txid)).to.equal(undefined);
      expect(chain.mempool).to.deep.equal([]);
      expect(chain.balance(A, 0)).to.equal(0n);
      expect(chain.blockAt(3)?.txids).to.deep.equal([]);
    });
    it("also drops mempool transactions that spent the dropped outputs", function () {
      const chain = new DevnetChain({ clock });
      chain.fund(A, 9_000n);
      chain.mine(1);
      const child = chain.spend(A, B, 1_000n);
      const unrelated = chain.fund(C, 5n);
      const result = chain.reorg(1);
      expect(result.droppedTxids).to.include(child.txid);
      expect(chain.mempool).to.deep.equal([unrelated.txid]);
      expect(chain.balance(B, 0)).to.equal(0n);
    });
    it("keeps blocks below the reorg depth", function () {
      const chain = new DevnetChain({ clock });
      chain.fund(A, 9_000n);
      chain.mine(3);
      chain.reorg(2);
      expect(chain.balance(A, 1)).to.equal(9_000n);
    });
    it("refuses to replace the genesis block", function () {
      const chain = new DevnetChain();
      chain.mine(2);
      expect(() => chain.reorg(3)).to.throw(UserInputError);
    });
  });

  context("when persisting to a state file", function () {
    let dir: string;
    beforeEach(function () {
      dir = mkdtempSync(join(tmpdir(), "devnet-"));
    });
    afterEach(function () {
      rmSync(dir, { recursive: true, force: true });
    });

    it("resumes blocks, mempool and balances after a restart", function () {
      const stateFile = join(dir, "state.json");
      const first = DevnetChain.open({ stateFile, clock });
      first.fund(A, 4_000n);
      first.mine(2);
      first.spend(A, B, 1_000n);
      const reopened = DevnetChain.open({ stateFile, clock });
      expect(reopened.tipHash).to.equal(first.tipHash);
      expect(reopened.mempool).to.deep.equal(first.mempool);
      expect(reopened.balance(A, 0)).to.equal(3_000n);
      expect(reopened.balance(B, 0)).to.equal(1_000n);
      reopened.mine(1);
      expect((JSON.parse(readFileSync(stateFile, "utf8")) as { blocks: unknown[] }).blocks).to.have.length(4);
    });
    it("refuses a corrupt state file with its path", function () {
      const stateFile = join(dir, "bad.json");
      writeFileSync(stateFile, "{oops");
      expect(() => DevnetChain.open({ stateFile })).to.throw(
        UserInputError,
        `devnet state file ${stateFile} is not valid JSON`,
      );
    });
    it("refuses a state file of another network", function () {
      const stateFile = join(dir, "state.json");
      DevnetChain.open({ stateFile, network: "regtest" });
      expect(() => DevnetChain.open({ stateFile, network: "signet" })).to.throw(
        UserInputError,
        "is for regtest, not signet",
      );
    });
  });
});

describe("devnet HTTP server", function () {
  let devnet: RunningDevnet;
  let control: DevnetControl;
  before(async function () {
    devnet = await startDevnet({ port: 0, clock });
    control = new DevnetControl(devnet.url);
  });
  after(async function () {
    await devnet.close();
  });

  it("listens on 127.0.0.1 only", function () {
    expect(devnet.url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  context("when driven through the control endpoints", function () {
    it("funds, mines, spends and reorgs like the in-process API", async function () {
      const funded = await control.fund(A, 10_000n);
      expect(funded.outputs).to.deep.equal([{ address: A, vout: 0, sats: "10000" }]);
      expect((await control.mine(1)).tipHeight).to.equal(1);
      const spent = await control.spend(A, B, 4_000n, 100n);
      expect(spent.fee).to.equal("100");
      const mined = await control.mine(2);
      expect(mined.hashes).to.have.length(2);
      const reorg = await control.reorg(1);
      expect(reorg.removedBlocks).to.deep.equal([mined.hashes[1]]);
      expect(reorg.tipHeight).to.equal(4);
      expect(devnet.chain.balance(B)).to.equal(4_000n);
    });
    it("answers bad input with HTTP 400 and the reason", async function () {
      let error: unknown;
      try {
        await control.fund("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", 1n);
      } catch (e) {
        error = e;
      }
      expect(error).to.be.instanceOf(UserInputError).with.property("message", "mainnet address on regtest");
      const res = await fetch(`${devnet.url}/devnet/mine`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ blocks: -1 }),
      });
      expect(res.status).to.equal(400);
    });
    it("reports an unreachable devnet as a backend error", async function () {
      const port = await closedPort();
      let error: unknown;
      try {
        await new DevnetControl(`http://127.0.0.1:${port}`).info();
      } catch (e) {
        error = e;
      }
      expect(error).to.be.instanceOf(BackendError).with.property("code", "DEVNET_UNREACHABLE");
    });
  });

  context("when queried like Esplora", function () {
    it("answers 404 'Block not found' above the tip and 'Transaction not found' for unknown txids", async function () {
      const block = await fetch(`${devnet.url}/block-height/9999`);
      expect([block.status, await block.text()]).to.deep.equal([404, "Block not found"]);
      const tx = await fetch(`${devnet.url}/tx/${"00".repeat(32)}`);
      expect([tx.status, await tx.text()]).to.deep.equal([404, "Transaction not found"]);
    });
    it("answers 400 for an invalid address", async function () {
      const res = await fetch(`${devnet.url}/address/notanaddress/utxo`);
      expect(res.status).to.equal(400);
      expect(await res.text()).to.match(/^Invalid Bitcoin address/);
    });
    it("reports address statistics split into chain and mempool", async function () {
      const d = await startDevnet({ port: 0 });
      try {
        d.chain.fund(C, 700n);
        d.chain.mine(1);
        d.chain.spend(C, A, 200n);
        const stats = (await (await fetch(`${d.url}/address/${C}`)).json()) as Record<
          string,
          Record<string, number>
        >;
        expect(stats.chain_stats).to.deep.equal({
          funded_txo_count: 1,
          funded_txo_sum: 700,
          spent_txo_count: 0,
          spent_txo_sum: 0,
          tx_count: 1,
        });
        expect(stats.mempool_stats).to.deep.equal({
          funded_txo_count: 1,
          funded_txo_sum: 500,
          spent_txo_count: 1,
          spent_txo_sum: 700,
          tx_count: 1,
        });
      } finally {
        await d.close();
      }
    });
  });
});
