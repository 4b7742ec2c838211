/**
 * Real local processes for the oracle integration tests: a `hardhat node` on 127.0.0.1 with a free port (one per
 * test file), in-process Bitcoin devnets, deployments through the real Ignition module, and a fault-injecting
 * HTTP proxy that sits in front of either.
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdtemp, rm, symlink } from "node:fs/promises";
import { createServer, request as httpRequest } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { connect, createServer as createTcpServer } from "node:net";
import type { AddressInfo, Socket } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

import type { NetworkConnection } from "hardhat/types/network";

import ReserveBTCModule from "../../../deploy/modules/ReserveBTC.js";
import type { Deployment, ReserveBTCParameters, SystemContracts } from "../../../src/deployments.js";
import { MODULE_ID, attachSystem, deploymentFolder, deploymentOf } from "../../../src/deployments.js";

/** A free TCP port on 127.0.0.1 (bound, read, released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface RunningNode {
  url: string;
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `hardhat node` (Node 22: this process's execPath) and resolves once it answers JSON-RPC. */
export async function startHardhatNode(): Promise<RunningNode> {
  const port = await freePort();
  const cli = path.resolve("node_modules/hardhat/dist/src/cli.js");
  const child = spawn(process.execPath, [cli, "node", "--hostname", "127.0.0.1", "--port", String(port)], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, FORCE_COLOR: "0" },
  });
  // Only the tail is kept (for the start-up error): the node logs every request, megabytes over a benchmark.
  let output = "";
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4096));
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const url = `http://127.0.0.1:${port}`;
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`hardhat node exited (${child.exitCode}): ${output.slice(-500)}`);
    try {
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      });
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() - started > 90_000) {
      child.kill("SIGKILL");
      throw new Error(`hardhat node did not start within 90 s: ${output.slice(-500)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    port,
    process: child,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** A JSON-RPC call straight to a node. */
export async function rpc(url: string, method: string, params: unknown[] = []): Promise<unknown> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = (await res.json()) as { result?: unknown; error?: { message: string } };
  if (body.error) throw new Error(body.error.message);
  return body.result;
}

let deployments = 0;
/** Deployment folders written by `deployTo` (Ignition persists deployments on http networks). */
export const deploymentFolders: string[] = [];

/**
 * Deploys the system through the real Ignition module on `connection` under its own deployment id (so tests never
 * touch deploy/deployments/chain-31337), with one confirmation and fast polling. `deploymentsRoot` is a temporary
 * folder whose `chain-<id>` links to the deployment: give it to task processes as RESERVEBTC_DEPLOYMENTS_DIR (or to
 * `loadOracleContext` as `deploymentsRoot`) and they find it the way they find a real one.
 */
export async function deployTo(
  connection: Pick<NetworkConnection, "ethers" | "ignition">,
  parameters: ReserveBTCParameters = {},
): Promise<SystemContracts & { deployment: Deployment; deploymentsRoot: string }> {
  deployments += 1;
  const deploymentId = `test-runner-${process.pid}-${deployments}`;
  const folder = path.join("deploy", "deployments", deploymentId);
  deploymentFolders.push(folder);
  const deployed = await connection.ignition.deploy(ReserveBTCModule, {
    parameters: { [MODULE_ID]: parameters },
    deploymentId,
    config: { requiredConfirmations: 1, blockPollingInterval: 50 },
    displayUi: false,
  });
  const [admin] = await connection.ethers.getSigners();
  if (admin === undefined) throw new Error("no accounts");
  const { chainId } = await connection.ethers.provider.getNetwork();
  const deployment: Deployment = await deploymentOf(chainId, deployed);
  const deploymentsRoot = await mkdtemp(path.join(tmpdir(), "reservebtc-deployments-"));
  deploymentFolders.push(deploymentsRoot);
  await symlink(path.resolve(folder), deploymentFolder(chainId, deploymentsRoot));
  return { ...attachSystem(deployment, admin), deployment, deploymentsRoot };
}

/** Removes the deployment folders `deployTo` wrote (and their linking roots; a link is removed, not followed). */
export async function removeDeployments(): Promise<void> {
  await Promise.all(deploymentFolders.splice(0).map((d) => rm(d, { recursive: true, force: true })));
}

/** Decides per request what the proxy does: forward, fail before forwarding, or forward and then fail. */
export type FaultRule = (request: {
  path: string;
  body: string;
  json: { method?: string; params?: unknown[] } | undefined;
}) => Promise<"forward" | "fail" | "lose-answer"> | "forward" | "fail" | "lose-answer";

export interface FaultProxy {
  url: string;
  rule: FaultRule;
  /** Rewrites a forwarded answer (a backend that answers wrongly). */
  transform: (path: string, body: string) => string;
  requests: Array<{ path: string; method?: string }>;
  close(): Promise<void>;
}

/** An HTTP proxy to `target` on 127.0.0.1 that injects faults (HTTP 503 / a lost answer) per `proxy.rule`. */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const targetUrl = new URL(target);
  const proxy: FaultProxy = {
    url: "",
    rule: () => "forward",
    transform: (_path, body) => body,
    requests: [],
    close: async () => undefined,
  };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void (async () => {
        const body = Buffer.concat(chunks).toString();
        let json: { method?: string; params?: unknown[] } | undefined;
        try {
          json = body === "" ? undefined : (JSON.parse(body) as { method?: string; params?: unknown[] });
        } catch {
          json = undefined;
        }
        proxy.requests.push({ path: req.url ?? "/", ...(json?.method ? { method: json.method } : {}) });
        const action = await proxy.rule({ path: req.url ?? "/", body, json });
        if (action === "fail") {
          res.writeHead(503, { "content-type": "text/plain" });
          res.end("injected fault: service unavailable");
          return;
        }
        const upstream = httpRequest(
          {
            host: targetUrl.hostname,
            port: targetUrl.port,
            method: req.method,
            path: req.url,
            headers: { ...req.headers, host: targetUrl.host },
          },
          (up) => {
            const out: Buffer[] = [];
            up.on("data", (c: Buffer) => out.push(c));
            up.on("end", () => {
              if (action === "lose-answer") {
                res.writeHead(502, { "content-type": "text/plain" });
                res.end("injected fault: bad gateway (the request reached the node)");
                return;
              }
              const answer = proxy.transform(req.url ?? "/", Buffer.concat(out).toString());
              const headers = { ...up.headers };
              delete headers["content-length"];
              delete headers["transfer-encoding"];
              res.writeHead(up.statusCode ?? 502, headers);
              res.end(answer);
            });
          },
        );
        upstream.on("error", () => {
          res.writeHead(502);
          res.end("upstream error");
        });
        upstream.end(body);
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return proxy;
}

export interface TcpRelay {
  url: string;
  /** Closes the port and every open connection: clients get "connection refused" (an endpoint that is down). */
  down(): Promise<void>;
  /** Listens on the same port again. */
  up(): Promise<void>;
  close(): Promise<void>;
}

/** A TCP relay on 127.0.0.1 to `target` (an http://host:port URL) that can be taken down and brought back up. */
export async function startTcpRelay(target: string): Promise<TcpRelay> {
  const { hostname, port: targetPort } = new URL(target);
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
  };
  let server: ReturnType<typeof createTcpServer> | undefined;
  let port = 0;
  const up = async () => {
    const s = createTcpServer((client) => {
      const upstream = connect(Number(targetPort), hostname);
      track(client);
      track(upstream);
      client.on("close", () => upstream.destroy());
      upstream.on("close", () => client.destroy());
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      s.once("error", reject);
      s.listen(port, "127.0.0.1", () => resolve());
    });
    port = (s.address() as AddressInfo).port;
    server = s;
  };
  const down = async () => {
    const s = server;
    server = undefined;
    for (const socket of sockets) socket.destroy();
    if (s !== undefined) await new Promise<void>((resolve) => s.close(() => resolve()));
  };
  await up();
  return { url: `http://127.0.0.1:${port}`, down, up, close: down };
}
