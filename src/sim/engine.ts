/**
 * The scenario engine: an in-process Bitcoin devnet plus the connected EVM network (in-process, `hardhat node`, or
 * a fork). It deploys the system through Ignition with the scenario's committee (or attaches to an existing
 * deployment on a fork), binds every user's HD-derived BTC addresses with real ownership proofs, prepays fees,
 * then runs the steps one by one and checks every expectation. See docs/simulations.md.
 *
 * The run reads as its steps: {@link setUpWorld} (world.ts: system, committee, users), {@link runSteps} (actions.ts
 * and expect.ts do each step), {@link buildReport}.
 */
import { getAddress } from "ethers";
import type { NetworkConnection } from "hardhat/types/network";

import type { RunningDevnet } from "../bitcoin/devnet/server.js";
import { startDevnet } from "../bitcoin/devnet/server.js";
import type { Deployment } from "../deployments.js";
import { addressesOf } from "../deployments.js";
import { redactUrl } from "../errors.js";
import { executeStep } from "./actions.js";
import { labelOf } from "./labels.js";
import { snapshot } from "./reads.js";
import type { SimReport, StepReport } from "./report.js";
import type { Scenario, Step } from "./scenario.js";
import { usesYield } from "./scenario.js";
import type { SetupTally, SimWorld } from "./world.js";
import {
  assembleWorld,
  attachForScenario,
  deployForScenario,
  prepareUsers,
  startScenarioCommittee,
} from "./world.js";

export type { ExpectFailure, SimReport, SimUserReport, StepReport } from "./report.js";
export { USER_ETH } from "./world.js";

export interface EngineOptions {
  /** Attach to this deployment instead of deploying (fork / existing node). */
  deployment?: Deployment;
  /** Use this devnet instead of starting one (it is not closed at the end). */
  devnet?: RunningDevnet;
  /** Ignition deployment id on http networks (default `sim-<chainId>-<time>`, so reruns never reuse a journal). */
  deploymentId?: string;
  onProgress?: (message: string) => void;
}

/** The error's message with a decoded custom error when ethers found one. */
export function errorMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const e = error as Error & { shortMessage?: string; revert?: { name?: string; args?: unknown[] } };
  let message = e.shortMessage ?? e.message;
  if (e.revert?.name !== undefined) {
    const args = (e.revert.args ?? []).map((a) => String(a)).join(", ");
    message += ` ${e.revert.name}(${args})`;
  }
  if (
    e.shortMessage !== undefined &&
    e.message !== e.shortMessage &&
    !message.includes(e.message.split("\n")[0] ?? "")
  ) {
    message += ` — ${e.message.split("\n")[0]}`;
  }
  return message;
}

async function forkInfo(
  connection: NetworkConnection,
): Promise<{ url: string; blockNumber?: bigint } | undefined> {
  const config = connection.networkConfig as {
    type: string;
    forking?: { url?: unknown; blockNumber?: bigint };
  };
  if (config.type !== "edr-simulated" || config.forking === undefined) return undefined;
  const url = config.forking.url as string | { get(): Promise<string> } | undefined;
  let shown = "(unknown)";
  if (typeof url === "string") shown = url;
  else if (url !== undefined) shown = await url.get();
  shown = redactUrl(shown);
  return config.forking.blockNumber === undefined
    ? { url: shown }
    : { url: shown, blockNumber: config.forking.blockNumber };
}

/**
 * Runs `scenario` on `connection`. Never throws for a failed expectation or an unexpected step error (both are in
 * the report, `passed: false`); throws only when the setup itself fails (deployment, funding, binding).
 */
export async function runScenario(
  scenario: Scenario,
  connection: NetworkConnection,
  options: EngineOptions = {},
): Promise<SimReport> {
  const started = Date.now();
  const progress = options.onProgress ?? (() => undefined);
  const devnet = options.devnet ?? (await startDevnet({ port: 0 }));
  const cleanups: Array<() => Promise<void>> = [];
  try {
    const setup: SetupTally = { gasUsed: 0n, durationMs: 0, bindings: 0, deposits: 0 };
    const world = await setUpWorld(scenario, connection, devnet, options, setup, cleanups, progress);
    const { steps, failures } = await runSteps(world, scenario.steps, progress);
    return await buildReport(world, scenario, setup, steps, failures, started);
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup();
    if (options.devnet === undefined) await devnet.close();
  }
}

/**
 * The world the steps act on: the system (deployed with the scenario's committee, or attached and re-pointed), the
 * committee of operator nodes on loopback (closed by a cleanup), the users funded, fee-prepaid and bound.
 */
