/**
 * The realtime server's error contract (in-process network, Fastify `inject` where no socket is needed): every error
 * is `{ error: { code, message } }`, Fastify's own errors and Node's parser's included, wrong methods get 405 with
 * `Allow`, integer query parameters are strict and messages name query parameters, never CLI flags.
 */
import { request as httpRequest } from "node:http";

import { expect } from "chai";
import type { InjectOptions } from "fastify";
import { network } from "hardhat";

import { deploySystem } from "../../src/deployments.js";
import { RpcSource } from "../../src/query/rpc.js";
import type { RealtimeServer } from "../../src/realtime/serve.js";
import { startRealtimeServer } from "../../src/realtime/serve.js";

interface ErrorAnswer {
  error: { code: string; message: string };
}

/** The body is exactly the API's error shape (no Fastify `statusCode`/`error` fields, no FST_ code). */
function expectErrorShape(body: unknown, code: string): ErrorAnswer {
  expect(body).to.have.all.keys("error");
  const { error } = body as ErrorAnswer;
  expect(error).to.have.all.keys("code", "message");
  expect(error.code).to.equal(code);
  expect(error.message).to.be.a("string").and.not.match(/FST_/);
  return body as ErrorAnswer;
}

describe("realtime server errors", function () {
  this.timeout(120_000);
  let server: RealtimeServer;
  let user: string;

  before(async function () {
    const connection = await network.create();
    const system = await deploySystem(connection);
    user = (await connection.ethers.getSigners())[5]?.address ?? "";
    // The server `realtime:serve` runs: the queries and the dashboard's routes, no Bitcoin backend, no audit.
    server = await startRealtimeServer({
      source: new RpcSource(connection.ethers.provider, system.deployment),
      chain: { provider: connection.ethers.provider, deployment: system.deployment },
      bitcoin: [],
      audit: false,
      monitorStateFiles: [],
    });
  });
  after(async () => server?.close());

  const inject = (options: InjectOptions) => server.app.inject(options);

  context("when an integer query parameter is not plain decimal", function () {
    it("answers 400 BAD_LIMIT naming the query parameter `limit`", async function () {
      for (const limit of ["0x10", "1e3", "%205", "+5", "5.0", "-1", "0", "1001", "abc"]) {
        const res = await inject({ url: `/api/realtime/transactions?user=${user}&limit=${limit}` });
        expect(res.statusCode, limit).to.equal(400);
        const { error } = expectErrorShape(res.json(), "BAD_LIMIT");
        expect(error.message, limit).to.match(/^limit: "/);
        expect(error.message, limit).to.not.include("--");
      }
      const points = await inject({ url: "/api/dashboard/history?points=0x10" });
      expect(points.statusCode).to.equal(400);
      expect(expectErrorShape(points.json(), "BAD_POINTS").error.message).to.match(/^points: "0x10"/);
    });

    it("accepts a plain decimal limit", async function () {
      const res = await inject({ url: `/api/realtime/transactions?user=${user}&limit=5` });
      expect(res.statusCode).to.equal(200);
      expect(res.json()).to.include({ user });
    });
  });

  context("when an address is bad or missing", function () {
    it("names the query parameter `user`, not the flag `--user`", async function () {
      let res = await inject({ url: "/api/realtime/balances?user=0xnope" });
      expect(res.statusCode).to.equal(400);
      expect(expectErrorShape(res.json(), "BAD_ADDRESS").error.message).to.equal(
        'user: "0xnope" is not an EVM address',
      );
      res = await inject({ url: "/api/realtime/balances" });
      expect(res.statusCode).to.equal(400);
      expect(expectErrorShape(res.json(), "MISSING_USER").error.message).to.equal("user is required");
    });
  });

  context("when the method is wrong", function () {
    it("answers 405 with Allow for a route that exists, 404 for one that does not", async function () {
      for (const [method, url] of [
        ["POST", "/api/realtime/balances"],
        ["DELETE", "/healthz"],
        ["PUT", "/api/dashboard/status"],
      ] as const) {
        const res = await inject({ method, url });
        expect(res.statusCode, url).to.equal(405);
        expect(res.headers.allow, url).to.equal("GET, HEAD");
        expect(expectErrorShape(res.json(), "METHOD_NOT_ALLOWED").error.message).to.include(method);
      }
      const res = await inject({ method: "POST", url: "/api/realtime/nope" });
      expect(res.statusCode).to.equal(404);
      expectErrorShape(res.json(), "NOT_FOUND");
    });
  });

  context("when Fastify refuses the body", function () {
    it("maps an empty or invalid JSON body and a body over the limit to the API's codes", async function () {
      const cases: Array<[InjectOptions, number, string]> = [
        [
          { method: "POST", url: "/api/realtime/balances", headers: { "content-type": "application/json" } },
          400,
          "EMPTY_BODY",
        ],
        [
          {
            method: "POST",
            url: "/api/realtime/balances",
            headers: { "content-type": "application/json" },
            payload: "{not json",
          },
          400,
          "BAD_JSON",
        ],
        [
          {
            method: "POST",
            url: "/api/realtime/balances",
            headers: { "content-type": "application/json" },
            payload: `{"pad":"${"x".repeat(20_000)}"}`,
          },
          413,
          "BODY_TOO_LARGE",
        ],
      ];
      for (const [options, status, code] of cases) {
        const res = await inject(options);
        expect(res.statusCode, code).to.equal(status);
        expectErrorShape(res.json(), code);
      }
    });
  });

  context("when the request line and headers are over the limit", function () {
    it("answers a 60 KB query string with 431 in the API's shape", async function () {
      const { status, type, body } = await new Promise<{ status: number; type: string; body: string }>(
        (resolve, reject) => {
          const req = httpRequest(
            `${server.url}/api/realtime/sync-status?pad=${"x".repeat(60_000)}`,
            (res) => {
              let text = "";
              res.setEncoding("utf8");
              res.on("data", (chunk: string) => (text += chunk));
              res.on("end", () =>
                resolve({ status: res.statusCode ?? 0, type: res.headers["content-type"] ?? "", body: text }),
              );
            },
          );
          req.on("error", reject);
          req.end();
        },
      );
      expect(status).to.equal(431);
      expect(type).to.match(/^application\/json/);
      expect(expectErrorShape(JSON.parse(body), "HEADERS_TOO_LARGE").error.message).to.match(/16384 bytes/);
    });
  });
});
