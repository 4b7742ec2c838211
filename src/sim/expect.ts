/** The `expect` step: every expectation compared with what the chain says, each miss as a failure naming it. */
import { emergencyBurns, readField, readGlobal } from "./reads.js";
import type { ExpectFailure } from "./report.js";
import type { Comparison, Expectations, GlobalExpectation, UserField } from "./scenario.js";
import { compare, describeComparison } from "./scenario.js";
import type { SimWorld } from "./world.js";
import { targets } from "./world.js";

/** A failure of a per-user (`user` set) or system-wide (`user` "") expectation. */
function failure(
  index: number,
  field: string,
  user: string,
  expected: string,
  actual: string,
): ExpectFailure {
  const subject = user === "" ? field : `${field} of ${user}`;
  return {
    step: index,
    field,
    user,
    expected,
    actual,
    message: `step ${index}: ${subject}: expected ${expected}, actual ${actual}`,
  };
}

/** The failure of a system-wide expectation, or undefined when it holds. */
export function checkGlobal(
  index: number,
  expectation: GlobalExpectation,
  actual: bigint | boolean,
): ExpectFailure | undefined {
  const { field, expected } = expectation;
  if (typeof expected === "boolean") {
    return actual === expected ? undefined : failure(index, field, "", String(expected), String(actual));
  }
  const value = typeof actual === "boolean" ? (actual ? 1n : 0n) : actual;
  return compare(expected, value)
    ? undefined
    : failure(index, field, "", describeComparison(expected), value.toString());
}

async function perUserFailures(
  world: SimWorld,
  index: number,
  e: Expectations,
  failures: ExpectFailure[],
): Promise<void> {
  for (const [field, map] of Object.entries(e.perUser) as [UserField, Map<string, Comparison>][]) {
    for (const [id, expected] of map) {
      for (const user of targets(world, id)) {
        const actual = await readField(world, field, user);
        if (!compare(expected, actual)) {
          failures.push(failure(index, field, user.id, describeComparison(expected), actual.toString()));
        }
      }
    }
  }
}

async function globalFailures(
  world: SimWorld,
  index: number,
  e: Expectations,
  failures: ExpectFailure[],
): Promise<void> {
  for (const { field, expected } of e.global) {
    const miss = checkGlobal(index, { field, expected }, await readGlobal(world, field));
    if (miss !== undefined) failures.push(miss);
  }
}

function refusedByFailures(world: SimWorld, index: number, e: Expectations, failures: ExpectFailure[]): void {
  if (e.refusedBy === undefined) return;
  const [wanted, got] = [JSON.stringify(e.refusedBy), JSON.stringify(world.lastRefusedBy)];
  if (wanted !== got) failures.push(failure(index, "refusedBy", "", wanted, got));
}

async function burnReasonFailures(
  world: SimWorld,
  index: number,
  e: Expectations,
  failures: ExpectFailure[],
): Promise<void> {
  if (e.burnReasons.size === 0) return;
  const burns = await emergencyBurns(world);
  for (const [id, reasons] of e.burnReasons) {
    for (const user of targets(world, id)) {
      const actual = burns.filter((b) => b.user === user.address).map((b) => b.reason);
      if (actual.join(",") !== reasons.join(",")) {
        failures.push(
          failure(index, "emergencyBurnReasons", user.id, JSON.stringify(reasons), JSON.stringify(actual)),
        );
      }
    }
  }
}

/**
 * Checks every expectation of step `index`: per-user fields first, then system-wide ones, refusals and burn reasons;
 * each miss is added to `failures` as it is found.
 */
export async function expectStep(
  world: SimWorld,
  index: number,
  e: Expectations,
  failures: ExpectFailure[],
): Promise<void> {
  await perUserFailures(world, index, e, failures);
  await globalFailures(world, index, e, failures);
  refusedByFailures(world, index, e, failures);
  await burnReasonFailures(world, index, e, failures);
}
