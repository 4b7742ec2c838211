/**
 * EIP-712 signing of committee approvals (sync batches and address bindings) as the Oracle verifies them:
 * domain ("ReserveBTC Oracle", "1", chain id, Oracle address), signatures ordered by strictly increasing signer.
 */
import { HDNodeWallet } from "ethers";
import type { TypedDataDomain, TypedDataField } from "ethers";

/** Hardhat's default development mnemonic. Its keys are public: local networks only. */
export const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";

/** EIP-712 domain name and version of the Oracle. */
export const ORACLE_DOMAIN_NAME = "ReserveBTC Oracle";
export const ORACLE_DOMAIN_VERSION = "1";

/** One user's report, as signed (mirrors `IOracle.Report`). */
export interface Report {
  readonly user: string;
  readonly newTotalSats: bigint;
  readonly btcHeight: bigint;
  readonly btcBlockHash: string;
  readonly sequence: bigint;
}

/** A binding approval, as signed (mirrors `IOracle.BindingRequest`). */
export interface BindingRequest {
  readonly user: string;
  readonly btcAddress: string;
  readonly proofDigest: string;
  readonly nonce: bigint;
  readonly deadline: bigint;
}

/** Anything that signs EIP-712 typed data with a known address (an ethers Wallet / HDNodeWallet). */
export interface TypedDataSigner {
  readonly address: string;
  /** The in-process key of an ethers Wallet: lets the committee hash a request once for all its operators. */
  readonly signingKey?: { sign(digest: string): { serialized: string } };
  signTypedData(
    domain: TypedDataDomain,
    types: Record<string, TypedDataField[]>,
    value: Record<string, unknown>,
  ): Promise<string>;
}

/** What signing needs of an Oracle contract instance. */
export interface OracleLike {
  getAddress(): Promise<string>;
  readonly runner: { readonly provider: { getNetwork(): Promise<{ chainId: bigint }> } | null } | null;
}

/** The EIP-712 types of a sync batch. */
export const SYNC_BATCH_TYPES: Record<string, TypedDataField[]> = {
  SyncBatch: [
    { name: "reports", type: "Report[]" },
    { name: "deadline", type: "uint256" },
  ],
  Report: [
    { name: "user", type: "address" },
    { name: "newTotalSats", type: "uint64" },
    { name: "btcHeight", type: "uint64" },
    { name: "btcBlockHash", type: "bytes32" },
    { name: "sequence", type: "uint64" },
  ],
};

/** The EIP-712 types of a binding approval. */
export const BINDING_TYPES: Record<string, TypedDataField[]> = {
  Binding: [
    { name: "user", type: "address" },
    { name: "btcAddress", type: "string" },
    { name: "proofDigest", type: "bytes32" },
    { name: "nonce", type: "uint64" },
    { name: "deadline", type: "uint256" },
  ],
};

/** The Oracle's EIP-712 domain on the chain its runner is connected to. */
export async function oracleDomain(oracle: OracleLike): Promise<TypedDataDomain> {
  const provider = oracle.runner?.provider;
  if (provider === null || provider === undefined) throw new Error("the Oracle instance has no provider");
  const { chainId } = await provider.getNetwork();
  return {
    name: ORACLE_DOMAIN_NAME,
    version: ORACLE_DOMAIN_VERSION,
    chainId,
    verifyingContract: await oracle.getAddress(),
  };
}