async function setUpWorld(
  scenario: Scenario,
  connection: NetworkConnection,
  devnet: RunningDevnet,
  options: EngineOptions,
  setup: SetupTally,
  cleanups: Array<() => Promise<void>>,
  progress: (message: string) => void,
): Promise<SimWorld> {
  const chain =
    options.deployment === undefined
      ? await deployForScenario(scenario, connection, options.deploymentId, progress)
      : await attachForScenario(scenario, connection, options.deployment, setup, progress);
  if (usesYield(scenario) && chain.system.yieldPool === undefined) {
    throw new Error("the scenario uses yield, but the deployment has no YieldScalesPool");
  }
  const committee = await startScenarioCommittee(scenario, connection, devnet, chain);
  cleanups.push(() => committee.loopback.close());
  const world = await assembleWorld(scenario, connection, devnet, chain, committee);
  await prepareUsers(world, scenario, setup, progress);
  return world;
}

/** Runs the steps in order; after an unexpected error the rest are skipped. Every failure as one line. */
async function runSteps(
  world: SimWorld,
  steps: readonly Step[],
  progress: (message: string) => void,
): Promise<{ steps: StepReport[]; failures: string[] }> {
  const reports: StepReport[] = [];
  const failures: string[] = [];
  let aborted = false;
  for (const step of steps) {
    const report: StepReport = {
      index: step.index,
      label: labelOf(step),
      ok: true,
      gasUsed: 0n,
      durationMs: 0,
      failures: [],
      details: {},
    };
    if (step.note !== undefined) report.details.note = step.note;
    reports.push(report);
    if (aborted) {
      report.ok = false;
      report.error = "skipped: an earlier step failed";
      continue;
    }
    aborted = await runStep(world, step, report);
    if (report.error !== undefined && !report.ok)
      failures.push(`step ${step.index} (${report.label}): ${report.error}`);
    for (const f of report.failures) failures.push(f.message);
    if (report.failures.length > 0) report.ok = false;
    progress(`${report.ok ? "ok  " : "FAIL"} step ${step.index}: ${report.label} (${report.durationMs} ms)`);
  }
  return { steps: reports, failures };
}

/**
 * Runs one step into its report, holding it to its `expectError` (the step must fail with that text and change
 * nothing). Returns true when the step failed unexpectedly (the run stops there).
 */
async function runStep(world: SimWorld, step: Step, report: StepReport): Promise<boolean> {
  const started = Date.now();
  const before = step.expectError === undefined ? undefined : await snapshot(world);
  let aborted = false;
  try {
    await executeStep(world, step, report);
    if (step.expectError !== undefined) {
      report.ok = false;
      report.error = `expected an error containing "${step.expectError}", but the step succeeded`;
    }
  } catch (error) {
    const message = errorMessage(error);
    if (step.expectError === undefined) {
      report.ok = false;
      report.error = message;
      aborted = true;
    } else if (!message.toLowerCase().includes(step.expectError.toLowerCase())) {
      report.ok = false;
      report.error = `expected an error containing "${step.expectError}", got: ${message}`;
    } else {
      report.error = message;
      if ((await snapshot(world)) !== before) {
        report.ok = false;
        report.error = `the step failed as expected ("${step.expectError}") but changed state`;
      }
    }
  }
  report.durationMs = Date.now() - started;
  return aborted;
}

/** The run's report: network, deployment, committee (with what each node did), Bitcoin, setup, users, steps. */
async function buildReport(
  world: SimWorld,
  scenario: Scenario,
  setup: SetupTally,
  steps: StepReport[],
  failures: string[],
  started: number,
): Promise<SimReport> {
  const { system, connection, devnet } = world;
  const [{ chainId }, committeeNow, minConfirmations, fork] = await Promise.all([
    connection.ethers.provider.getNetwork(),
    system.oracle.committee(),
    system.oracle.minConfirmations(),
    forkInfo(connection),
  ]);
  return {
    scenario: scenario.name,
    network: {
      name: connection.networkName,
      chainId,
      mode: world.mode,
      ...(fork === undefined ? {} : { forkedFrom: fork.url }),
      ...(fork?.blockNumber === undefined ? {} : { forkBlock: fork.blockNumber }),
    },
    deployment: addressesOf(world.deployment),
    committee: {
      operators: committeeNow[0].map((o) => getAddress(o)),
      nodes: world.committee.tallies().map((t, index) => ({ index, ...t })),
      threshold: Number(committeeNow[1]),
      minConfirmations: Number(minConfirmations),
    },
    bitcoin: { url: devnet.url, tipHeight: devnet.chain.tipHeight },
    setup,
    users: [...world.users.values()].map((u) => ({
      id: u.id,
      evmAddress: u.address,
      btcAddresses: u.btc.map((b) => ({ ...b, bound: world.bound.has(b.address) })),
    })),
    steps,
    failures,
    passed: failures.length === 0,
    gasUsed: setup.gasUsed + steps.reduce((sum, r) => sum + r.gasUsed, 0n),
    durationMs: Date.now() - started,
  };
}
