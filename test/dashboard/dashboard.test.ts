import { existsSync } from "node:fs";
import { copyFile, mkdir } from "node:fs/promises";
import path from "node:path";

import { expect } from "chai";
import { parseEther } from "ethers";
import { network } from "hardhat";
import { chromium } from "playwright-core";
import type { Browser, Page } from "playwright-core";

import { EsploraClient } from "../../src/bitcoin/esplora.js";
import { BackingHistory, MAX_HISTORY_POINTS } from "../../src/dashboard/history.js";
import type { DashboardHistory, DashboardStatus, LatencyReport } from "../../src/dashboard/types.js";
import { RpcSource } from "../../src/query/rpc.js";
import { ChainEventStream } from "../../src/query/stream.js";
import { startRealtimeServer } from "../../src/realtime/serve.js";
import type { RealtimeServeOptions, RealtimeServer } from "../../src/realtime/serve.js";
import type { History } from "../query/history.js";
import { scriptedHistory } from "../query/history.js";

/** Debian's chromium (scripts/test-all.mjs installs it with apt-get when missing). */
const CHROMIUM = "/usr/bin/chromium";
const ARTIFACTS = "test-artifacts";
/** Set to refresh the screenshot committed under docs/ from this test's run. */
const UPDATE_DOCS_SCREENSHOT = process.env.UPDATE_DOCS_SCREENSHOT === "1";

const connection = await network.create();

