/**
 * Test doubles for the monitor: a webhook receiver on 127.0.0.1 (node:http) that records every POST and can be
 * switched down (HTTP 503) or silent (never answers), and a pino logger that keeps its lines in memory.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

import { pino } from "pino";
import type { Logger } from "pino";

import type { Alert } from "../../src/monitor/alerts.js";

export interface WebhookReceiver {
  url: string;
  /** Alerts answered with 200, in arrival order. */
  accepted: Alert[];
  /** Every POST, answered or not. */
  attempts: number;
  /** up: 200; down: 503; reject: 400; silent: never answers. */
  mode: "up" | "down" | "reject" | "silent";
  close(): Promise<void>;
}

export async function startReceiver(): Promise<WebhookReceiver> {
  const receiver: WebhookReceiver = {
    url: "",
    accepted: [],
    attempts: 0,
    mode: "up",
    close: async () => undefined,
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (req.method !== "POST") {
        res.writeHead(405);
        res.end();
        return;
      }
      receiver.attempts += 1;
      if (receiver.mode === "silent") return; // never answers: the sender's timeout fires
      if (receiver.mode === "down" || receiver.mode === "reject") {
        res.writeHead(receiver.mode === "down" ? 503 : 400, { "content-type": "text/plain" });
        res.end(receiver.mode);
        return;
      }
      receiver.accepted.push(JSON.parse(Buffer.concat(chunks).toString()) as Alert);
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/alerts`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}

export interface CapturedLog {
  logger: Logger;
  lines: Array<Record<string, unknown>>;
  /** Lines whose `event` field is `event`. */
  events(event: string): Array<Record<string, unknown>>;
}

export function captureLogger(): CapturedLog {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino(
    { level: "info" },
    { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
  );
  return { logger, lines, events: (event) => lines.filter((l) => l.event === event) };
}
