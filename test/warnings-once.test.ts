import { expect } from "chai";
import hre from "hardhat";
import type { CompilationJob, CompilerOutput, CompilerOutputError } from "hardhat/types/solidity";

import warningsOncePlugin, { dropRepeatedWarnings } from "../plugins/warnings-once.js";

/** A solc diagnostic as Hardhat hands it over after remapping the source names. */
function diagnostic(
  severity: CompilerOutputError["severity"],
  file: string,
  line: number,
  message = "Transient storage as defined by EIP-1153 can break the composability of smart contracts",
): CompilerOutputError {
  return {
    type: severity === "error" ? "TypeError" : "Warning",
    component: "general",
    severity,
    errorCode: severity === "error" ? "7576" : "2394",
    message,
    formattedMessage: `${severity === "error" ? "TypeError" : "Warning"}: ${message}\n --> ${file}:${line}:13:\n`,
  };
}

describe("warnings-once plugin", function () {
  const transientSlot = diagnostic("warning", "@openzeppelin/contracts/utils/TransientSlot.sol", 108);

  it("is registered in the Hardhat config", function () {
    expect(hre.config.plugins.map((p) => p.id)).to.include(warningsOncePlugin.id);
  });

  it("keeps a warning the first time and drops it when another job reports it again", function () {
    const seen = new Set<string>();
    expect(dropRepeatedWarnings([transientSlot], seen)).to.deep.equal([transientSlot]);
    expect(dropRepeatedWarnings([{ ...transientSlot }], seen)).to.deep.equal([]);
  });

  it("keeps the same message at another place, and every error", function () {
    const seen = new Set<string>();
    const elsewhere = diagnostic("warning", "contracts/oracle/Oracle.sol", 12);
    const error = diagnostic("error", "contracts/oracle/Oracle.sol", 40, "Undeclared identifier.");
    dropRepeatedWarnings([transientSlot, error], seen);
    expect(dropRepeatedWarnings([transientSlot, elsewhere, error, error], seen)).to.deep.equal([
      elsewhere,
      error,
      error,
    ]);
  });

  it("hands Hardhat's printer a warning once when two compilation jobs report it", async function () {
    // Hardhat prints what this hook chain returns for each job of a build (build-system.js).
    const unique = diagnostic("warning", "@openzeppelin/contracts/utils/TransientSlot.sol", 90_000);
    const output = (errors: CompilerOutputError[]) => ({ sources: {}, errors }) as CompilerOutput;
    const errorsOf = (job: string, errors: CompilerOutputError[]) =>
      hre.hooks.runHandlerChain(
        "solidity",
        "getCompilationJobErrors",
        [{ solcConfig: { version: job } } as unknown as CompilationJob, output(errors)],
        (_context, _job, compilerOutput) => Promise.resolve(compilerOutput.errors ?? []),
      );
    expect(await errorsOf("contracts", [unique])).to.deep.equal([unique]);
    expect(await errorsOf("oracle", [unique])).to.deep.equal([]);
  });
});
