/**
 * A `hardhat node` child process on a free 127.0.0.1 port, and the system deployed on it, for the benchmarks that
 * measure against a real node.
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { createServer } from "node:net";

import type { NetworkConnection } from "hardhat/types/network";

import YieldLocalModule from "../deploy/modules/YieldLocal.js";
import { MODULE_ID, attachSystem, deploymentOf } from "../src/deployments.js";

/** A port nothing listens on right now (the OS picks it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const address = s.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

/** Starts `npx hardhat node` on 127.0.0.1:`port` in its own process group (end it with `process.kill(-pid)`). */
export async function startNode(port: number): Promise<ChildProcess> {
  const child = spawn("npx", ["hardhat", "node", "--port", String(port), "--hostname", "127.0.0.1"], {
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("hardhat node did not start in 120 s")), 120_000);
    child.stdout?.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("Started HTTP")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on("exit", (code) => reject(new Error(`hardhat node exited with ${code}`)));
  });
  child.stdout?.resume();
  child.stderr?.resume();
  return child;
}

/**
 * Deploys the `YieldLocal` Ignition module (the system plus a YieldScalesPool) under a fresh deployment id (the node is
 * new: its localhost journal must not be reused; delete deploy/deployments/<id> afterwards), mint caps raised so
 * nothing queues. Returns the address book and the system attached to the first account.
 */
export async function deployBenchSystem(connection: NetworkConnection, deploymentId: string) {
  const deployed = await connection.ignition.deploy(YieldLocalModule, {
    parameters: {
      [MODULE_ID]: { userMintCapSats: 2_000_000_000_000_000n, globalMintCapSats: 2_000_000_000_000_000n },
    },
    deploymentId,
    displayUi: false,
  });
  const [admin] = await connection.ethers.getSigners();
  if (admin === undefined) throw new Error("no accounts");
  const deployment = {
    ...(await deploymentOf(31337n, deployed)),
    yieldPool: await deployed.pool.getAddress(),
  };
  return { deployment, system: { ...attachSystem(deployment, admin), deployment } };
}
