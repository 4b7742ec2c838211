import { expect } from "chai";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import balancesAction from "../../tasks/realtime/balances.action.js";
import disputesAction from "../../tasks/realtime/disputes.action.js";
import transactionsAction from "../../tasks/realtime/transactions.action.js";

/** Runs a task action with console.error/log captured; returns what it printed and the exit code it set. */
async function capture(run: () => Promise<unknown>) {
  const errors: string[] = [];
  const logs: string[] = [];
  const [error, log, exitCode] = [console.error, console.log, process.exitCode];
  console.error = (...args: unknown[]) => errors.push(args.join(" "));
  console.log = (...args: unknown[]) => logs.push(args.join(" "));
  try {
    await run();
    return { errors, logs, exitCode: process.exitCode };
  } finally {
    console.error = error;
    console.log = log;
    process.exitCode = exitCode;
  }
}

// Input is validated before any network connection, so no runtime environment is needed to reach the error.
const noHre = {} as HardhatRuntimeEnvironment;
const base = { source: "", subgraphUrl: "", json: true };

describe("realtime tasks", function () {
  context("when the user address is invalid", function () {
    it("prints one error line and exits 2", async function () {
      const r = await capture(() => balancesAction({ ...base, user: "0x12" }, noHre));
      expect(r.errors).to.deep.equal(['error: --user: "0x12" is not an EVM address']);
      expect(r.logs).to.deep.equal([]);
      expect(r.exitCode).to.equal(2);
    });
  });

  context("when --user is missing", function () {
    it("prints one error line and exits 2", async function () {
      const r = await capture(() => balancesAction({ ...base, user: "" }, noHre));
      expect(r.errors).to.deep.equal(["error: --user is required"]);
      expect(r.exitCode).to.equal(2);
    });
  });

  context("when --limit is out of range", function () {
    it("prints one error line and exits 2", async function () {
      const r = await capture(() =>
        transactionsAction({ ...base, user: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", limit: 0 }, noHre),
      );
      expect(r.errors[0]).to.match(/^error: --limit: "0" is not an integer from 1 to 1000/);
      expect(r.exitCode).to.equal(2);
    });
  });

  context("when a disputes filter is invalid", function () {
    it("prints one error line and exits 2", async function () {
      for (const [args, message] of [
        [{ status: "closed" }, /^error: --status: "closed" is not one of/],
        [{ user: "0x12" }, /^error: --user: "0x12" is not an EVM address/],
        [{ limit: 0 }, /^error: --limit: "0" is not an integer from 1 to 1000/],
      ] as const) {
        const r = await capture(() => disputesAction({ ...base, ...args }, noHre));
        expect(r.errors, JSON.stringify(args)).to.have.length(1);
        expect(r.errors[0]).to.match(message);
        expect(r.exitCode).to.equal(2);
      }
    });
  });
});
