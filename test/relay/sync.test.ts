/**
 * `syncRelay` under mainnet rules against real mainnet headers, served by a minimal Esplora (only the routes the
 * updater reads) over the fixture: it proves the 741,888 retarget with twenty headers on each side, then finds the
 * relay current at the tip; before the twentieth block after the boundary exists it waits and says for which height.
 */
import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";

import { expect } from "chai";
import { network } from "hardhat";

import { RELAY_RULES } from "../../deploy/modules/LightRelay.js";
import { EsploraClient } from "../../src/bitcoin/esplora.js";
import { decodeHex, headerHash } from "../../src/bitcoin/headers.js";
import { syncRelay } from "../../src/relay/sync.js";
import type { FixtureHeader } from "./helpers.js";
import { deployRelay, mainnetHeaders } from "./helpers.js";

const connection = await network.create();
const { networkHelpers } = connection;

const R741 = mainnetHeaders.retarget741888;

/** An Esplora subset over fixture headers, with the tip at `tipHeight`. */
async function fixtureEsplora(headers: readonly FixtureHeader[], tipHeight: number) {
  const byHeight = new Map(headers.map((h) => [h.height, h]));
  const byHash = new Map(headers.map((h) => [headerHash(decodeHex(h.hex, "header")), h]));
  const tip = byHeight.get(tipHeight) as FixtureHeader;
  const tipHash = headerHash(decodeHex(tip.hex, "header"));
  const server: Server = createServer((req, res) => {
    const url = req.url ?? "/";
    const send = (status: number, body: string, type = "text/plain") => {
      res.writeHead(status, { "content-type": type });
      res.end(body);
    };
    let m: RegExpMatchArray | null;
    if (url === "/blocks/tip/hash") return send(200, tipHash);
    if (url === "/blocks/tip/height") return send(200, String(tipHeight));
    if ((m = url.match(/^\/block-height\/(\d+)$/))) {
      const h = byHeight.get(Number(m[1]));
      return h && h.height <= tipHeight
        ? send(200, headerHash(decodeHex(h.hex, "header")))
        : send(404, "Block not found");
    }
    if ((m = url.match(/^\/block\/([0-9a-f]{64})\/header$/))) {
      const h = byHash.get(m[1] as string);
      return h ? send(200, h.hex) : send(404, "Block not found");
    }
    if ((m = url.match(/^\/block\/([0-9a-f]{64})$/))) {
      const h = byHash.get(m[1] as string);
      return h
        ? send(200, JSON.stringify({ id: m[1], height: h.height }), "application/json")
        : send(404, "");
    }
    return send(404, "not served by this fixture");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    esplora: new EsploraClient({ baseUrl: `http://127.0.0.1:${port}`, retries: 0 }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function relayFixture() {
  return { relay: await deployRelay(connection, RELAY_RULES.mainnet, R741.epochStart) };
}

describe("syncRelay (mainnet rules, real headers)", function () {
  const headers = [R741.epochStart, ...R741.headers];

  it("proves the retarget at 741,888 with 20 headers on each side, then accepts the tip", async function () {
    const { relay } = await networkHelpers.loadFixture(relayFixture);
    const backend = await fixtureEsplora(headers, 741_907);
    try {
      const lines: string[] = [];
      const result = await syncRelay(relay, backend.esplora, { progress: (l) => lines.push(l) });
      expect(result.epochBefore).to.equal(367);
      expect(result.epochAfter).to.equal(368);
      expect(result.retargets).to.have.length(1);
      expect(result.retargets[0]).to.include({
        epoch: 368,
        fromHeight: 741_868,
        toHeight: 741_907,
        bits: "0x170984cc",
      });
      expect(result.retargets[0]?.txHash).to.match(/^0x[0-9a-f]{64}$/);
      expect(Number(result.retargets[0]?.gasUsed)).to.be.greaterThan(0);
      expect(result.nextRetargetAtHeight).to.equal(743_923);
      expect(result.tip).to.deep.include({ accepted: true, fromHeight: 741_902, toHeight: 741_907 });
      expect(result.upToDate).to.equal(true);
      expect(await relay.currentEpoch()).to.equal(368n);
      expect(lines.join("\n")).to.contain("proved epoch 368");
    } finally {
      await backend.close();
    }
  });

  it("waits for the twentieth block after the boundary and reports the relay behind until then", async function () {
    const { relay } = await networkHelpers.loadFixture(relayFixture);
    const backend = await fixtureEsplora(headers, 741_900);
    try {
      const result = await syncRelay(relay, backend.esplora);
      expect(result.retargets).to.deep.equal([]);
      expect(result.nextRetargetAtHeight).to.equal(741_907);
      expect(result.tip.accepted).to.equal(false);
      // The tip (741,895..741,900) is in epoch 368, which the relay cannot know yet.
      expect(result.tip.reason).to.equal(`RelayUnexpectedBits(0, ${0x170984cc}, ${0x17094b6a})`);
      expect(result.upToDate).to.equal(false);
    } finally {
      await backend.close();
    }
  });

  it("plans without sending in a dry run", async function () {
    const { relay } = await networkHelpers.loadFixture(relayFixture);
    const backend = await fixtureEsplora(headers, 741_907);
    try {
      const result = await syncRelay(relay, backend.esplora, { dryRun: true });
      expect(result.retargets).to.have.length(1);
      expect(result.retargets[0]?.txHash).to.equal(null);
      expect(await relay.currentEpoch()).to.equal(367n);
      expect(result.epochAfter).to.equal(367);
    } finally {
      await backend.close();
    }
  });
});
