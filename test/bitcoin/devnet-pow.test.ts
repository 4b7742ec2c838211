/**
 * The devnet's blocks are real Bitcoin blocks at regtest difficulty: headers with valid proof of work linked by hash,
 * a BIP-34 coinbase first, Merkle roots over the serialized transactions — and its Esplora API serves what a relay
 * updater and a watchtower read (headers, raw transactions, Merkle proofs, block txids) in Esplora's shapes.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";

import { DevnetChain } from "../../src/bitcoin/devnet/chain.js";
import type { DevnetBlock } from "../../src/bitcoin/devnet/chain.js";
import { startDevnet } from "../../src/bitcoin/devnet/server.js";
import type { RunningDevnet } from "../../src/bitcoin/devnet/server.js";
import { DevnetWallet } from "../../src/bitcoin/devnet/wallet.js";
import {
  REGTEST_BITS,
  bitsToTarget,
  decodeHex,
  headerHash,
  meetsTarget,
  parseHeader,
} from "../../src/bitcoin/headers.js";
import { merkleRoot, rootFromBranch } from "../../src/bitcoin/merkle.js";
import { parseRawTx } from "../../src/bitcoin/tx.js";
import { UserInputError } from "../../src/errors.js";

const A = new DevnetWallet("alice").address("p2wpkh").address;
const B = new DevnetWallet("bob").address("p2tr").address;
const clock = () => 1_700_000_000;

/** Checks one block as a Bitcoin node would: header, proof of work, coinbase, Merkle root. */
function checkBlock(chain: DevnetChain, block: DevnetBlock): void {
  const header = decodeHex(chain.headerHex(block), "header");
  const parsed = parseHeader(header);
  expect(headerHash(header), "hash").to.equal(block.hash);
  expect(parsed.bits).to.equal(REGTEST_BITS);
  expect(meetsTarget(block.hash, bitsToTarget(parsed.bits)), "proof of work").to.equal(true);
  expect(parsed.prevHash).to.equal(block.prevHash ?? "0".repeat(64));
  const txids = chain.blockTxids(block).map((t) => parseRawTx(chain.rawTx(t) ?? "").txid);
  expect(txids).to.deep.equal(chain.blockTxids(block));
  expect(parsed.merkleRoot).to.equal(merkleRoot(txids));
  const coinbase = parseRawTx(block.coinbase.hex);
  expect(coinbase.inputs).to.have.length(1);
  expect(coinbase.inputs[0]?.txid).to.equal("0".repeat(64));
  expect(coinbase.inputs[0]?.vout).to.equal(0xffffffff);
}

function checkChain(chain: DevnetChain): void {
  for (let h = 0; h <= chain.tipHeight; h++) checkBlock(chain, chain.blockAt(h) as DevnetBlock);
}

describe("devnet blocks (proof of work, coinbase, Merkle root)", function () {
  it("mines every block with valid regtest proof of work, a coinbase first and a real Merkle root", function () {
    const chain = new DevnetChain({ clock });
    chain.fund(A, 50_000n);
    chain.fund(B, 7_000n);
    chain.mine(1);
    chain.spend(A, B, 20_000n, 300n);
    chain.mine(3);
    expect(chain.blockAt(2)?.txids).to.have.length(1);
    checkChain(chain);
  });

  it("writes the block height into each coinbase (BIP-34), so every coinbase txid is different", function () {
    const chain = new DevnetChain({ clock });
    chain.mine(20);
    const scripts = [0, 1, 16, 17, 20].map(
      (h) => parseRawTx(chain.blockAt(h)?.coinbase.hex ?? "").inputs[0]?.scriptSig,
    );
    expect(scripts.map((s) => s?.slice(0, 2))).to.deep.equal(["00", "51", "60", "01", "01"]);
    expect(scripts[3]?.slice(2, 4)).to.equal("11");
    const txids = new Set(Array.from({ length: 21 }, (_, h) => chain.blockAt(h)?.coinbase.txid));
    expect(txids.size).to.equal(21);
  });

  it("mines replacement blocks with valid proof of work after a reorg", function () {
    const chain = new DevnetChain({ clock });
    chain.fund(A, 1_000n);
    chain.mine(4);
    const before = chain.blockAt(3)?.hash;
    chain.reorg(2);
    expect(chain.blockAt(3)?.hash).to.not.equal(before);
    expect(chain.tipHeight).to.equal(5);
    checkChain(chain);
  });

  it("answers Merkle proofs that lead to the block's root, for transactions and coinbases", function () {
    const chain = new DevnetChain({ clock });
    for (let i = 0; i < 5; i++) chain.fund(A, BigInt(1_000 + i));
    const pending = chain.fund(B, 99n);
    const [hash] = chain.mine(1);
    const block = chain.block(hash ?? "") as DevnetBlock;
    for (const txid of chain.blockTxids(block)) {
      const proof = chain.merkleProof(txid);
      expect(proof?.block_height).to.equal(1);
      expect(rootFromBranch(txid, proof?.merkle ?? [], proof?.pos ?? -1)).to.equal(block.merkleRoot);
    }
    expect(chain.merkleProof(block.coinbase.txid)?.pos).to.equal(0);
    expect(chain.merkleProof(pending.txid)?.pos).to.equal(6);
    expect(chain.merkleProof("ab".repeat(32))).to.equal(undefined);
  });

  context("with a state file of the previous format", function () {
    let dir: string;
    before(function () {
      dir = mkdtempSync(join(tmpdir(), "devnet-v1-"));
    });
    after(function () {
      rmSync(dir, { recursive: true, force: true });
    });

    it("refuses it and says why", function () {
      const stateFile = join(dir, "state.json");
      writeFileSync(stateFile, JSON.stringify({ format: "reservebtc-devnet/1", network: "regtest" }));
      expect(() => DevnetChain.open({ stateFile })).to.throw(
        UserInputError,
        "no coinbase and no proof of work",
      );
    });
  });
});

