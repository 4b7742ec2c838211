/**
 * The watchtower's off-chain half against the real system (Ignition deployment, committee-signed report anchored at a
 * devnet block), the regtest relay and the devnet: a spend after the report is found, waits for six confirmations,
 * then yields a proof anchored at the report's block that the relay accepts. A backend that hides the spend cannot
 * suppress it; a backend that lies yields no proof; a spend before the report, or one a reorg dropped, is not reported.
 */
import { expect } from "chai";
import { network } from "hardhat";

import { startDevnet } from "../../src/bitcoin/devnet/server.js";
import type { RunningDevnet } from "../../src/bitcoin/devnet/server.js";
import { DevnetWallet } from "../../src/bitcoin/devnet/wallet.js";
import { EsploraClient } from "../../src/bitcoin/esplora.js";
import { relayGenesis } from "../../src/relay/genesis.js";
import { watchScanCommand } from "../../src/watch/commands.js";
import type { WatchTarget } from "../../src/watch/spends.js";
import { loadWatchTargets, scanSpends } from "../../src/watch/spends.js";
import type { LightRelay } from "../../types/ethers-contracts/index.js";
import { deployOracleSystem } from "../helpers/oracle.js";
import type { OracleSystem } from "../helpers/oracle.js";
import type { FaultProxy } from "../oracle/integration/helpers.js";
import { startFaultProxy } from "../oracle/integration/helpers.js";
import { deployRelay, rejectionOf } from "../relay/helpers.js";

const connection = await network.create();

const ALICE_BTC = new DevnetWallet("alice").address("p2wpkh").address;
const OUTSIDE = new DevnetWallet("outside").address("p2wpkh").address;

