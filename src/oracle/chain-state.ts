import type { Oracle } from "../../types/ethers-contracts/index.js";

/** One user's on-chain oracle state (IOracle.UserView) with their bound BTC addresses. */
export interface UserChainState {
  user: string;
  addresses: string[];
  attestedSats: bigint;
  sequence: bigint;
  btcHeight: bigint;
  lastSyncAt: bigint;
  bindingCount: bigint;
  deferredSats: bigint;
  queuedSats: bigint;
}

/** Everything a round reads from chain, taken at one block. */
export interface ChainSnapshot {
  blockNumber: number;
  users: UserChainState[];
  minConfirmations: number;
  highestBtcHeight: bigint;
  /** RPC calls the read took (the round reports them per user). */
  rpcCalls: number;
}

/** How many entries one view call reads: bounded so a call stays well under node response limits. */
export const READ_PAGE_SIZE = 500;

/**
 * Reads every user that ever bound an address, their bindings and their attested state, pinned to one block so the
 * snapshot is consistent. Cost: ⌈users/500⌉ + ⌈bindings/500⌉ + ⌈users/500⌉ + 4 calls — never one call per user.
 */
export async function readChainSnapshot(oracle: Oracle, pageSize = READ_PAGE_SIZE): Promise<ChainSnapshot> {
  const provider = oracle.runner?.provider;
  if (provider == null) throw new Error("oracle contract has no provider");
  const blockNumber = await provider.getBlockNumber();
  const at = { blockTag: blockNumber };
  let rpcCalls = 1;

  const [usersLength, bindingsLength, minConfirmations, highestBtcHeight] = await Promise.all([
    oracle.usersLength(at),
    oracle.bindingsLength(at),
    oracle.minConfirmations(at),
    oracle.highestBtcHeight(at),
  ]);
  rpcCalls += 4;

  const users: string[] = [];
  for (let start = 0n; start < usersLength; start += BigInt(pageSize)) {
    users.push(...(await oracle.usersSlice(start, start + BigInt(pageSize), at)));
    rpcCalls += 1;
  }
  const addressesOf = new Map<string, string[]>();
  for (let start = 0n; start < bindingsLength; start += BigInt(pageSize)) {
    const page = await oracle.bindingsSlice(start, start + BigInt(pageSize), at);
    rpcCalls += 1;
    for (const binding of page) {
      const list = addressesOf.get(binding.user) ?? [];
      list.push(binding.btcAddress);
      addressesOf.set(binding.user, list);
    }
  }

  const states: UserChainState[] = [];
  for (let start = 0; start < users.length; start += pageSize) {
    const slice = users.slice(start, start + pageSize);
    const views = await oracle.userStates(slice, at);
    rpcCalls += 1;
    views.forEach((view, i) => {
      const user = slice[i] as string;
      states.push({
        user,
        addresses: addressesOf.get(user) ?? [],
        attestedSats: view.attestedSats,
        sequence: view.sequence,
        btcHeight: view.btcHeight,
        lastSyncAt: view.lastSyncAt,
        bindingCount: view.bindingCount,
        deferredSats: view.deferredSats,
        queuedSats: view.queuedSats,
      });
    });
  }
  return {
    blockNumber,
    users: states,
    minConfirmations: Number(minConfirmations),
    highestBtcHeight,
    rpcCalls,
  };
}
