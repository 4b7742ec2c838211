import { spawn } from "node:child_process";
import path from "node:path";

/** The Hardhat CLI of the shared node_modules. */
export const HARDHAT_CLI = path.join("node_modules", "hardhat", "dist", "src", "cli.js");

/** Runs `hardhat <args>` in a child process (no colours) and collects its exit code, stdout and stderr. */
export function hardhat(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [HARDHAT_CLI, ...args], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, FORCE_COLOR: "0" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}
