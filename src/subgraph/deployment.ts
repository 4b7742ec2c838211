// Reads what the subgraph needs from an Ignition deployment folder (deploy/deployments/chain-<id>/): the address of
// every deployed future and the block of the transaction that created it (the data source's start block).

import { readFile } from "node:fs/promises";
import path from "node:path";

import { UserInputError } from "../errors.js";

/** One deployed contract of an Ignition deployment. */
export interface DeployedContract {
  /** Ignition future id, e.g. `ReserveBTC#Oracle`. */
  readonly futureId: string;
  /** Checksummed address as Ignition recorded it. */
  readonly address: string;
  /** Block of the deployment transaction (undefined for `contractAt` futures, which send none). */
  readonly block: number | undefined;
}

/** Folder of the Ignition deployment of `chainId` under `deploymentsDir` (Ignition's default deployment id). */
export function deploymentFolder(deploymentsDir: string, chainId: number): string {
  return path.join(deploymentsDir, `chain-${chainId}`);
}

interface JournalConfirm {
  readonly type?: string;
  readonly futureId?: string;
  readonly receipt?: { readonly blockNumber?: number; readonly contractAddress?: string };
}

/** Reads `deployed_addresses.json` and the deployment blocks from `journal.jsonl`. */
export async function readIgnitionDeployment(folder: string): Promise<Map<string, DeployedContract>> {
  let addressesText: string;
  try {
    addressesText = await readFile(path.join(folder, "deployed_addresses.json"), "utf8");
  } catch {
    throw new UserInputError(
      `no Ignition deployment at ${folder}: deploy first (npx hardhat ignition deploy deploy/modules/ReserveBTC.ts --network <name>)`,
    );
  }
  const addresses = JSON.parse(addressesText) as Record<string, string>;

  const blocks = new Map<string, number>();
  let journal: string;
  try {
    journal = await readFile(path.join(folder, "journal.jsonl"), "utf8");
  } catch {
    throw new UserInputError(
      `Ignition deployment at ${folder} has no journal.jsonl (needed for start blocks)`,
    );
  }
  for (const line of journal.split("\n")) {
    if (line.trim() === "") continue;
    const message = JSON.parse(line) as JournalConfirm;
    const block = message.receipt?.blockNumber;
    if (message.type !== "TRANSACTION_CONFIRM" || message.futureId === undefined || typeof block !== "number")
      continue;
    // A deployment future confirms once (its contract-creation transaction); later calls are other futures.
    if (message.receipt?.contractAddress !== undefined && !blocks.has(message.futureId)) {
      blocks.set(message.futureId, block);
    }
  }

  const result = new Map<string, DeployedContract>();
  for (const [futureId, address] of Object.entries(addresses)) {
    result.set(futureId, { futureId, address, block: blocks.get(futureId) });
  }
  return result;
}
