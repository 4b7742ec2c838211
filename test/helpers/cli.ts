import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import path from "node:path";

/** The Hardhat CLI of the shared node_modules. */
export const HARDHAT_CLI = path.join("node_modules", "hardhat", "dist", "src", "cli.js");

export interface HardhatRunOptions {
  /** The child's environment (default: this process's). */
  env?: NodeJS.ProcessEnv;
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

/**
 * A `hardhat <args>` child process (no colours, stdin /dev/null); `done` resolves when it has exited and its output
 * is read.
 */
export function startHardhat(
  args: string[],
  options: HardhatRunOptions = {},
): { child: ChildProcess; done: Promise<HardhatResult> } {
  const child = spawn(process.execPath, [HARDHAT_CLI, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...(options.env ?? process.env), FORCE_COLOR: "0" },
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

/** Runs `hardhat <args>` in a child process (see {@link startHardhat}) and collects its exit code, stdout and stderr. */
export function hardhat(args: string[], options: HardhatRunOptions = {}): Promise<HardhatResult> {
  return startHardhat(args, options).done;
}

/** A prompt to wait for in a terminal session and what to type at it (Enter is added). */
export interface TerminalAnswer {
  prompt: string;
  answer: string;
}

/**
 * Environment variables by which Hardhat's keystore plugin decides it runs in CI (`isCi()` of
 * @nomicfoundation/hardhat-utils/ci) and then never opens the keystore.
 */
export const CI_VARIABLES = [
  "GITHUB_ACTIONS",
  "NOW",
  "DEPLOYMENT_ID",
  "CODEBUILD_BUILD_NUMBER",
  "CI",
  "CONTINUOUS_INTEGRATION",
  "BUILD_NUMBER",
  "RUN_ID",
] as const;

/** Terminal control sequences (cursor moves, erase) that readline writes around a prompt. */
const CONTROL_SEQUENCE = new RegExp(`${String.fromCharCode(27)}\\[[0-9;?]*[A-Za-z]`, "g");

/**
 * Runs `hardhat <args>` on a pseudo-terminal, as a user at a shell would: util-linux `script` gives the child a pty
 * (so Hardhat's secret prompts behave as interactive ones), and each answer is typed only once its prompt has been
 * printed. `output` is what the terminal showed (stdout and stderr together), without control sequences and `\r`;
 * `unanswered` lists the prompts that never appeared.
 */
export function hardhatInTerminal(
  args: string[],
  options: { env: NodeJS.ProcessEnv; answers?: readonly TerminalAnswer[]; timeoutMs?: number },
): Promise<{ code: number; output: string; unanswered: string[] }> {
  const command = [process.execPath, path.resolve(HARDHAT_CLI), ...args]
    .map((word) => `'${word.replaceAll("'", `'\\''`)}'`)
    .join(" ");
  const answers = [...(options.answers ?? [])];
  return new Promise((resolve, reject) => {
    const child = spawn("script", ["--quiet", "--return", "--command", command, "/dev/null"], {
      stdio: ["pipe", "pipe", "pipe"],
      env: { ...options.env, FORCE_COLOR: "0" },
    });
    let raw = "";
    let answeredUpTo = 0;
    const clean = () => raw.replace(CONTROL_SEQUENCE, "").replaceAll("\r", "");
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`hardhat ${args.join(" ")} did not finish in the terminal: ${clean().slice(-800)}`));
    }, options.timeoutMs ?? 60_000);
    const onOutput = (chunk: Buffer) => {
      raw += chunk.toString();
      const next = answers[0];
      if (next === undefined) return;
      const at = raw.indexOf(next.prompt, answeredUpTo);
      if (at < 0) return;
      answeredUpTo = at + next.prompt.length;
      answers.shift();
      child.stdin.write(`${next.answer}\r`);
    };
    child.stdout.on("data", onOutput);
    child.stderr.on("data", onOutput);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, output: clean(), unanswered: answers.map((a) => a.prompt) });
    });
  });
}