describe("operator dashboard (realtime:serve)", function () {
  this.timeout(180_000);
  let history: History;
  const servers: RealtimeServer[] = [];
  let browser: Browser | undefined;

  /** A realtime server over the history's chain, built as `realtime:serve` builds it. */
  const serve = async (options: Partial<RealtimeServeOptions> = {}): Promise<RealtimeServer> => {
    const stream = new ChainEventStream(history.provider, history.deployment, 20);
    const server = await startRealtimeServer({
      source: new RpcSource(history.provider, history.deployment, { head: () => stream.head() }),
      stream,
      chain: { provider: history.provider, deployment: history.deployment },
      bitcoin: [history.bitcoinUrl],
      host: "127.0.0.1",
      // Hermetic: no monitor state file of another run in the working directory.
      monitorStateFiles: [],
      ...options,
    });
    servers.push(server);
    return server;
  };

  const getJson = async <T>(url: string): Promise<T> => {
    const res = await fetch(url);
    expect(res.status, url).to.equal(200);
    return (await res.json()) as T;
  };

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium; npm test does it)`,
      );
    }
    history = await scriptedHistory(connection);
  });
  after(async () => {
    await browser?.close();
    for (const s of servers) await s.close();
    await history?.close();
  });

  /** Headless Debian chromium (root needs --no-sandbox). */
  const newPage = async (): Promise<Page> => {
    browser ??= await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox"] });
    const page = await browser.newPage({ viewport: { width: 1280, height: 1500 } });
    page.setDefaultTimeout(15_000);
    return page;
  };

  describe("JSON endpoints", function () {
    let server: RealtimeServer;
    before(async () => {
      server = await serve();
    });

    it("status: backing, components and committee from the scripted history", async function () {
      const s = await getJson<DashboardStatus>(`${server.url}/api/dashboard/status`);
      // attested alice 10,000 + bob 80,000 (carol's mint is deferred) vs free 80,000 + wrBTC 50,000: alice's
      // 40,000 wrBTC that could not be slashed is uncovered.
      expect(s.reserves).to.deep.include({
        available: true,
        attestedSats: "90000",
        claimsSats: "130000",
        rbtcSupply: "90000",
        wrbtcSupply: "50000",
        uncoveredSats: "40000",
        backingRatio: "0.692307",
        isFullyBacked: false,
      });
      expect(s.chain).to.deep.include({ reachable: true, chainId: "31337", error: null });
      expect(s.chain.head?.block).to.equal(await history.provider.getBlockNumber());
      const tip = await new EsploraClient({ baseUrl: history.bitcoinUrl }).tipHeight();
      expect(s.bitcoin.tip).to.equal(tip);
      expect(s.bitcoin.backends).to.have.length(1);
      expect(s.bitcoin.backends[0]).to.deep.include({ url: history.bitcoinUrl, reachable: true, tip });
      expect(s.oracle).to.deep.include({ available: true, btcHeight: tip, lagBtcBlocks: 0 });
      if (!s.oracle.available) return;
      expect(s.oracle.reserveRound?.round).to.equal(2);
      // The round's leaves carry the BTC the committee observed, carol's 50,000 included (her mint is only deferred).
      expect(s.oracle.reserveRound?.attestedSats).to.equal("140000");
      expect(s.subgraph).to.deep.equal({ configured: false });
      expect(s.emergencyBurns).to.deep.include({ available: true, count: 1 });
      expect(s.committee).to.deep.include({ available: true, threshold: 2, size: 3 });
      if (!s.committee.available) return;
      // Every sync batch (the runner batches a round's reports by cost class, so burns and mints go separately) was signed by
      // the same two operators (threshold 2 of 3).
      expect(s.committee.batchesExamined).to.equal(3);
      expect(s.committee.signersSeen).to.equal(2);
      expect(s.committee.operators.filter((o) => !o.signedRecently)).to.have.length(1);
    });

    it("status: an unreachable Bitcoin backend is reported, the rest still answers", async function () {
      const degraded = await serve({ bitcoin: [history.bitcoinUrl, "http://127.0.0.1:1"] });
      const s = await getJson<DashboardStatus>(`${degraded.url}/api/dashboard/status`);
      expect(s.bitcoin.backends.map((b) => b.reachable)).to.deep.equal([true, false]);
      expect(s.bitcoin.backends[1]?.error).to.be.a("string").and.not.equal("");
      expect(s.reserves).to.include({ available: true, backingRatio: "0.692307" });
    });

    it("history: one point per sync and reserve round, oldest first", async function () {
      const h = await getJson<DashboardHistory>(`${server.url}/api/dashboard/history`);
      expect(h.available).to.equal(true);
      if (!h.available) return;
      const brief = h.points.map((p) => [p.attestedSats, p.claimsSats, p.round, p.events.join("+")]);
      expect(brief).to.deep.equal([
        ["230000", "230000", null, "Synced"],
        ["230000", "230000", 1, "ReservesCommitted"],
        ["90000", "130000", null, "EmergencyBurn+Synced"],
        ["90000", "130000", null, "Synced"],
        ["90000", "130000", 2, "ReservesCommitted"],
      ]);
      expect(h.points[0]).to.deep.include({ uncoveredSats: "0", backingRatio: "1.000000" });
      expect(h.points[2]).to.deep.include({ uncoveredSats: "40000", backingRatio: "0.692307" });
      const last2 = await getJson<DashboardHistory>(`${server.url}/api/dashboard/history?points=2`);
      expect(last2.available && last2.points.map((p) => p.block)).to.deep.equal(
        h.points.slice(-2).map((p) => p.block),
      );
      const bad = await fetch(`${server.url}/api/dashboard/history?points=0`);
      expect(bad.status).to.equal(400);
      expect(((await bad.json()) as { error: { code: string } }).error.code).to.equal("BAD_POINTS");
    });

    it("history: a short history extended later equals one read at once (the kept point blocks grow both ways)", async function () {
      const head = await history.provider.getBlockNumber();
      const growing = new BackingHistory(history.provider, history.deployment);
      const newest = await growing.history(head, 2);
      expect(newest).to.have.length(2);
      // Older points than the first scan reached, then the same again: identical to a fresh instance's answer.
      const all = await growing.history(head, MAX_HISTORY_POINTS);
      const fresh = await new BackingHistory(history.provider, history.deployment).history(
        head,
        MAX_HISTORY_POINTS,
      );
      expect(all).to.deep.equal(fresh);
      expect(all.slice(-2)).to.deep.equal(newest);
      expect(all.map((p) => p.block)).to.deep.equal([...all.map((p) => p.block)].sort((a, b) => a - b));
      // A head below the newest scanned block answers as of that head.
      const earlier = all[all.length - 2]?.block ?? 0;
      expect((await growing.history(earlier, MAX_HISTORY_POINTS)).map((p) => p.block)).to.deep.equal(
        all.slice(0, -1).map((p) => p.block),
      );
    });

    it("latency: server-side timings per route", async function () {
      for (let i = 0; i < 3; i++) await fetch(`${server.url}/api/realtime/sync-status`);
      await fetch(`${server.url}/api/realtime/balances?user=0xnope`);
      const l = await getJson<LatencyReport>(`${server.url}/api/dashboard/latency`);
      const sync = l.endpoints.find((e) => e.route === "/api/realtime/sync-status");
      expect(sync).to.deep.include({ method: "GET", count: 3, errors: 0 });
      expect(sync!.p95Ms).to.be.greaterThan(0).and.at.least(sync!.p50Ms);
      expect(sync!.maxMs).to.be.at.least(sync!.p95Ms);
      expect(l.endpoints.find((e) => e.route === "/api/realtime/balances")).to.deep.include({
        count: 1,
        errors: 1,
      });
    });

    it("serves the built page at / from this server only, under a strict CSP", async function () {
      const res = await fetch(`${server.url}/`);
      expect(res.status).to.equal(200);
      expect(res.headers.get("content-type")).to.match(/^text\/html/);
      expect(res.headers.get("content-security-policy")).to.include("script-src 'self'");
      const html = await res.text();
      const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] ?? "");
      expect(refs.length).to.be.greaterThan(1);
      for (const ref of refs) {
        expect(ref, ref).to.match(/^\.\/(assets\/|favicon\.svg$)/);
        expect((await fetch(new URL(ref, `${server.url}/`))).status, ref).to.equal(200);
      }
    });

    it("answers /favicon.ico with the page's icon, not a 404", async function () {
      const res = await fetch(`${server.url}/favicon.ico`);
      expect(res.status).to.equal(200);
      expect(res.headers.get("content-type")).to.match(/^image\/svg\+xml/);
      expect(await res.text()).to.match(/^<svg /);
    });

    it("status: an emergency burn inside the event window is a critical alert since it happened", async function () {
      // The scripted history's burn happened a day (and a few blocks) before its head: a week's window holds it.
      const wide = await serve({ eventWindowSeconds: 7 * 86_400 });
      const s = await getJson<DashboardStatus>(`${wide.url}/api/dashboard/status`);
      if (!s.emergencyBurns.available) throw new Error("emergency burns unavailable");
      const burn = s.emergencyBurns.burns[0];
      const alert = s.alerts.active.find((a) => a.kind === "emergency-burn");
      expect(alert).to.deep.include({
        severity: "critical",
        since: (burn?.timestamp ?? 0) * 1000,
        sinceSource: "chain",
        summary: `emergency burn of 140000 sats from ${history.users.alice.address} (BACKING_LOST)`,
      });
      // The default window (one day of chain time) no longer lists it.
      const narrow = await getJson<DashboardStatus>(`${server.url}/api/dashboard/status`);
      expect(narrow.alerts.active.map((a) => a.kind)).to.not.include("emergency-burn");
      // The uncovered wrBTC is a chain-side backing deficit; the stale reserve round a stall.
      expect(narrow.lights).to.deep.include({ backing: "down", oracle: "down", committee: "ok" });
    });
  });

  describe("abuse limits", function () {
    it("answers 429 with a JSON error and retry-after beyond the per-client rate", async function () {
      const tight = await serve({ limits: { rateLimitMax: 3, rateLimitWindowMs: 60_000 } });
      const statuses: number[] = [];
      for (const route of ["/api/realtime/sync-status", "/api/dashboard/latency", "/no-such-route"]) {
        statuses.push((await fetch(`${tight.url}${route}`)).status);
      }
      // Unknown routes count too (URL scanning is throttled like any request).
      expect(statuses).to.deep.equal([200, 200, 404]);
      const res = await fetch(`${tight.url}/api/realtime/sync-status`);
      expect(res.status).to.equal(429);
      expect(res.headers.get("content-type")).to.match(/application\/json/);
      expect(Number(res.headers.get("retry-after"))).to.be.within(1, 60);
      expect(res.headers.get("x-ratelimit-limit")).to.equal("3");
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).to.equal("RATE_LIMITED");
      expect(body.error.message).to.match(/more than 3 requests in 60 s/);
      expect((await fetch(`${tight.url}/no-such-route`)).status).to.equal(429);
    });

    it("never rate-limits the page, its files or /healthz together with the API", async function () {
      const tight = await serve({ limits: { rateLimitMax: 2, rateLimitWindowMs: 60_000 } });
      for (let i = 0; i < 3; i++) await fetch(`${tight.url}/api/dashboard/latency`);
      expect((await fetch(`${tight.url}/api/dashboard/latency`)).status).to.equal(429);
      for (const route of ["/healthz", "/", "/favicon.ico", "/healthz", "/", "/favicon.ico"]) {
        expect((await fetch(`${tight.url}${route}`)).status, route).to.equal(200);
      }
    });

    it("refuses an oversized request target with 414", async function () {
      const server = servers[0]!;
      const res = await fetch(`${server.url}/api/realtime/sync-status?pad=${"x".repeat(3000)}`);
      expect(res.status).to.equal(414);
      expect(((await res.json()) as { error: { code: string } }).error.code).to.equal("URI_TOO_LONG");
    });

    it("caps open connections", async function () {
      const capped = await serve({ limits: { maxConnections: 7 } });
      expect(capped.app.server.maxConnections).to.equal(7);
    });
  });

  describe("the page in headless Chromium", function () {
    it("shows the backing ratio, updates it live when a sync mints, and saves a screenshot", async function () {
      const server = await serve();
      const page = await newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(`${server.url}/`);
      await page.locator('#connection[data-state="connected"]').waitFor();
      await page.locator("#backing-ratio", { hasText: "69.23 %" }).waitFor();
      expect(await page.locator("#backing-state").textContent()).to.match(/^UNDER-BACKED/);
      expect(await page.locator("#attested").textContent()).to.equal("90,000 sats (0.00090000 BTC)");
      expect(await page.locator("#uncovered").textContent()).to.equal("40,000 sats (0.00040000 BTC)");
      await page.locator('#backing-chart[data-points="5"]').waitFor();
      expect(await page.locator("#comp-chain").getAttribute("data-health")).to.equal("ok");
      expect(await page.locator("#comp-bitcoin").getAttribute("data-health")).to.equal("ok");
      expect(await page.locator("#comp-oracle").getAttribute("data-lag-btc-blocks")).to.equal("0");
      expect(await page.locator("#committee tr").count()).to.equal(3);
      expect(await page.locator("#burns").getAttribute("data-count")).to.equal("1");

      // carol tops up her fees; the next round attests and mints her 50,000 deferred sats: 140,000 attested
      // against 180,000 claims (alice's 40,000 uncovered wrBTC remains).
      const { carol } = history.users;
      await (
        await history.system.feeVault
          .connect(carol.signer)
          .depositETH(carol.address, { value: parseEther("0.05") })
      ).wait();
      await history.sync();
      await page.locator("#backing-ratio", { hasText: "77.78 %" }).waitFor();
      expect(await page.locator("#attested").textContent()).to.equal("140,000 sats (0.00140000 BTC)");
      expect(await page.locator("#claims").textContent()).to.equal("180,000 sats (0.00180000 BTC)");
      await page.locator('#backing-chart[data-points="7"]').waitFor();
      await page.locator('#events li[data-event="Minted"]').first().waitFor();
      expect(await page.locator('#events li[data-event="FeeDeposited"]').count()).to.be.at.least(1);
      expect(errors).to.deep.equal([]);

      await mkdir(ARTIFACTS, { recursive: true });
      const shot = path.join(ARTIFACTS, "dashboard.png");
      await page.screenshot({ path: shot, fullPage: true });
      expect(existsSync(shot)).to.equal(true);
      if (UPDATE_DOCS_SCREENSHOT) await copyFile(shot, path.join("docs", "images", "dashboard.png"));
      await page.close();
    });

    it("starts in a neutral connecting state, without the disconnected banner", async function () {
      const server = await serve();
      const page = await newPage();
      // Hold the first status answer: the page must wait for it in a neutral state.
      let release: () => void = () => undefined;
      const held = new Promise<void>((resolve) => (release = resolve));
      await page.route("**/api/dashboard/status", async (route) => {
        await held;
        await route.continue();
      });
      await page.goto(`${server.url}/`);
      await page.locator('#connection[data-state="connecting"]').waitFor();
      expect(await page.locator("#connection").textContent()).to.equal("connecting…");
      expect(await page.locator("#connection").getAttribute("class")).to.equal("badge badge-wait");
      expect(await page.locator("#disconnected-banner").isVisible()).to.equal(false);
      expect((await page.locator("body").getAttribute("class")) ?? "").to.not.include("disconnected");
      release();
      await page.locator('#connection[data-state="connected"]').waitFor();
      await page.close();
    });

    it("shows a clear disconnected state when the server stops", async function () {
      const server = await serve();
      const page = await newPage();
      await page.goto(`${server.url}/`);
      await page.locator('#connection[data-state="connected"]').waitFor();
      expect(await page.locator("#disconnected-banner").isVisible()).to.equal(false);
      await server.close();
      await page.locator('#connection[data-state="disconnected"]').waitFor();
      await page.locator("#disconnected-banner").waitFor({ state: "visible" });
      expect(await page.locator("#connection").textContent()).to.equal("disconnected");
      expect(await page.locator("body").getAttribute("class")).to.include("disconnected");
      await page.screenshot({ path: path.join(ARTIFACTS, "dashboard-disconnected.png") });
      await page.close();
    });
  });
});
