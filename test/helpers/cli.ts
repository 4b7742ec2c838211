import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import path from "node:path";

/** The Hardhat CLI of the shared node_modules. */
export const HARDHAT_CLI = path.join("node_modules", "hardhat", "dist", "src", "cli.js");

export interface HardhatRunOptions {
  /** Added to this process's environment. */
  env?: Record<string, string>;
  /** SIGKILL the process after this long (its result then has `signal: "SIGKILL"`). Default: no limit. */
  timeoutMs?: number;
  /** Called with every complete line the process writes on stdout, as it arrives. */
  onLine?: (line: string) => void;
}

export interface HardhatResult {
  /** Exit code; 1 when the process was ended by a signal. */
  code: number;
  /** The signal that ended the process, if one did. */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A `hardhat <args>` child process (no colours); `done` resolves when it has exited and its output is read. */
export function startHardhat(
  args: string[],
  options: HardhatRunOptions = {},
): { child: ChildProcess; done: Promise<HardhatResult> } {
  const child = spawn(process.execPath, [HARDHAT_CLI, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, FORCE_COLOR: "0", ...options.env },
  });
  let stdout = "";
  let stderr = "";
  let partial = "";
  child.stdout.on("data", (chunk: Buffer) => {
    const text = chunk.toString();
    stdout += text;
    if (options.onLine === undefined) return;
    const lines = (partial + text).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) options.onLine(line);
  });
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const timer =
    options.timeoutMs === undefined ? undefined : setTimeout(() => child.kill("SIGKILL"), options.timeoutMs);
  const done = new Promise<HardhatResult>((resolve) => {
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (partial !== "") options.onLine?.(partial);
      resolve({ code: code ?? 1, signal, stdout, stderr });
    });
  });
  return { child, done };
}

/** Runs `hardhat <args>` in a child process (no colours) and collects its exit code, stdout and stderr. */
export function hardhat(args: string[], options: HardhatRunOptions = {}): Promise<HardhatResult> {
  return startHardhat(args, options).done;
}
