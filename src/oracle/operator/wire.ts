/**
 * The operator node's HTTP API as JSON (docs/operations.md §12 lists every route and shape): request bodies, their
 * JSON schemas (Fastify validates them before a handler runs) and the conversions between the wire (amounts,
 * sequences, heights and deadlines as decimal strings; addresses and hashes as 0x hex) and the typed values.
 */
import { getAddress } from "ethers";

import type { Refusal } from "../refusals.js";
import type { SyncReport } from "../reports.js";
import type { BindingRequest, ReserveRound, Revocation } from "../signing.js";

/** Most reports one sync-batch request may carry (the runner's largest batch). */
export const MAX_BATCH_REPORTS = 500;

export interface WireReport {
  user: string;
  newTotalSats: string;
  btcHeight: string;
  btcBlockHash: string;
  sequence: string;
}

/** `POST /v1/sign/sync-batch` */
export interface SyncBatchBody {
  reports: WireReport[];
  deadline: string;
}

/** `POST /v1/sign/reserve-round` */
export interface ReserveRoundBody {
  roundId: string;
  merkleRoot: string;
  attestedSats: string;
  btcHeight: string;
  deadline: string;
  /** The chain block the aggregator read the bindings at (the node reads them there too; default its latest). */
  chainBlock?: number;
}

/** `POST /v1/sign/binding` */
export interface BindingBody {
  request: { user: string; btcAddress: string; proofDigest: string; nonce: string; deadline: string };
  /** The user's BIP-322 / BIP-137 signature over the binding message (base64). */
  proof: { signature: string };
}

/** `POST /v1/sign/revocation` */
export interface RevocationBody {
  revocation: { user: string; btcAddress: string; nonce: string; deadline: string };
}

/** 200: the node signed. */
export interface SignedAnswer {
  signer: string;
  signature: string;
  /** The EIP-712 digest signed (the aggregator recovers the signer from it). */
  digest: string;
}

/** 422: the node refused; `refusals` names every report or field it disagrees with. */
export interface RefusedAnswer {
  error: { code: "REFUSED"; message: string };
  signer: string;
  refusals: Refusal[];
}

/** Any other 4xx/5xx. */
export interface ErrorAnswer {
  error: { code: string; message: string };
}

// ------------------------------------------------------------------------------------------------ schemas

const decimal = { type: "string", pattern: "^[0-9]{1,78}$" } as const;
const address = { type: "string", pattern: "^0x[0-9a-fA-F]{40}$" } as const;
const hash = { type: "string", pattern: "^0x[0-9a-fA-F]{64}$" } as const;

export const SYNC_BATCH_SCHEMA = {
  type: "object",
  additionalProperties: false,
  required: ["reports", "deadline"],
  properties: {
    deadline: decimal,
    reports: {
      type: "array",
      minItems: 1,
      maxItems: MAX_BATCH_REPORTS,
      items: {
        type: "object",
        additionalProperties: false,
        required: ["user", "newTotalSats", "btcHeight", "btcBlockHash", "sequence"],
        properties: {
          user: address,
          newTotalSats: decimal,
          btcHeight: decimal,
          btcBlockHash: hash,
          sequence: decimal,
        },
      },
    },
  },
} as const;

export const RESERVE_ROUND_SCHEMA = {
  type: "object",
  additionalProperties: false,
  required: ["roundId", "merkleRoot", "attestedSats", "btcHeight", "deadline"],
  properties: {
    roundId: decimal,
    merkleRoot: hash,
    attestedSats: decimal,
    btcHeight: decimal,
    deadline: decimal,
    chainBlock: { type: "integer", minimum: 0 },
  },
} as const;

