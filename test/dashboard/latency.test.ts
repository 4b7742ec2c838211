import { expect } from "chai";

import { UserInputError } from "../../src/errors.js";
import { DEFAULT_LIMITS, resolveLimits } from "../../src/http/limits.js";
import { LatencyRecorder } from "../../src/realtime/latency.js";

describe("LatencyRecorder", function () {
  it("reports nearest-rank p50/p95 and max per route, counting errors", function () {
    const r = new LatencyRecorder();
    for (let ms = 1; ms <= 100; ms++)
      r.record("GET", "/api/realtime/balances", ms, ms % 10 === 0 ? 400 : 200);
    r.record("GET", "/healthz", 2, 200);
    const report = r.report();
    expect(report.endpoints.map((e) => e.route)).to.deep.equal(["/api/realtime/balances", "/healthz"]);
    expect(report.endpoints[0]).to.deep.equal({
      method: "GET",
      route: "/api/realtime/balances",
      count: 100,
      errors: 10,
      lastMs: 100,
      p50Ms: 50,
      p95Ms: 95,
      maxMs: 100,
    });
  });

  context("when a route has more requests than the window", function () {
    it("keeps only the newest ones for the percentiles but counts them all", function () {
      const r = new LatencyRecorder(4);
      for (const ms of [100, 100, 100, 100, 1, 2, 3, 4]) r.record("GET", "/x", ms, 200);
      expect(r.report().endpoints[0]).to.deep.include({ count: 8, p50Ms: 2, p95Ms: 4, maxMs: 4 });
    });
  });
});

describe("resolveLimits", function () {
  it("fills the defaults and keeps what is given", function () {
    expect(resolveLimits({ rateLimitMax: 5 })).to.deep.equal({ ...DEFAULT_LIMITS, rateLimitMax: 5 });
  });

  it("rejects a negative or fractional limit as bad input", function () {
    expect(() => resolveLimits({ maxConnections: -1 })).to.throw(UserInputError, /maxConnections/);
    expect(() => resolveLimits({ rateLimitWindowMs: 1.5 })).to.throw(UserInputError, /rateLimitWindowMs/);
  });
});