describe("devnet Esplora API for relays and watchtowers", function () {
  let devnet: RunningDevnet;
  before(async function () {
    devnet = await startDevnet({ port: 0, clock });
    devnet.chain.fund(A, 30_000n);
    devnet.chain.mine(1);
    devnet.chain.spend(A, B, 10_000n);
    devnet.chain.mine(2);
  });
  after(async function () {
    await devnet.close();
  });

  const get = async (path: string): Promise<{ status: number; body: string }> => {
    const response = await fetch(`${devnet.url}${path}`);
    return { status: response.status, body: await response.text() };
  };

  it("GET /block/:hash/header returns the 80-byte header hex that hashes to the block hash", async function () {
    const hash = (await get("/block-height/2")).body;
    const header = await get(`/block/${hash}/header`);
    expect(header.status).to.equal(200);
    expect(header.body).to.match(/^[0-9a-f]{160}$/);
    expect(headerHash(decodeHex(header.body, "header"))).to.equal(hash);
    expect((await get(`/block/${"00".repeat(32)}/header`)).status).to.equal(404);
  });

  it("GET /block/:hash/txids lists the coinbase first; /block/:hash/txid/:index picks one", async function () {
    const hash = (await get("/block-height/2")).body;
    const txids = JSON.parse((await get(`/block/${hash}/txids`)).body) as string[];
    const block = devnet.chain.block(hash) as DevnetBlock;
    expect(txids).to.deep.equal([block.coinbase.txid, ...block.txids]);
    expect(txids).to.have.length(2);
    expect((await get(`/block/${hash}/txid/1`)).body).to.equal(txids[1]);
    expect((await get(`/block/${hash}/txid/2`)).status).to.equal(404);
  });

  it("GET /tx/:txid/hex returns the raw transaction whose double-SHA256 is the txid", async function () {
    const hash = (await get("/block-height/2")).body;
    const [coinbase, spend] = JSON.parse((await get(`/block/${hash}/txids`)).body) as string[];
    for (const txid of [coinbase, spend]) {
      const raw = await get(`/tx/${txid}/hex`);
      expect(raw.status).to.equal(200);
      expect(parseRawTx(raw.body).txid).to.equal(txid);
    }
    expect((await get(`/tx/${"00".repeat(32)}/hex`)).status).to.equal(404);
  });

  it("GET /tx/:txid/merkle-proof answers Esplora's {block_height, merkle, pos} leading to the header's root", async function () {
    const hash = (await get("/block-height/2")).body;
    const [, spend] = JSON.parse((await get(`/block/${hash}/txids`)).body) as string[];
    const proof = JSON.parse((await get(`/tx/${spend}/merkle-proof`)).body) as {
      block_height: number;
      merkle: string[];
      pos: number;
    };
    expect(Object.keys(proof).sort()).to.deep.equal(["block_height", "merkle", "pos"]);
    expect(proof.block_height).to.equal(2);
    expect(proof.pos).to.equal(1);
    const header = parseHeader((await get(`/block/${hash}/header`)).body);
    expect(rootFromBranch(spend ?? "", proof.merkle, proof.pos)).to.equal(header.merkleRoot);
  });

  it("answers 404 for the Merkle proof of an unconfirmed transaction", async function () {
    const tx = devnet.chain.fund(B, 5n);
    const answer = await get(`/tx/${tx.txid}/merkle-proof`);
    expect(answer.status).to.equal(404);
    expect(answer.body).to.equal("Transaction not found or is unconfirmed");
    expect(JSON.parse((await get(`/tx/${tx.txid}/status`)).body)).to.deep.equal({ confirmed: false });
  });

  it("serves a block's coinbase at /tx/:txid and /tx/:txid/status like any transaction", async function () {
    const hash = (await get("/block-height/3")).body;
    const [coinbase] = JSON.parse((await get(`/block/${hash}/txids`)).body) as string[];
    const tx = JSON.parse((await get(`/tx/${coinbase}`)).body) as {
      txid: string;
      vin: Array<{ is_coinbase: boolean }>;
      vout: Array<{ scriptpubkey_type: string; value: number }>;
      status: { confirmed: boolean; block_height: number; block_hash: string };
    };
    expect(tx.txid).to.equal(coinbase);
    expect(tx.vin[0]?.is_coinbase).to.equal(true);
    expect(tx.vout).to.deep.include({ ...tx.vout[0], scriptpubkey_type: "op_return", value: 0 });
    expect(tx.status).to.deep.include({ confirmed: true, block_height: 3, block_hash: hash });
    const block = JSON.parse((await get(`/block/${hash}`)).body) as { tx_count: number; bits: number };
    expect(block.bits).to.equal(REGTEST_BITS);
    expect(block.tx_count).to.equal(1);
  });
});