export const BINDING_SCHEMA = {
  type: "object",
  additionalProperties: false,
  required: ["request", "proof"],
  properties: {
    request: {
      type: "object",
      additionalProperties: false,
      required: ["user", "btcAddress", "proofDigest", "nonce", "deadline"],
      properties: {
        user: address,
        btcAddress: { type: "string", minLength: 1, maxLength: 90 },
        proofDigest: hash,
        nonce: decimal,
        deadline: decimal,
      },
    },
    proof: {
      type: "object",
      additionalProperties: false,
      required: ["signature"],
      properties: { signature: { type: "string", minLength: 1, maxLength: 4096 } },
    },
  },
} as const;

export const REVOCATION_SCHEMA = {
  type: "object",
  additionalProperties: false,
  required: ["revocation"],
  properties: {
    revocation: {
      type: "object",
      additionalProperties: false,
      required: ["user", "btcAddress", "nonce", "deadline"],
      properties: {
        user: address,
        btcAddress: { type: "string", minLength: 1, maxLength: 90 },
        nonce: decimal,
        deadline: decimal,
      },
    },
  },
} as const;

// ------------------------------------------------------------------------------------------------ conversions

export function reportToWire(r: SyncReport): WireReport {
  return {
    user: getAddress(r.user),
    newTotalSats: r.newTotalSats.toString(),
    btcHeight: r.btcHeight.toString(),
    btcBlockHash: r.btcBlockHash.toLowerCase(),
    sequence: r.sequence.toString(),
  };
}

export function reportFromWire(r: WireReport): SyncReport {
  return {
    user: getAddress(r.user),
    newTotalSats: BigInt(r.newTotalSats),
    btcHeight: BigInt(r.btcHeight),
    btcBlockHash: r.btcBlockHash.toLowerCase(),
    sequence: BigInt(r.sequence),
  };
}

export function syncBatchToWire(reports: readonly SyncReport[], deadline: bigint): SyncBatchBody {
  return { reports: reports.map(reportToWire), deadline: deadline.toString() };
}

export function roundToWire(round: ReserveRound, chainBlock?: number): ReserveRoundBody {
  return {
    roundId: round.roundId.toString(),
    merkleRoot: round.merkleRoot.toLowerCase(),
    attestedSats: round.attestedSats.toString(),
    btcHeight: round.btcHeight.toString(),
    deadline: round.deadline.toString(),
    ...(chainBlock === undefined ? {} : { chainBlock }),
  };
}

export function roundFromWire(body: ReserveRoundBody): ReserveRound {
  return {
    roundId: BigInt(body.roundId),
    merkleRoot: body.merkleRoot.toLowerCase(),
    attestedSats: BigInt(body.attestedSats),
    btcHeight: BigInt(body.btcHeight),
    deadline: BigInt(body.deadline),
  };
}

export function bindingToWire(request: BindingRequest, signature: string): BindingBody {
  return {
    request: {
      user: getAddress(request.user),
      btcAddress: request.btcAddress,
      proofDigest: request.proofDigest.toLowerCase(),
      nonce: request.nonce.toString(),
      deadline: request.deadline.toString(),
    },
    proof: { signature },
  };
}

export function bindingFromWire(body: BindingBody): { request: BindingRequest; signature: string } {
  return {
    request: {
      user: getAddress(body.request.user),
      btcAddress: body.request.btcAddress,
      proofDigest: body.request.proofDigest.toLowerCase(),
      nonce: BigInt(body.request.nonce),
      deadline: BigInt(body.request.deadline),
    },
    signature: body.proof.signature,
  };
}

export function revocationToWire(revocation: Revocation): RevocationBody {
  return {
    revocation: {
      user: getAddress(revocation.user),
      btcAddress: revocation.btcAddress,
      nonce: revocation.nonce.toString(),
      deadline: revocation.deadline.toString(),
    },
  };
}

export function revocationFromWire(body: RevocationBody): Revocation {
  return {
    user: getAddress(body.revocation.user),
    btcAddress: body.revocation.btcAddress,
    nonce: BigInt(body.revocation.nonce),
    deadline: BigInt(body.revocation.deadline),
  };
}
