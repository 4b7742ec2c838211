/**
 * `relay:sync`: keeps a LightRelay current from any Esplora backend. On retargeting networks it proves every epoch
 * whose boundary the Bitcoin chain has passed by `retargetProofLength` blocks (one `retarget` transaction each, oldest
 * first); on every network it then asks the relay to validate a proof-sized chain at the backend's tip, so the answer
 * says whether a spend confirmed now could be proven now. Anyone may run it: retargets are permissionless.
 */
import type { LightRelay } from "../../types/ethers-contracts/index.js";
import type { EsploraClient } from "../bitcoin/esplora.js";
import { RETARGET_INTERVAL } from "../bitcoin/headers.js";
import { ChainError, UserInputError } from "../errors.js";
import { fetchHeaderChain, headersArgument } from "./headers.js";
import type { RelayRulesView } from "./relay.js";
import { describeRelayError, readRelayState } from "./relay.js";

export interface RelaySyncOptions {
  /** Read and plan only: send no transaction. */
  dryRun?: boolean;
  /** Receives one line per step (the task prints them on stderr). */
  progress?: (line: string) => void;
}

/** One epoch proven (or, in a dry run, that would be). */
export interface RetargetRecord {
  epoch: number;
  /** Heights of the headers sent: `retargetProofLength` on each side of the boundary. */
  fromHeight: number;
  toHeight: number;
  /** Compact target of the new epoch, 0x-hex. */
  bits: string;
  txHash: string | null;
  gasUsed: string | null;
}

/** The relay's verdict on a proof-sized header chain ending at the backend's tip. */
export interface TipCheck {
  fromHeight: number;
  toHeight: number;
  accepted: boolean;
  /** The relay's error when it refused (e.g. `RelayUnexpectedBits(…)` before a due retarget). */
  reason: string | null;
  /** Work of the chain and the work a proof must carry (decimal strings), when accepted. */
  work: string | null;
  requiredWork: string | null;
}

/** The JSON document of `relay:sync --json`. */
export interface RelaySyncResult {
  relay: string;
  rules: RelayRulesView;
  bitcoin: { url: string; tipHeight: number; tipHash: string };
  genesisHeight: number;
  epochBefore: number;
  epochAfter: number;
  /** Last height the relay can validate headers of (null: unbounded, regtest). */
  currentEpochEnd: number | null;
  retargets: RetargetRecord[];
  dryRun: boolean;
  /** Height the chain must reach before the next retarget can be proven (null when none is waiting). */
  nextRetargetAtHeight: number | null;
  tip: TipCheck;
  /** True when the relay accepts a proof-sized chain at the tip. */
  upToDate: boolean;
}

/**
 * Brings `relay` up to date with `esplora`'s chain. Sends transactions through the relay's runner unless `dryRun`.
 * Throws UserInputError when the backend is not on the relay's network, BackendError when the backend fails or lies,
 * ChainError when a retarget reverts.
 */
