/** A `hardhat node` child process on a free 127.0.0.1 port, for the benchmarks that measure against a real node. */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { createServer } from "node:net";

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