describe("watchtower scan (off-chain half)", function () {
  let devnet: RunningDevnet;
  let esplora: EsploraClient;
  let s: OracleSystem;
  let relay: LightRelay;
  let targets: WatchTarget[];
  let anchorHeight: number;
  let spendTxid: string;
  const proxies: FaultProxy[] = [];

  before(async function () {
    devnet = await startDevnet({ port: 0 });
    esplora = new EsploraClient({ baseUrl: devnet.url, retries: 0 });
    s = await deployOracleSystem(connection);
    const genesis = (await relayGenesis(esplora, "regtest")).parameters.LightRelay;
    relay = await deployRelay(connection, genesis.rules, {
      height: genesis.genesisHeight,
      hex: genesis.genesisHeader.slice(2),
    });

    // alice binds her devnet address, receives 100,000 sats and spends 10,000 of them before the committee reports.
    await s.bind(s.alice.address, ALICE_BTC);
    await s.feeVault.depositETH(s.alice.address, { value: 10n ** 18n });
    devnet.chain.fund(ALICE_BTC, 100_000n);
    devnet.chain.mine(1);
    devnet.chain.spend(ALICE_BTC, OUTSIDE, 10_000n);
    devnet.chain.mine(3);
    anchorHeight = devnet.chain.tipHeight;
    await s.sync([
      {
        user: s.alice.address,
        newTotalSats: 90_000n,
        btcHeight: BigInt(anchorHeight),
        btcBlockHash: `0x${devnet.chain.tipHash}`,
        sequence: 1n,
      },
    ]);
    targets = await loadWatchTargets(s.oracle);

    // After the report she spends 30,000 more (60,000 change back to her address).
    spendTxid = devnet.chain.spend(ALICE_BTC, OUTSIDE, 30_000n).txid;
    devnet.chain.mine(1);
  });

  after(async function () {
    await Promise.all(proxies.map((p) => p.close()));
    await devnet.close();
  });

  it("follows every bound address with attested BTC, anchored at the user's last report", function () {
    expect(targets).to.deep.equal([
      {
        user: s.alice.address,
        addresses: [ALICE_BTC],
        anchorHeight,
        anchorHash: devnet.chain.blockAt(anchorHeight)?.hash,
        attestedSats: 90_000n,
      },
    ]);
  });

  it("reports the spend after the report as waiting until it has the relay's six confirmations", async function () {
    const report = await scanSpends({ targets, backends: [esplora], relay });
    expect(report.requiredConfirmations).to.equal(6);
    expect(report.spends).to.have.length(1);
    expect(report.spends[0]).to.deep.include({
      txid: spendTxid,
      confirmations: 1,
      status: "waiting",
      spentSats: "90000",
      returnedSats: "60000",
      leftSats: "30000",
      proof: null,
    });
  });

  context("once the spend has six confirmations", function () {
    before(function () {
      devnet.chain.mine(5);
    });

    it("builds a proof anchored at the report's block that the relay accepts", async function () {
      const report = await scanSpends({ targets, backends: [esplora], relay });
      const [finding] = report.spends;
      expect(finding).to.deep.include({
        txid: spendTxid,
        confirmations: 6,
        status: "verified",
        anchored: true,
      });
      expect(finding?.seenBy).to.deep.equal([devnet.url]);
      const spendHeight = devnet.chain.txHeight(spendTxid) as number;
      expect(finding?.proof?.blockIndex).to.equal(spendHeight - anchorHeight);
      const [txid, , confirmations] = await relay.verifyTransaction(finding?.proof ?? ({} as never));
      expect(txid).to.equal(`0x${Buffer.from(spendTxid, "hex").reverse().toString("hex")}`);
      expect(confirmations).to.equal(6n);
    });

    it("still finds it when one backend hides the address's history", async function () {
      const hiding = await startFaultProxy(devnet.url);
      proxies.push(hiding);
      hiding.transform = (path, body) => (path.startsWith("/address/") ? "[]" : body);
      const backends = [new EsploraClient({ baseUrl: hiding.url, retries: 0 }), esplora];
      const report = await scanSpends({ targets, backends, relay });
      expect(report.spends.map((f) => [f.txid, f.status, f.seenBy])).to.deep.equal([
        [spendTxid, "verified", [devnet.url]],
      ]);
    });

    it("yields no proof from a backend that lies about the transaction, and says why", async function () {
      const lying = await startFaultProxy(devnet.url);
      proxies.push(lying);
      lying.transform = (path, body) =>
        path.endsWith("/hex") ? body.replace(/.$/, (c) => (c === "0" ? "1" : "0")) : body;
      const report = await scanSpends({
        targets,
        backends: [new EsploraClient({ baseUrl: lying.url, retries: 0 })],
        relay,
      });
      expect(report.spends[0]?.status).to.equal("unavailable");
      expect(report.spends[0]?.reason).to.contain("the transaction hashes to");
      // With an honest backend after it, the honest one proves the spend.
      const both = await scanSpends({
        targets,
        backends: [new EsploraClient({ baseUrl: lying.url, retries: 0 }), esplora],
        relay,
      });
      expect(both.spends[0]?.status).to.equal("verified");
    });

    it("watch:scan's command reads the targets from the Oracle and proves the spend", async function () {
      const report = await watchScanCommand(connection, {
        bitcoin: `${devnet.url}, `,
        relay: await relay.getAddress(),
        oracle: await s.oracle.getAddress(),
      });
      expect(report.users).to.equal(1);
      expect(report.spends.map((f) => [f.txid, f.status, f.anchored])).to.deep.equal([
        [spendTxid, "verified", true],
      ]);
      const bad = await rejectionOf(
        watchScanCommand(connection, {
          bitcoin: devnet.url,
          relay: "",
          oracle: "0x12",
          deploymentsRoot: "/nonexistent-reservebtc-deployments",
        }),
      );
      expect(bad.message).to.contain("no LightRelay in the deployment");
      const badOracle = await rejectionOf(
        watchScanCommand(connection, {
          bitcoin: devnet.url,
          relay: await relay.getAddress(),
          oracle: "0x12",
        }),
      );
      expect(badOracle.message).to.equal('--oracle is not an EVM address: "0x12"');
    });

    it("does not report a spend that a reorg dropped", async function () {
      const dropped = devnet.chain.spend(ALICE_BTC, OUTSIDE, 1_000n).txid;
      devnet.chain.mine(2);
      expect(
        (await scanSpends({ targets, backends: [esplora], relay })).spends.map((f) => f.txid),
      ).to.include(dropped);
      devnet.chain.reorg(2);
      const report = await scanSpends({ targets, backends: [esplora], relay });
      expect(report.spends.map((f) => f.txid)).to.deep.equal([spendTxid]);
    });
  });
});