export async function syncRelay(
  relay: LightRelay,
  esplora: EsploraClient,
  options: RelaySyncOptions = {},
): Promise<RelaySyncResult> {
  const progress = options.progress ?? (() => undefined);
  const dryRun = options.dryRun ?? false;
  const state = await readRelayState(relay);
  const tip = await esplora.tip();
  progress(
    `relay ${state.address}: epoch ${state.currentEpoch}; bitcoin tip ${tip.height} at ${esplora.baseUrl}`,
  );
  await checkSameNetwork(esplora, state.genesisHeight, state.genesis, tip.height);

  const retargets: RetargetRecord[] = [];
  let epoch = state.currentEpoch;
  let nextRetargetAtHeight: number | null = null;
  const proofLength = state.rules.retargetProofLength;
  while (state.rules.retargeting) {
    const boundary = (epoch + 1) * RETARGET_INTERVAL;
    const lastNeeded = boundary + proofLength - 1;
    if (lastNeeded > tip.height) {
      nextRetargetAtHeight = lastNeeded;
      break;
    }
    const chain = await fetchHeaderChain(esplora, boundary - proofLength, lastNeeded);
    const bits = (chain[proofLength] as { header: { bits: number } }).header.bits;
    const record: RetargetRecord = {
      epoch: epoch + 1,
      fromHeight: boundary - proofLength,
      toHeight: lastNeeded,
      bits: `0x${bits.toString(16).padStart(8, "0")}`,
      txHash: null,
      gasUsed: null,
    };
    if (!dryRun) {
      let receipt;
      try {
        receipt = await (await relay.retarget(headersArgument(chain))).wait();
      } catch (error) {
        throw new ChainError(
          `retarget to epoch ${epoch + 1} (headers ${record.fromHeight}..${record.toHeight}) reverted: ` +
            describeRelayError(relay, error),
          "RELAY_RETARGET_REVERTED",
        );
      }
      record.txHash = receipt?.hash ?? null;
      record.gasUsed = receipt?.gasUsed.toString() ?? null;
    }
    retargets.push(record);
    progress(
      `${dryRun ? "would prove" : "proved"} epoch ${record.epoch} (bits ${record.bits}) with headers ` +
        `${record.fromHeight}..${record.toHeight}${record.txHash ? ` in ${record.txHash}` : ""}`,
    );
    epoch += 1;
  }

  const check = await checkTip(relay, esplora, state.rules, state.genesisHeight, tip.height);
  progress(
    check.accepted
      ? `the relay accepts headers ${check.fromHeight}..${check.toHeight} as a proof at the tip`
      : `the relay refuses headers ${check.fromHeight}..${check.toHeight}: ${check.reason}`,
  );
  const epochAfter = dryRun ? state.currentEpoch : Number(await relay.currentEpoch());
  return {
    relay: state.address,
    rules: state.rules,
    bitcoin: { url: esplora.baseUrl, tipHeight: tip.height, tipHash: tip.hash },
    genesisHeight: state.genesisHeight,
    epochBefore: state.currentEpoch,
    epochAfter,
    currentEpochEnd: state.rules.retargeting ? epochAfter * RETARGET_INTERVAL + RETARGET_INTERVAL - 1 : null,
    retargets,
    dryRun,
    nextRetargetAtHeight,
    tip: check,
    upToDate: check.accepted,
  };
}

/** The backend's block at the relay's genesis height must be the relay's genesis (same time and bits). */
async function checkSameNetwork(
  esplora: EsploraClient,
  genesisHeight: number,
  genesis: { timestamp: number; bits: number },
  tipHeight: number,
): Promise<void> {
  if (tipHeight < genesisHeight) {
    throw new UserInputError(
      `the Bitcoin backend's tip (${tipHeight}) is below the relay's genesis (${genesisHeight}): is ${esplora.baseUrl} ` +
        `on the relay's network?`,
      "RELAY_WRONG_NETWORK",
    );
  }
  const [block] = await fetchHeaderChain(esplora, genesisHeight, genesisHeight);
  if (block === undefined || block.header.time !== genesis.timestamp || block.header.bits !== genesis.bits) {
    throw new UserInputError(
      `the Bitcoin backend's block ${genesisHeight} (${block?.hash}) is not the relay's genesis (time ` +
        `${genesis.timestamp}, bits 0x${genesis.bits.toString(16)}): is ${esplora.baseUrl} on the relay's network?`,
      "RELAY_WRONG_NETWORK",
    );
  }
}

/** Asks the relay to validate the last `txProofDifficultyFactor` headers (at least one) up to the tip. */
async function checkTip(
  relay: LightRelay,
  esplora: EsploraClient,
  rules: RelayRulesView,
  genesisHeight: number,
  tipHeight: number,
): Promise<TipCheck> {
  const fromHeight = Math.max(genesisHeight, tipHeight - rules.txProofDifficultyFactor + 1);
  const chain = await fetchHeaderChain(esplora, fromHeight, tipHeight);
  const base = { fromHeight, toHeight: tipHeight };
  try {
    const [, , work, requiredWork] = await relay.validateProofWork(headersArgument(chain));
    return {
      ...base,
      accepted: true,
      reason: null,
      work: work.toString(),
      requiredWork: requiredWork.toString(),
    };
  } catch (error) {
    return {
      ...base,
      accepted: false,
      reason: describeRelayError(relay, error),
      work: null,
      requiredWork: null,
    };
  }
}
