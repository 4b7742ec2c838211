import { readFileSync } from "node:fs";

import type { NetworkConnection } from "hardhat/types/network";

import LightRelayModule from "../../deploy/modules/LightRelay.js";
import type { RelayRules } from "../../deploy/modules/LightRelay.js";
import { LightRelay__factory } from "../../types/ethers-contracts/index.js";
import type { LightRelay } from "../../types/ethers-contracts/index.js";

/** A header of a fixture: height and 80-byte hex. */
export interface FixtureHeader {
  height: number;
  hex: string;
}

export interface HeaderRun {
  epochStart: FixtureHeader;
  headers: FixtureHeader[];
}

/**
 * Real Bitcoin mainnet headers (test/fixtures/bitcoin/README.md says where each comes from). A type, not an interface,
 * so `Object.values`/`Object.entries` see its runs as `HeaderRun`s.
 */
export type MainnetHeaders = {
  retarget554400: HeaderRun;
  retarget741888: HeaderRun;
  reorg437478: HeaderRun & { orphan: FixtureHeader };
};

export interface FixtureTx {
  txid: string;
  index: number;
  hex: string;
  /** Sibling hashes, internal byte order, concatenated hex (the relay's format). */
  merkleProof: string;
}

export interface FixtureBlock {
  height: number;
  header: string;
  coinbase?: FixtureTx;
  [name: string]: FixtureTx | string | number | undefined;
}

/** Real Bitcoin mainnet blocks with transactions and Merkle proofs. */
export interface MainnetTxs {
  block883230: FixtureBlock & { coinbase: FixtureTx; p2wpkhSpend: FixtureTx };
  block779832: FixtureBlock & { coinbase: FixtureTx; taprootSpend: FixtureTx };
  block592920: FixtureBlock & { p2pkhSpend: FixtureTx };
}

function readFixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/bitcoin/${name}`, import.meta.url), "utf8")) as T;
}

export const mainnetHeaders = readFixture<MainnetHeaders>("mainnet-headers.json");
export const mainnetTxs = readFixture<MainnetTxs>("mainnet-txs.json");

/** The headers of `run` from `from` to `to` (heights, inclusive). */
export function headersBetween(run: HeaderRun, from: number, to: number): FixtureHeader[] {
  const picked = run.headers.filter((h) => h.height >= from && h.height <= to);
  if (picked.length !== to - from + 1) throw new Error(`fixture lacks headers ${from}..${to}`);
  return picked;
}

/** Concatenated 0x-hex of headers. */
export function concatHeaders(headers: readonly (FixtureHeader | string)[]): string {
  return `0x${headers.map((h) => (typeof h === "string" ? h : h.hex).replace(/^0x/, "")).join("")}`;
}

/** Deploys the LightRelay through its Ignition module. */
export async function deployRelay(
  connection: Pick<NetworkConnection, "ignition" | "ethers">,
  rules: RelayRules,
  genesis: FixtureHeader | { height: number; hex: string },
): Promise<LightRelay> {
  const { relay } = await connection.ignition.deploy(LightRelayModule, {
    parameters: { LightRelay: { rules, genesisHeader: `0x${genesis.hex}`, genesisHeight: genesis.height } },
    displayUi: false,
  });
  const [signer] = await connection.ethers.getSigners();
  return LightRelay__factory.connect(await relay.getAddress(), signer);
}

/** 0x-hex. */
export const hex0x = (value: string): string => (value.startsWith("0x") ? value : `0x${value}`);

/** The error `promise` rejects with (fails the test when it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error as Error & { code?: string },
  );
  if (outcome === undefined) throw new Error("expected a rejection, the promise resolved");
  return outcome;
}
