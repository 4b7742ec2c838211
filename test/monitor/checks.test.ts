// Unit: each of the monitor's check classes on its own, in process (no chain): a condition check's reading at the
// edge of its threshold, and an event check's decoding of a log of its event.
import { expect } from "chai";
import { AbiCoder, Wallet, ZeroHash, getAddress, zeroPadValue } from "ethers";
import type { Log } from "ethers";

import { CONDITION_KINDS, EVENT_KINDS } from "../../src/monitor/alerts.js";
import type { ChainHealth } from "../../src/monitor/checks.js";
import { DisputeOpenedCheck, EVENT_CHECKS, EmergencyBurnCheck } from "../../src/monitor/checks.js";
import type { ConditionCheck, ConditionInputs, RoundRecord } from "../../src/monitor/conditions.js";
import {
  BackingDeficitCheck,
  CONDITION_CHECKS,
  OperatorsLowCheck,
  OracleLagCheck,
  OracleStalledCheck,
  RoundFailedCheck,
  evaluateConditions,
} from "../../src/monitor/conditions.js";
import { DEFAULT_THRESHOLDS } from "../../src/monitor/config.js";

const T = DEFAULT_THRESHOLDS; // lag 6 blocks, stall 300 s, 2 failed rounds, margin 1
const OPERATORS = [1, 2, 3].map((i) => new Wallet(zeroPadValue(`0x0${i}`, 32)).address);
const NOW = 1_800_000_000;

/** A healthy system at block 100: fully backed, a reserve round 10 s ago at Bitcoin height 200, 2 of 3. */
function health(overrides: Partial<ChainHealth> = {}): ChainHealth {
  return {
    block: 100,
    timestamp: NOW,
    attestedSats: 50_000n,
    rbtcSupply: 50_000n,
    rbtcFree: 40_000n,
    wrbtcSupply: 10_000n,
    uncoveredSats: 0n,
    highestBtcHeight: 200,
    porRound: 3n,
    porBtcHeight: 200,
    porCommittedAt: NOW - 10,
    porAttestedSats: 50_000n,
    porBackingRatio: 100_000_000n,
    porFullyBacked: true,
    operators: OPERATORS,
    threshold: 2,
    ...overrides,
  };
}

function inputs(overrides: Partial<ConditionInputs> = {}): ConditionInputs {
  const rounds: RoundRecord = { seen: 0, failuresInRow: 0 };
  return { health: health(), tip: { height: 200 }, now: NOW, rounds, ...overrides };
}

