import { spawn } from "node:child_process";
import path from "node:path";

/** The Hardhat CLI of the shared node_modules. */
export const HARDHAT_CLI = path.join("node_modules", "hardhat", "dist", "src", "cli.js");

/**
 * Runs `hardhat <args>` in a child process (no colours, stdin /dev/null, this process's environment unless `env` is
 * given) and collects its exit code, stdout and stderr.
 */
export function hardhat(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [HARDHAT_CLI, ...args], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...env, FORCE_COLOR: "0" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
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
