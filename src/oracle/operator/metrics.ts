/** The operator node's Prometheus metrics (`GET /metrics`), in their own registry. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

import type { SlashingProtection } from "./protection.js";

export class OperatorMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: "reservebtc_operator_requests_total",
    help: "HTTP requests by route and status code",
    labelNames: ["route", "status"] as const,
    registers: [this.registry],
  });
  readonly duration = new Histogram({
    name: "reservebtc_operator_request_duration_seconds",
    help: "Time to answer a signing request (verification included), by route",
    labelNames: ["route"] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly signed = new Counter({
    name: "reservebtc_operator_signed_total",
    help: "Requests signed, by kind (sync-batch, reserve-round, binding, revocation)",
    labelNames: ["kind"] as const,
    registers: [this.registry],
  });
  readonly reportsSigned = new Counter({
    name: "reservebtc_operator_reports_signed_total",
    help: "Sync reports in the batches signed",
    registers: [this.registry],
  });
  readonly refused = new Counter({
    name: "reservebtc_operator_refused_total",
    help: "Requests refused, by kind",
    labelNames: ["kind"] as const,
    registers: [this.registry],
  });
  readonly refusals = new Counter({
    name: "reservebtc_operator_refusals_total",
    help: "Items refused (one per report or field the node disagreed with), by kind and reason",
    labelNames: ["kind", "reason"] as const,
    registers: [this.registry],
  });
  readonly bitcoinErrors = new Counter({
    name: "reservebtc_operator_bitcoin_errors_total",
    help: "Bitcoin backend failures (the node answers 503 and signs nothing)",
    registers: [this.registry],
  });
  readonly chainErrors = new Counter({
    name: "reservebtc_operator_chain_errors_total",
    help: "EVM RPC failures (the node answers 503 and signs nothing)",
    registers: [this.registry],
  });
  readonly lastSigned = new Gauge({
    name: "reservebtc_operator_last_signed_timestamp_seconds",
    help: "Unix time of the last signature",
    registers: [this.registry],
  });
  readonly onCommittee = new Gauge({
    name: "reservebtc_operator_on_committee",
    help: "1 when the node's key is on the Oracle's committee (as of the last health check or request)",
    registers: [this.registry],
  });
  readonly bitcoinTip = new Gauge({
    name: "reservebtc_operator_bitcoin_tip_height",
    help: "The node's Bitcoin tip height (last health check)",
    registers: [this.registry],
  });
  readonly bitcoinLag = new Gauge({
    name: "reservebtc_operator_bitcoin_lag_blocks",
    help: "Bitcoin tip minus the highest height attested on chain (last health check)",
    registers: [this.registry],
  });

  constructor(protection?: SlashingProtection) {
    collectDefaultMetrics({ register: this.registry, prefix: "reservebtc_operator_" });
    if (protection !== undefined) {
      new Gauge({
        name: "reservebtc_operator_protection_records",
        help: "Records in the slashing-protection store, by kind",
        labelNames: ["kind"] as const,
        registers: [this.registry],
        collect() {
          const counts = protection.counts();
          this.set({ kind: "sync-report" }, counts.syncReports);
          this.set({ kind: "reserve-round" }, counts.reserveRounds);
          this.set({ kind: "binding-nonce" }, counts.bindingNonces);
        },
      });
    }
  }
}