describe("monitor checks", function () {
  describe("the registries", function () {
    it("register one condition check per condition kind and one event check per event kind, in kind order", function () {
      expect(CONDITION_CHECKS.map((c) => c.kind)).to.deep.equal([...CONDITION_KINDS]);
      expect(EVENT_CHECKS.map((c) => c.kind)).to.deep.equal([...EVENT_KINDS]);
      expect(evaluateConditions(inputs(), T).map((r) => r.kind)).to.deep.equal([...CONDITION_KINDS]);
    });
  });

  describe("BackingDeficitCheck", function () {
    const check: ConditionCheck = new BackingDeficitCheck();

    it("is ok when attested BTC covers rBTC and no wrBTC is uncovered", function () {
      expect(check.evaluate(inputs(), T).state).to.equal("ok");
    });

    it("fires when attested BTC is below the rBTC supply, naming both", function () {
      const reading = check.evaluate(inputs({ health: health({ attestedSats: 49_999n }) }), T);
      expect(reading.state).to.equal("active");
      expect(reading.summary).to.contain("49999 sats attested for 50000 sats");
      expect(reading.details.deficitSats).to.equal("1");
    });

    it("fires on any uncovered wrBTC", function () {
      expect(
        check.evaluate(inputs({ health: health({ uncoveredSats: 1n, attestedSats: 60_000n }) }), T).state,
      ).to.equal("active");
    });

    it("fires when the Bitcoin-side audit finds a deficit the chain does not show", function () {
      const audit = {
        bitcoinSats: 40_000n,
        liabilitiesSats: 50_000n,
        deficitSats: 10_000n,
        fullyBacked: false,
        deficitUsers: ["0xabc"],
        tipHeight: 201,
      };
      const reading = check.evaluate(inputs({ audit }), T);
      expect(reading.state).to.equal("active");
      expect(reading.summary).to.contain("deficit 10000 sats").and.contain("0xabc");
    });
  });

  describe("OracleLagCheck", function () {
    const check = new OracleLagCheck();

    it("is ok at the threshold and fires one block beyond it", function () {
      expect(check.evaluate(inputs({ tip: { height: 206 } }), T).state).to.equal("ok");
      const reading = check.evaluate(inputs({ tip: { height: 207 } }), T);
      expect(reading.state).to.equal("active");
      expect(reading.details.lagBlocks).to.equal(7);
    });

    it("measures from the newer of the reports' and the reserve round's heights", function () {
      const h = health({ highestBtcHeight: 150, porBtcHeight: 205 });
      expect(check.evaluate(inputs({ health: h, tip: { height: 210 } }), T).state).to.equal("ok");
    });

    it("is unknown without a Bitcoin tip, naming why", function () {
      const reading = check.evaluate(inputs({ tip: { error: "backend down" } }), T);
      expect(reading.state).to.equal("unknown");
      expect(reading.value).to.contain("backend down");
    });
  });

  describe("OracleStalledCheck", function () {
    const check = new OracleStalledCheck();

    it("is ok at stallSeconds and fires one second later", function () {
      const at = (age: number) => inputs({ health: health({ porCommittedAt: NOW - age }) });
      expect(check.evaluate(at(300), T).state).to.equal("ok");
      expect(check.evaluate(at(301), T).state).to.equal("active");
    });

    it("is unknown before the first reserve round", function () {
      expect(check.evaluate(inputs({ health: health({ porCommittedAt: undefined }) }), T).state).to.equal(
        "unknown",
      );
    });
  });

  describe("RoundFailedCheck", function () {
    const check = new RoundFailedCheck();
    const lastFailure = { kind: "submit", error: "RPC down", at: NOW };

    it("is unknown without any runner outcome (standalone)", function () {
      expect(check.evaluate(inputs(), T).state).to.equal("unknown");
    });

    it("is ok below failedRounds in a row and fires at it, with the last error", function () {
      const one = check.evaluate(inputs({ rounds: { seen: 3, failuresInRow: 1, lastFailure } }), T);
      expect(one.state).to.equal("ok");
      const two = check.evaluate(inputs({ rounds: { seen: 3, failuresInRow: 2, lastFailure } }), T);
      expect(two.state).to.equal("active");
      expect(two.summary).to.contain("submit: RPC down");
    });
  });

  describe("OperatorsLowCheck", function () {
    const check = new OperatorsLowCheck();
    const reach = (signed: string[]) => ({
      seen: 1,
      failuresInRow: 0,
      reachability: { signed, unreachable: [], at: NOW },
    });

    it("is unknown without committee reachability", function () {
      expect(check.evaluate(inputs(), T).state).to.equal("unknown");
    });

    it("is ok at threshold + margin live operators and fires below it", function () {
      expect(check.evaluate(inputs({ rounds: reach(OPERATORS) }), T).state).to.equal("ok");
      const low = check.evaluate(inputs({ rounds: reach(OPERATORS.slice(0, 2)) }), T);
      expect(low.state).to.equal("active");
      expect(low.details).to.include({ live: 2, needed: 3 });
    });

    it("does not count a signer that is not an on-chain operator", function () {
      const stranger = new Wallet(zeroPadValue("0x09", 32)).address;
      const reading = check.evaluate(inputs({ rounds: reach([...OPERATORS.slice(0, 2), stranger]) }), T);
      expect(reading.state).to.equal("active");
    });
  });

  describe("event checks", function () {
    const coder = AbiCoder.defaultAbiCoder();
    const user = getAddress(OPERATORS[0] as string);
    const logOf = (topics: string[], data: string): Log =>
      ({
        address: "0x0000000000000000000000000000000000000001",
        topics,
        data,
        blockNumber: 7,
        transactionHash: ZeroHash,
        index: 2,
      }) as unknown as Log;
    const topicOf = (value: bigint | string) =>
      zeroPadValue(typeof value === "string" ? value : `0x${value.toString(16).padStart(2, "0")}`, 32);

    it("EmergencyBurnCheck decodes an EmergencyBurn log into its finding", function () {
      const check = new EmergencyBurnCheck();
      // EmergencyBurn(address indexed user, uint64 amountSats, uint8 reason): FEE_EXHAUSTED = 0
      const log = logOf([check.topic, topicOf(user)], coder.encode(["uint64", "uint8"], [20_000n, 0]));
      const finding = check.decode(log);
      expect(finding).to.include({ kind: "emergency-burn", key: `${ZeroHash}:2`, block: 7 });
      expect(finding.details).to.include({ user, amountSats: "20000", reason: "FEE_EXHAUSTED" });
    });

    it("DisputeOpenedCheck decodes a DisputeOpened log into its finding", function () {
      const check = new DisputeOpenedCheck();
      const challenger = getAddress(OPERATORS[1] as string);
      // DisputeOpened(uint256 indexed disputeId, address indexed user, address indexed challenger, uint64 claimedSats,
      //   uint64 attestedSats, uint256 bondWei, uint40 deadline, string evidenceURI)
      const data = coder.encode(
        ["uint64", "uint64", "uint256", "uint40", "string"],
        [50_000n, 80_000n, 10n ** 16n, 1_900_000_000n, "ipfs://evidence"],
      );
      const finding = check.decode(
        logOf([check.topic, topicOf(4n), topicOf(user), topicOf(challenger)], data),
      );
      expect(finding).to.include({ kind: "dispute-opened", block: 7, logIndex: 2 });
      expect(finding.summary).to.equal(`dispute 4 opened on ${user}: claims 50000 sats, attested 80000`);
      expect(finding.details).to.include({
        disputeId: "4",
        user,
        challenger,
        bondWei: "10000000000000000",
        deadline: 1_900_000_000,
        evidenceURI: "ipfs://evidence",
      });
    });
  });
});