/** Signers sorted by strictly increasing address, as the Oracle requires. */
export function sortSigners<T extends { readonly address: string }>(signers: readonly T[]): T[] {
  return [...signers].sort((a, b) => {
    const x = BigInt(a.address);
    const y = BigInt(b.address);
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

/** Signatures of `signers` over a sync batch under an explicit domain (any chain or contract), sorted by signer. */
export async function signSyncBatchWithDomain(
  domain: TypedDataDomain,
  reports: readonly Report[],
  deadline: bigint,
  signers: readonly TypedDataSigner[],
): Promise<string[]> {
  const value = { reports: reports.map((r) => ({ ...r })), deadline };
  return Promise.all(sortSigners(signers).map((s) => s.signTypedData(domain, SYNC_BATCH_TYPES, value)));
}

/** Signatures of `signers` over a sync batch for `oracle`, sorted by signer address. */
export async function signSyncBatch(
  oracle: OracleLike,
  reports: readonly Report[],
  deadline: bigint,
  signers: readonly TypedDataSigner[],
): Promise<string[]> {
  return signSyncBatchWithDomain(await oracleDomain(oracle), reports, deadline, signers);
}

/** Signatures of `signers` over a binding approval under an explicit domain, sorted by signer. */
export async function signBindingWithDomain(
  domain: TypedDataDomain,
  request: BindingRequest,
  signers: readonly TypedDataSigner[],
): Promise<string[]> {
  const value = { ...request };
  return Promise.all(sortSigners(signers).map((s) => s.signTypedData(domain, BINDING_TYPES, value)));
}

/** Signatures of `signers` over a binding approval for `oracle`, sorted by signer address. */
export async function signBinding(
  oracle: OracleLike,
  request: BindingRequest,
  signers: readonly TypedDataSigner[],
): Promise<string[]> {
  return signBindingWithDomain(await oracleDomain(oracle), request, signers);
}

/** m/44'/60'/0'/0 of Hardhat's default mnemonic, derived once (the mnemonic → seed step is PBKDF2, ~0.1 s a call). */
let hardhatAccounts: HDNodeWallet | undefined;

/** Wallet at m/44'/60'/0'/0/`index` of Hardhat's default mnemonic (local networks only). */
export function hardhatWallet(index: number): HDNodeWallet {
  hardhatAccounts ??= HDNodeWallet.fromPhrase(HARDHAT_MNEMONIC, undefined, "m/44'/60'/0'/0");
  return hardhatAccounts.deriveChild(index);
}

/**
 * The first `n` default committee operators: Hardhat accounts 1..n, matching the module's default operators
 * (deploy/modules/ReserveBTC.ts). Local networks only — these keys are public.
 */
export function committeeWallets(n: number): HDNodeWallet[] {
  return Array.from({ length: n }, (_, i) => hardhatWallet(i + 1));
}

/** EIP-712 domain name and version of ProofOfReserves. */
export const RESERVES_DOMAIN_NAME = "ReserveBTC ProofOfReserves";
export const RESERVES_DOMAIN_VERSION = "1";

/** A reserve round, as signed (mirrors `ProofOfReserves.ROUND_TYPEHASH`). */
export interface ReserveRound {
  readonly roundId: bigint;
  readonly merkleRoot: string;
  readonly attestedSats: bigint;
  readonly btcHeight: bigint;
  readonly deadline: bigint;
}

/** A binding revocation, as signed (mirrors `IOracle.Revocation`). */
export interface Revocation {
  readonly user: string;
  readonly btcAddress: string;
  readonly nonce: bigint;
  readonly deadline: bigint;
}

/** The EIP-712 types of a reserve round. */
export const RESERVE_ROUND_TYPES: Record<string, TypedDataField[]> = {
  ReserveRound: [
    { name: "roundId", type: "uint80" },
    { name: "merkleRoot", type: "bytes32" },
    { name: "attestedSats", type: "uint64" },
    { name: "btcHeight", type: "uint64" },
    { name: "deadline", type: "uint256" },
  ],
};

/** The EIP-712 types of a binding revocation. */
export const REVOCATION_TYPES: Record<string, TypedDataField[]> = {
  Revocation: [
    { name: "user", type: "address" },
    { name: "btcAddress", type: "string" },
    { name: "nonce", type: "uint64" },
    { name: "deadline", type: "uint256" },
  ],
};

/** The ProofOfReserves EIP-712 domain on the chain its instance is connected to. */
export async function reservesDomain(reserves: OracleLike): Promise<TypedDataDomain> {
  return { ...(await oracleDomain(reserves)), name: RESERVES_DOMAIN_NAME, version: RESERVES_DOMAIN_VERSION };
}

/** Signatures of `signers` over a reserve round for the ProofOfReserves contract `reserves`, sorted by signer. */
export async function signReserveRound(
  reserves: OracleLike,
  round: ReserveRound,
  signers: readonly TypedDataSigner[],
): Promise<string[]> {
  const domain = await reservesDomain(reserves);
  const value = { ...round };
  return Promise.all(sortSigners(signers).map((s) => s.signTypedData(domain, RESERVE_ROUND_TYPES, value)));
}

/** Signatures of `signers` over a binding revocation for `oracle`, sorted by signer. */
export async function signRevocation(
  oracle: OracleLike,
  revocation: Revocation,
  signers: readonly TypedDataSigner[],
): Promise<string[]> {
  const value = { ...revocation };
  return Promise.all(
    sortSigners(signers).map(async (s) =>
      s.signTypedData(await oracleDomain(oracle), REVOCATION_TYPES, value),
    ),
  );
}
