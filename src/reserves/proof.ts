/**
 * `reserves:proof`: a user's inclusion proofs in the latest committed reserve round. The leaves are recomputed from
 * Bitcoin exactly as the runner computes them; when the recomputed root equals the committed one, every proof
 * verifies on-chain with `ProofOfReserves.verify(user, btcAddress, sats, proof)` (the report says whether it did).
 */
import { getAddress } from "ethers";

import { UserInputError } from "../errors.js";
import { isEvmAddress } from "../evm-address.js";
import { readChainSnapshot } from "../oracle/chain-state.js";
import type { BitcoinSource } from "../oracle/reports.js";
import { ReserveTree, leafHash } from "../oracle/reserve-tree.js";
import type { ReserveContracts } from "./check.js";
import { readAddressBalances } from "./check.js";

/** One address's proof. */
export interface LeafProof {
  btcAddress: string;
  sats: bigint;
  leaf: string;
  proof: string[];
  /** `ProofOfReserves.verify` answered true for it. */
  verifiedOnChain: boolean;
}

/** The `reserves:proof --json` document. */
export interface UserProofReport {
  user: string;
  round: bigint;
  merkleRoot: string;
  recomputedRoot: string;
  rootMatches: boolean;
  btcHeight: bigint;
  proofs: LeafProof[];
}

/** Builds `user`'s proofs against the latest round. */
export async function proveUser(
  contracts: ReserveContracts,
  bitcoin: BitcoinSource,
  user: string,
): Promise<UserProofReport> {
  if (!isEvmAddress(user)) throw new UserInputError(`--user: not an EVM address: ${user}`);
  const account = getAddress(user);
  const { oracle, proofOfReserves } = contracts;
  const snapshot = await readChainSnapshot(oracle);
  if (!snapshot.users.some((u) => u.user === account && u.addresses.length > 0)) {
    throw new UserInputError(`${account} has no bound BTC address`);
  }
  const tip = await bitcoin.tip();
  const leaves = await readAddressBalances(bitcoin, snapshot.users, snapshot.minConfirmations, tip);
  const tree = new ReserveTree(leaves);
  const at = { blockTag: snapshot.blockNumber };
  const roundId = await proofOfReserves.latestRoundId(at);
  const round = await proofOfReserves.round(roundId, at);
  const proofs: LeafProof[] = [];
  for (const leaf of leaves.filter((l) => l.user === account)) {
    const proof = tree.proof(leaf) ?? [];
    const verifiedOnChain = await proofOfReserves.verify(leaf.user, leaf.btcAddress, leaf.sats, proof, at);
    proofs.push({
      btcAddress: leaf.btcAddress,
      sats: leaf.sats,
      leaf: leafHash(leaf),
      proof,
      verifiedOnChain,
    });
  }
  return {
    user: account,
    round: roundId,
    merkleRoot: round.merkleRoot,
    recomputedRoot: tree.root,
    rootMatches: round.merkleRoot === tree.root,
    btcHeight: round.btcHeight,
    proofs,
  };
}
