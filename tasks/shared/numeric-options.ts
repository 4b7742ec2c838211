import { ArgumentType } from "hardhat/types/arguments";
import type { OptionDefinition } from "hardhat/types/arguments";
import { TaskDefinitionType } from "hardhat/types/tasks";
import type { NewTaskActionFunction, TaskArguments, TaskDefinition } from "hardhat/types/tasks";

import { reportTaskError } from "../../src/errors.js";
import { parseBigInteger, parseDecimal, parseInteger } from "../../src/input.js";

/** The option types Hardhat checks itself. */
const NUMERIC: ReadonlySet<ArgumentType> = new Set([
  ArgumentType.INT,
  ArgumentType.BIGINT,
  ArgumentType.FLOAT,
]);

/** What the value of a numeric option typed on the command line parses to (the default passes through). */
function parseOption(option: OptionDefinition, value: unknown): unknown {
  if (typeof value !== "string" || value === String(option.defaultValue)) {
    return typeof value === "string" ? option.defaultValue : value;
  }
  const spec = { name: option.name, code: "BAD_FLAG" };
  switch (option.type) {
    case ArgumentType.BIGINT:
      return parseBigInteger(value, { ...spec, min: 0n });
    case ArgumentType.FLOAT:
      return parseDecimal(value, { ...spec, min: 0 });
    default:
      return parseInteger(value, { ...spec, min: 0 });
  }
}

/**
 * Hardhat checks INT, BIGINT and FLOAT option values before any task code runs and fails with exit code 1 and
 * `Error HHE500: Invalid value "-5" for argument "sats" of type "BIGINT"` (and accepts `0x10` and `1e3` as integers).
 * Every such option of `definitions` is therefore declared to Hardhat as a string and parsed before the action runs,
 * strictly (plain non-negative decimal: src/input.ts): a bad value is one line naming the flag
 * (`error: --blocks: "1.5" is not an integer of at least 0`) and exit code 2, like any other bad input. The action
 * still receives a number (bigint for BIGINT); an option's default value passes through unchanged.
 */
export function withStrictNumericOptions(definitions: TaskDefinition[]): TaskDefinition[] {
  return definitions.map((definition) => {
    if (definition.type !== TaskDefinitionType.NEW_TASK || definition.action === undefined) return definition;
    const numeric = Object.values(definition.options).filter((option) => NUMERIC.has(option.type));
    if (numeric.length === 0) return definition;
    const load = definition.action;
    const options = { ...definition.options };
    for (const option of numeric) {
      options[option.name] = {
        ...option,
        type: ArgumentType.STRING,
        defaultValue: String(option.defaultValue),
      };
    }
    const action = async (): Promise<{ default: NewTaskActionFunction }> => {
      const { default: run }: { default: NewTaskActionFunction } = await load();
      return {
        default: (args: TaskArguments, hre) => {
          const parsed: TaskArguments = { ...args };
          try {
            for (const option of numeric) parsed[option.name] = parseOption(option, args[option.name]);
          } catch (error) {
            reportTaskError(error);
            return undefined;
          }
          // A task action returns what its task returns (Hardhat types it `any`).
          return run(parsed, hre) as unknown;
        },
      };
    };
    return { ...definition, options, action };
  });
}
