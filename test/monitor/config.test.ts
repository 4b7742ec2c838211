import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { BackendError, UserInputError } from "../../src/errors.js";
import { redactUrl } from "../../src/errors.js";
import type { Alert } from "../../src/monitor/alerts.js";
import { DEFAULT_THRESHOLDS, loadMonitorConfig, parseMonitorConfig } from "../../src/monitor/config.js";
import { WebhookSink } from "../../src/monitor/sinks.js";
import monitorRunAction from "../../tasks/monitor/run.action.js";
import { captureLogger, startReceiver } from "./helpers.js";

const CHAIN_ID = 31337n;

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected an error");
}

const alert: Alert = {
  id: "dispute-opened:0xabc:1",
  kind: "dispute-opened",
  status: "firing",
  severity: "warning",
  summary: "dispute 1 opened",
  chainId: "31337",
  oracle: "0x0000000000000000000000000000000000000001",
  block: 7,
  time: "2026-01-01T00:00:00.000Z",
  details: { disputeId: "1" },
};

describe("monitor config", function () {
  context("when nothing is configured", function () {
    it("uses the documented defaults", function () {
      const config = parseMonitorConfig({}, CHAIN_ID);
      expect(config).to.deep.equal({
        intervalSeconds: 30,
        stateFile: ".monitor/state-31337.json",
        bitcoin: "http://127.0.0.1:18443",
        btcNetwork: "regtest",
        confirmations: 0,
        logRangeBlocks: 10_000,
        thresholds: { maxLagBlocks: 6, stallSeconds: 300, failedRounds: 2, operatorMargin: 1 },
      });
      expect(DEFAULT_THRESHOLDS).to.deep.equal(config.thresholds);
    });
  });

  context("when a field is invalid or unknown", function () {
    it("names it in a UserInputError", function () {
      const negative = thrown(() => parseMonitorConfig({ thresholds: { maxLagBlocks: -1 } }, CHAIN_ID));
      expect(negative).to.be.instanceOf(UserInputError);
      expect(negative.message).to.equal(
        "monitor config: thresholds.maxLagBlocks must be an integer ≥ 0, got -1",
      );
      expect(thrown(() => parseMonitorConfig({ tresholds: {} }, CHAIN_ID)).message).to.match(
        /^monitor config: unknown field tresholds/,
      );
      expect(thrown(() => parseMonitorConfig({ webhook: "ftp://x" }, CHAIN_ID)).message).to.equal(
        'monitor config: webhook.url must be an http(s) URL, got "ftp://x"',
      );
      expect(thrown(() => parseMonitorConfig({ btcNetwork: "moon" }, CHAIN_ID)).message).to.match(
        /btcNetwork/,
      );
    });
  });

  context("when a file and options are both given", function () {
    it("applies defaults ← file ← options", async function () {
      const dir = await mkdtemp(path.join(tmpdir(), "reservebtc-monitor-config-"));
      try {
        const file = path.join(dir, "monitor.json");
        await writeFile(
          file,
          JSON.stringify({
            intervalSeconds: 10,
            thresholds: { maxLagBlocks: 3, stallSeconds: 120 },
            webhook: { url: "http://127.0.0.1:1/a", retries: 5, headers: { authorization: "Bearer t" } },
          }),
        );
        const config = await loadMonitorConfig(
          file,
          { webhook: "http://127.0.0.1:2/b", thresholds: { stallSeconds: 60 } },
          CHAIN_ID,
        );
        expect(config.intervalSeconds).to.equal(10);
        expect(config.thresholds).to.deep.equal({ ...DEFAULT_THRESHOLDS, maxLagBlocks: 3, stallSeconds: 60 });
        expect(config.webhook).to.deep.include({
          url: "http://127.0.0.1:2/b",
          retries: 5,
          headers: { authorization: "Bearer t" },
        });
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
});

describe("WebhookSink", function () {
  async function failedDelivery(mode: "down" | "reject") {
    const receiver = await startReceiver();
    try {
      receiver.mode = mode;
      const sink = new WebhookSink({
        url: `${receiver.url}?token=secret`,
        timeoutMs: 1_000,
        retries: 3,
        retryDelayMs: 1,
        headers: {},
        maxPendingPasses: 1,
      });
      let error: unknown;
      try {
        await sink.deliver(alert);
      } catch (e) {
        error = e;
      }
      return { error, attempts: sink.attempts, received: receiver.attempts };
    } finally {
      await receiver.close();
    }
  }

  context("when the receiver answers 503", function () {
    it("retries, then throws a BackendError without the URL's query string", async function () {
      const { error, attempts, received } = await failedDelivery("down");
      expect(error).to.be.instanceOf(BackendError);
      expect((error as Error).message).to.match(/^webhook http:\/\/127\.0\.0\.1:\d+\/…: HTTP 503$/);
      expect([attempts, received]).to.deep.equal([4, 4]); // 1 + 3 retries
    });
  });

  context("when the receiver answers 400", function () {
    it("fails at once without retrying", async function () {
      const { error, attempts, received } = await failedDelivery("reject");
      expect((error as Error).message).to.match(/HTTP 400$/);
      expect([attempts, received]).to.deep.equal([1, 1]);
    });
  });

  context("when the receiver is up", function () {
    it("POSTs the alert as JSON", async function () {
      const receiver = await startReceiver();
      try {
        const { logger, lines } = captureLogger();
        const sink = new WebhookSink(
          {
            url: receiver.url,
            timeoutMs: 1_000,
            retries: 0,
            retryDelayMs: 1,
            headers: {},
            maxPendingPasses: 1,
          },
          logger,
        );
        await sink.deliver(alert);
        expect(receiver.accepted).to.deep.equal([alert]);
        expect(lines).to.deep.equal([]);
      } finally {
        await receiver.close();
      }
    });
  });

  it("redacts credentials, query strings and the path (webhook tokens live there) from URLs it logs", function () {
    expect(redactUrl("https://user:pw@hooks.example/path?token=abc")).to.equal("https://hooks.example/…");
  });
});

describe("monitor:run task", function () {
  context("when the config file is missing", function () {
    it("prints one error line and exits 2", async function () {
      const errors: string[] = [];
      const [error, exitCode] = [console.error, process.exitCode];
      console.error = (...args: unknown[]) => errors.push(args.join(" "));
      let code: typeof process.exitCode;
      try {
        await monitorRunAction(
          {
            interval: 0,
            once: true,
            state: "",
            webhook: "",
            monitorConfig: "/nonexistent/monitor.json",
            bitcoin: "",
            btcNetwork: "",
            maxLagBlocks: -1,
            stallSeconds: -1,
            logLevel: "silent",
            json: true,
          },
          {
            network: { getOrCreate: () => Promise.resolve({ ethers: { provider: fakeProvider } }) },
          } as unknown as HardhatRuntimeEnvironment,
        );
        code = process.exitCode;
      } finally {
        console.error = error;
        process.exitCode = exitCode;
      }
      expect(errors).to.have.length(1);
      expect(errors[0]).to.match(/^error: monitor config \/nonexistent\/monitor.json: ENOENT/);
      expect(code).to.equal(2);
    });
  });
});

const fakeProvider = { getNetwork: () => Promise.resolve({ chainId: CHAIN_ID }) };
