/**
 * One operator node (`oracle:operator`): one key, its own chain RPC and Bitcoin backends. It recomputes every report,
 * reserve round, binding and revocation it is asked to sign from its own view (view.ts), signs only what it agrees
 * with, refuses the rest naming each field it disagrees with, and records every signature in its slashing-protection
 * record (protection.ts) before the signature leaves the process. docs/oracle.md, "Operator nodes", states the rules.
 */
import { TypedDataEncoder, getAddress } from "ethers";
import type { Provider, TypedDataDomain, TypedDataField } from "ethers";

import type { Oracle, ProofOfReserves } from "../../../types/ethers-contracts/index.js";
import { parseAddress } from "../../bitcoin/address.js";
import type { BitcoinNetwork } from "../../bitcoin/networks.js";
import { bindingMessage, proofDigest, verifyOwnershipProof } from "../../bitcoin/proof.js";
import type { UserView } from "../chain-state.js";
import type { Refusal, RefusalReason } from "../refusals.js";
import type { BitcoinSource, BitcoinTip, SyncReport } from "../reports.js";
import { ReserveTree } from "../reserve-tree.js";
import type { ReserveLeaf } from "../reserve-tree.js";
import type { BindingRequest, ReserveRound, Revocation } from "../signing.js";
import {
  BINDING_TYPES,
  ORACLE_DOMAIN_NAME,
  ORACLE_DOMAIN_VERSION,
  RESERVES_DOMAIN_NAME,
  RESERVES_DOMAIN_VERSION,
  RESERVE_ROUND_TYPES,
  REVOCATION_TYPES,
  SYNC_BATCH_TYPES,
} from "../signing.js";
import type { ProtectionConflict, SlashingProtection } from "./protection.js";
import type { ChainHead, OracleSettings } from "./view.js";
import { BitcoinView, ChainView } from "./view.js";

/** A deadline may exceed the node's own `head + maxReportValiditySeconds` by this much (the aggregator's RPC may be a
 * block ahead); the contract still enforces the exact bound when the batch is included. */
export const DEADLINE_SLACK_SECONDS = 30n;
/** A reserve round's bindings block may be at most this many blocks behind the node's head. */
export const MAX_CHAIN_BLOCK_AGE = 256;

/** The key of the node: an ethers Wallet (anything with an address and an in-process signing key). */
export interface OperatorKey {
  readonly address: string;
  readonly signingKey: { sign(digest: string): { serialized: string } };
}

/** Revocations the operator decided to sign: (user, btcAddress) pairs, re-read for every revocation request. */
export type RevocationAllowList = () => Promise<ReadonlyArray<{ user: string; btcAddress: string }>>;

export interface OperatorNodeOptions {
  provider: Provider;
  chainId: bigint;
  oracle: Oracle;
  proofOfReserves: ProofOfReserves;
  key: OperatorKey;
  bitcoin: BitcoinSource;
  btcNetwork: BitcoinNetwork;
  protection: SlashingProtection;
  revocations?: RevocationAllowList;
  /** Scan every bound address in the background when a request arrives at a new Bitcoin tip. Default true. */
  prefetch?: boolean;
}

/** What a signing request came to. */
export type SignOutcome =
  | { kind: "signed"; signer: string; signature: string; digest: string; items: number }
  | { kind: "refused"; signer: string; refusals: Refusal[]; items: number };

/** The node's committee seat was taken away (or never given): it signs nothing (HTTP 403). */
export class NotOnCommitteeError extends Error {
  override readonly name = "NotOnCommitteeError";
  constructor(readonly signer: string) {
    super(`${signer} is not on the Oracle's committee: this node signs nothing`);
  }
}

/** What `GET /healthz` answers. */
export interface NodeHealth {
  status: "ok" | "degraded";
  chainId: string;
  oracle: string;
  proofOfReserves: string;
  signer: string;
  onCommittee: boolean | null;
  committee: { threshold: number; operators: number } | null;
  chain: { head: number; headTimestamp: number; ageSeconds: number } | { error: string };
  bitcoin:
    | { tipHeight: number; tipHash: string; attestedHeight: number | null; lagBlocks: number | null }
    | { error: string };
  protection: { syncReports: number; reserveRounds: number; bindingNonces: number };
  uptimeSeconds: number;
}

function refusal(
  reason: RefusalReason,
  field: string,
  proposed: unknown,
  observed: unknown,
  detail: string,
  report?: SyncReport,
): Refusal {
  return {
    ...(report === undefined ? {} : { user: getAddress(report.user), sequence: report.sequence.toString() }),
    field,
    reason,
    proposed: String(proposed),
    observed: String(observed),
    detail,
  };
}

function conflictRefusal(conflict: ProtectionConflict, proposed: string, report?: SyncReport): Refusal {
  return refusal(
    "CONFLICTING_SIGNATURE",
    conflict.field,
    proposed,
    conflict.signed,
    `this key already signed ${conflict.signed} for it, valid until ${conflict.validUntil} (chain time); it signs ` +
      "another only once that has expired (a lower total is always signed)",
    report,
  );
}

/** The deadline check of every request: after the head, within the Oracle's report validity (plus a little slack). */
function deadlineRefusal(deadline: bigint, head: ChainHead, settings: OracleSettings): Refusal | undefined {
  const latest = head.timestamp + settings.maxReportValiditySeconds + DEADLINE_SLACK_SECONDS;
  if (deadline > head.timestamp && deadline <= latest) return undefined;
  return refusal(
    "DEADLINE_OUT_OF_RANGE",
    "deadline",
    deadline,
    `${head.timestamp + 1n}..${latest}`,
    `the deadline must be after the chain's latest block time ${head.timestamp} and at most ` +
      `${settings.maxReportValiditySeconds} s (the Oracle's report validity) later`,
  );
}

/** An operator node: verifies, refuses or signs, and never signs two conflicting messages (see the module comment). */
export class OperatorNode {
  readonly signer: string;
  readonly chainId: bigint;
  readonly oracleAddress: string;
  readonly reservesAddress: string;
  readonly chain: ChainView;
  readonly bitcoin: BitcoinView;
  readonly protection: SlashingProtection;
  readonly #key: OperatorKey;
  readonly #btcNetwork: BitcoinNetwork;
  readonly #revocations: RevocationAllowList;
  readonly #prefetch: boolean;
  readonly #started = Date.now();
  readonly #oracleDomain: TypedDataDomain;
  readonly #reservesDomain: TypedDataDomain;

  private constructor(options: OperatorNodeOptions, oracleAddress: string, reservesAddress: string) {
    this.signer = getAddress(options.key.address);
    this.chainId = options.chainId;
    this.oracleAddress = oracleAddress;
    this.reservesAddress = reservesAddress;
    this.#key = options.key;
    this.#btcNetwork = options.btcNetwork;
    this.#revocations = options.revocations ?? (async () => []);
    this.#prefetch = options.prefetch ?? true;
    this.protection = options.protection;
    this.chain = new ChainView(options.provider, options.oracle, options.proofOfReserves, this.signer);
    this.bitcoin = new BitcoinView(options.bitcoin);
    this.#oracleDomain = {
      name: ORACLE_DOMAIN_NAME,
      version: ORACLE_DOMAIN_VERSION,
      chainId: options.chainId,
      verifyingContract: oracleAddress,
    };
    this.#reservesDomain = {
      name: RESERVES_DOMAIN_NAME,
      version: RESERVES_DOMAIN_VERSION,
      chainId: options.chainId,
      verifyingContract: reservesAddress,
    };
  }

  static async create(options: OperatorNodeOptions): Promise<OperatorNode> {
    const [oracle, reserves] = await Promise.all([
      options.oracle.getAddress(),
      options.proofOfReserves.getAddress(),
    ]);
    return new OperatorNode(options, getAddress(oracle), getAddress(reserves));
  }

  #sign(domain: TypedDataDomain, types: Record<string, TypedDataField[]>, value: Record<string, unknown>) {
    const digest = TypedDataEncoder.hash(domain, types, value);
    return { digest, signature: this.#key.signingKey.sign(digest).serialized };
  }

  /** The head and settings every request starts from; a node off the committee stops here. */
  async #context(): Promise<{ head: ChainHead; settings: OracleSettings }> {
    const head = await this.chain.head();
    const settings = await this.chain.settings(head.number);
    if (!settings.onCommittee) throw new NotOnCommitteeError(this.signer);
    return { head, settings };
  }

  #refused(refusals: Refusal[], items: number): SignOutcome {
    return { kind: "refused", signer: this.signer, refusals, items };
  }

  // -------------------------------------------------------------------------------------------- sync batches

  /**
   * Signs a sync batch only if it agrees with every report: the user's next sequence; a Bitcoin height this node has,
   * not below the user's last, whose block hash is this node's; a total equal to this node's own confirmed balance of
   * the user's bound addresses at that height (for a report that does not raise the attested total: at least what the
   * node sees — a drop is never refused because the node sees even less); no rise for a frozen or unbound user; a
   * deadline within the Oracle's report validity; nothing the slashing-protection record forbids.
   */
  async signSyncBatch(reports: readonly SyncReport[], deadline: bigint): Promise<SignOutcome> {
    const { head, settings } = await this.#context();
    const tooLate = deadlineRefusal(deadline, head, settings);
    if (tooLate !== undefined) return this.#refused([tooLate], reports.length);

    const refusals: Refusal[] = [];
    const seen = new Set<string>();
    for (const r of reports) {
      const user = getAddress(r.user);
      if (seen.has(user)) {
        refusals.push(
          refusal("DUPLICATE_USER", "user", user, "once per batch", "a batch carries one report per user", r),
        );
      }
      seen.add(user);
    }
    if (refusals.length > 0) return this.#refused(refusals, reports.length);

    const users = reports.map((r) => getAddress(r.user));
    const [views, bindings, tip] = await Promise.all([
      this.chain.userViews(users, head.number),
      this.chain.bindingsAtHead(head),
      this.bitcoin.tip(),
    ]);
    const minConfirmations = settings.minConfirmations;
    if (this.#prefetch) {
      const all = [...bindings.addressesOf.values()].flat();
      this.bitcoin.prefetch(all, minConfirmations, tip);
    }

    // Per report, the checks that need no balance; the rest are checked against balances below.
    const checked: Array<{
      report: SyncReport;
      view: UserView;
      at: BitcoinTip;
      addresses: readonly string[];
    }> = [];
    await Promise.all(
      reports.map(async (report, i) => {
        const view = views[i] as UserView;
        const failed = await this.#checkReport(report, view, tip, head);
        if (failed !== undefined) {
          refusals.push(failed);
          return;
        }
        const at = { height: Number(report.btcHeight), hash: report.btcBlockHash.slice(2) };
        checked.push({
          report,
          view,
          at,
          addresses: bindings.addressesOf.get(getAddress(report.user)) ?? [],
        });
      }),
    );

    // Totals: reused balances first; any disagreement is re-read before it becomes a refusal.
    const totalOf = async (addresses: readonly string[], at: BitcoinTip, fresh: boolean) =>
      (await Promise.all(addresses.map((a) => this.bitcoin.balance(a, minConfirmations, at, fresh)))).reduce(
        (sum, sats) => sum + sats,
        0n,
      );
    const agrees = (report: SyncReport, view: UserView, observed: bigint) =>
      report.newTotalSats > view.attestedSats
        ? observed === report.newTotalSats
        : observed <= report.newTotalSats;
    await Promise.all(
      checked.map(async ({ report, view, at, addresses }) => {
        let observed = await totalOf(addresses, at, false);
        if (!agrees(report, view, observed)) observed = await totalOf(addresses, at, true);
        if (agrees(report, view, observed)) return;
        const rise = report.newTotalSats > view.attestedSats;
        refusals.push(
          refusal(
            "TOTAL_MISMATCH",
            "newTotalSats",
            report.newTotalSats,
            observed,
            rise
              ? `this node sees ${observed} sats confirmed ≥ ${minConfirmations} times at height ${at.height} in ` +
                  `the user's ${addresses.length} bound address(es)`
              : `this node sees more (${observed} sats) than the proposed total: it signs a drop only to a total it ` +
                  "sees at most",
            report,
          ),
        );
      }),
    );
    const agreed = reports.filter((r) => !refusals.some((f) => f.user === getAddress(r.user)));
    for (const conflict of this.protection.syncConflicts(agreed, head.timestamp)) {
      const report = agreed.find((r) => getAddress(r.user) === conflict.user) as SyncReport;
      refusals.push(conflictRefusal(conflict, report.newTotalSats.toString(), report));
    }
    if (refusals.length > 0) return this.#refused(sortRefusals(refusals, reports), reports.length);

    // Recorded (and fsynced) before the signature exists; checked again inside the write transaction.
    const conflicts = this.protection.recordSyncReports(reports, deadline, head.timestamp);
    if (conflicts.length > 0) {
      return this.#refused(
        conflicts.map((c) => {
          const report = reports.find((r) => getAddress(r.user) === c.user) as SyncReport;
          return conflictRefusal(c, report.newTotalSats.toString(), report);
        }),
        reports.length,
      );
    }
    const value = { reports: reports.map((r) => ({ ...r })), deadline };
    const { digest, signature } = this.#sign(this.#oracleDomain, SYNC_BATCH_TYPES, value);
    return { kind: "signed", signer: this.signer, signature, digest, items: reports.length };
  }

  /** The balance-free checks of one report, or the first one it fails. */
  async #checkReport(
    report: SyncReport,
    view: UserView,
    tip: BitcoinTip,
    head: ChainHead,
  ): Promise<Refusal | undefined> {
    const expected = view.sequence + 1n;
    if (report.sequence !== expected) {
      return refusal(
        "SEQUENCE_MISMATCH",
        "sequence",
        report.sequence,
        expected,
        `the user's next sequence on chain (block ${head.number}) is ${expected}`,
        report,
      );
    }
    const rise = report.newTotalSats > view.attestedSats;
    if (rise && view.bindingCount === 0n) {
      return refusal(
        "RISE_WHILE_UNBOUND",
        "newTotalSats",
        report.newTotalSats,
        view.attestedSats,
        "the user has no bound address: a rise is held (a drop is always signed)",
        report,
      );
    }
    if (rise && view.syncFrozen) {
      return refusal(
        "RISE_WHILE_FROZEN",
        "newTotalSats",
        report.newTotalSats,
        view.attestedSats,
        "the user is frozen by an open dispute: a rise is held (a drop is always signed)",
        report,
      );
    }
    const height = Number(report.btcHeight);
    if (report.btcHeight > BigInt(tip.height)) {
      return refusal(
        "HEIGHT_AHEAD_OF_VIEW",
        "btcHeight",
        report.btcHeight,
        tip.height,
        `this node's Bitcoin tip is ${tip.height}`,
        report,
      );
    }
    if (report.btcHeight < view.btcHeight) {
      return refusal(
        "HEIGHT_REGRESSED",
        "btcHeight",
        report.btcHeight,
        view.btcHeight,
        `the user's last report was at height ${view.btcHeight}`,
        report,
      );
    }
    const hash = `0x${(await this.bitcoin.hashAt(height, tip)).toLowerCase()}`;
    if (hash !== report.btcBlockHash.toLowerCase()) {
      return refusal(
        "BLOCK_HASH_MISMATCH",
        "btcBlockHash",
        report.btcBlockHash,
        hash,
        `block ${height} on this node's best chain is ${hash.slice(2)}`,
        report,
      );
    }
    return undefined;
  }

  // ------------------------------------------------------------------------------------------ reserve rounds

  /**
   * Signs a reserve round only if it is the next round, its height does not regress and this node has it, and the
   * Merkle root and attested total equal the ones this node builds from the chain's bindings (at `chainBlock`, a
   * recent block the aggregator read them at) and its own balances at that height — and no other root or total for
   * the round was signed and is still valid.
   */
  async signReserveRound(round: ReserveRound, chainBlock?: number): Promise<SignOutcome> {
    const { head, settings } = await this.#context();
    const tooLate = deadlineRefusal(round.deadline, head, settings);
    if (tooLate !== undefined) return this.#refused([tooLate], 1);
    const latest = await this.chain.latestReserveRound(head.number);
    if (round.roundId !== latest.roundId + 1n) {
      const observed = latest.roundId + 1n;
      return this.#refused(
        [refusal("ROUND_ID_MISMATCH", "roundId", round.roundId, observed, `the next round is ${observed}`)],
        1,
      );
    }
    if (round.btcHeight < latest.btcHeight) {
      return this.#refused(
        [
          refusal(
            "ROUND_HEIGHT_REGRESSED",
            "btcHeight",
            round.btcHeight,
            latest.btcHeight,
            `round ${latest.roundId} was at height ${latest.btcHeight}`,
          ),
        ],
        1,
      );
    }
    const block = chainBlock ?? head.number;
    if (block > head.number || head.number - block > MAX_CHAIN_BLOCK_AGE) {
      return this.#refused(
        [
          refusal(
            "CHAIN_BLOCK_OUT_OF_RANGE",
            "chainBlock",
            block,
            `${Math.max(0, head.number - MAX_CHAIN_BLOCK_AGE)}..${head.number}`,
            `the bindings block must be one of this node's last ${MAX_CHAIN_BLOCK_AGE} blocks`,
          ),
        ],
        1,
      );
    }
    const tip = await this.bitcoin.tip();
    if (round.btcHeight > BigInt(tip.height)) {
      return this.#refused(
        [
          refusal(
            "HEIGHT_AHEAD_OF_VIEW",
            "btcHeight",
            round.btcHeight,
            tip.height,
            `this node's Bitcoin tip is ${tip.height}`,
          ),
        ],
        1,
      );
    }
    const [bindings, minConfirmations] = await Promise.all([
      this.chain.bindingsAt(block, head),
      block === head.number
        ? Promise.resolve(settings.minConfirmations)
        : this.chain.settings(block).then((s) => s.minConfirmations),
    ]);
    const height = Number(round.btcHeight);
    const at = { height, hash: await this.bitcoin.hashAt(height, tip) };
    const build = async (fresh: boolean): Promise<ReserveTree> => {
      const leaves: ReserveLeaf[] = await Promise.all(
        [...bindings.addressesOf.entries()].flatMap(([user, addresses]) =>
          addresses.map(async (btcAddress) => ({
            user,
            btcAddress,
            sats: await this.bitcoin.balance(btcAddress, minConfirmations, at, fresh),
          })),
        ),
      );
      return new ReserveTree(leaves);
    };
    let tree = await build(false);
    const matches = (t: ReserveTree) =>
      t.root.toLowerCase() === round.merkleRoot.toLowerCase() && t.totalSats === round.attestedSats;
    if (!matches(tree)) tree = await build(true);
    if (!matches(tree)) {
      const refusals: Refusal[] = [];
      if (tree.root.toLowerCase() !== round.merkleRoot.toLowerCase()) {
        refusals.push(
          refusal(
            "ROOT_MISMATCH",
            "merkleRoot",
            round.merkleRoot,
            tree.root,
            `this node's tree over ${tree.leaves.length} bound addresses (chain block ${block}, Bitcoin height ` +
              `${height}) has another root`,
          ),
        );
      }
      if (tree.totalSats !== round.attestedSats) {
        refusals.push(
          refusal(
            "ROOT_MISMATCH",
            "attestedSats",
            round.attestedSats,
            tree.totalSats,
            `this node sees ${tree.totalSats} sats in the bound addresses at height ${height}`,
          ),
        );
      }
      return this.#refused(refusals, 1);
    }
    const conflicts = this.protection.recordReserveRound(round, head.timestamp);
    if (conflicts.length > 0) {
      return this.#refused(
        conflicts.map((c) => conflictRefusal(c, `${round.merkleRoot.toLowerCase()}/${round.attestedSats}`)),
        1,
      );
    }
    const { digest, signature } = this.#sign(this.#reservesDomain, RESERVE_ROUND_TYPES, { ...round });
    return { kind: "signed", signer: this.signer, signature, digest, items: 1 };
  }

  // ------------------------------------------------------------------------------ bindings and revocations

  /**
   * Signs a binding only if the address is valid for this node's Bitcoin network and free on chain, the nonce is the
   * user's current binding nonce, the ownership proof verifies against the binding message this node builds (chain
   * id, Oracle, user, address, nonce) and its digest is the request's — and no other request for this nonce was
   * signed and is still valid.
   */
  async signBinding(request: BindingRequest, signature: string): Promise<SignOutcome> {
    const { head, settings } = await this.#context();
    const tooLate = deadlineRefusal(request.deadline, head, settings);
    if (tooLate !== undefined) return this.#refused([tooLate], 1);
    let btcAddress: string;
    try {
      btcAddress = parseAddress(request.btcAddress, this.#btcNetwork).address;
    } catch (error) {
      return this.#refused(
        [
          refusal(
            "INVALID_ADDRESS",
            "btcAddress",
            request.btcAddress,
            this.#btcNetwork,
            error instanceof Error ? error.message : String(error),
          ),
        ],
        1,
      );
    }
    const user = getAddress(request.user);
    const [nonce, owner] = await Promise.all([
      this.chain.bindingNonce(user, head.number),
      this.chain.ownerOfBtcAddress(btcAddress, head.number),
    ]);
    const refusals: Refusal[] = [];
    if (request.nonce !== nonce) {
      refusals.push(
        refusal("NONCE_MISMATCH", "nonce", request.nonce, nonce, `the user's binding nonce is ${nonce}`),
      );
    }
    if (owner !== "0x0000000000000000000000000000000000000000") {
      refusals.push(
        refusal(
          "ALREADY_BOUND",
          "btcAddress",
          btcAddress,
          getAddress(owner),
          `the address is bound to ${owner}`,
        ),
      );
    }
    if (refusals.length > 0) return this.#refused(refusals, 1);
    const message = bindingMessage({
      chainId: this.chainId,
      oracle: this.oracleAddress,
      user,
      btcAddress,
      nonce,
    });
    try {
      verifyOwnershipProof({ message, btcAddress, signature, network: this.#btcNetwork });
    } catch (error) {
      return this.#refused(
        [
          refusal(
            "BAD_PROOF",
            "proof",
            "(signature)",
            "rejected",
            `the ownership proof does not verify: ${error instanceof Error ? error.message : String(error)}`,
          ),
        ],
        1,
      );
    }
    const digest = proofDigest(message, signature);
    if (digest !== request.proofDigest.toLowerCase()) {
      return this.#refused(
        [
          refusal(
            "PROOF_DIGEST_MISMATCH",
            "proofDigest",
            request.proofDigest,
            digest,
            "the request's proofDigest is not keccak256(message ‖ signature) of the proof given",
          ),
        ],
        1,
      );
    }
    const value = { ...request, user, btcAddress };
    return this.#signNonce("binding", user, nonce, btcAddress, request.deadline, head, BINDING_TYPES, value);
  }

  /**
   * Signs a revocation only if the operator named it (`--allow-revocation` or the `--revocations-file`, re-read now),
   * the nonce is the user's current binding nonce and the deadline is valid — and no other request for this nonce was
   * signed and is still valid. Revocation burns the user's whole position: it is a human decision, never automatic.
   */
  async signRevocation(revocation: Revocation): Promise<SignOutcome> {
    const { head, settings } = await this.#context();
    const tooLate = deadlineRefusal(revocation.deadline, head, settings);
    if (tooLate !== undefined) return this.#refused([tooLate], 1);
    const user = getAddress(revocation.user);
    const allowed = await this.#revocations();
    if (!allowed.some((a) => getAddress(a.user) === user && a.btcAddress === revocation.btcAddress)) {
      return this.#refused(
        [
          refusal(
            "REVOCATION_NOT_ALLOWED",
            "revocation",
            `${user} ${revocation.btcAddress}`,
            "not named by the operator",
            "this node signs a revocation only when its operator named it (--allow-revocation or --revocations-file)",
          ),
        ],
        1,
      );
    }
    const nonce = await this.chain.bindingNonce(user, head.number);
    if (revocation.nonce !== nonce) {
      return this.#refused(
        [refusal("NONCE_MISMATCH", "nonce", revocation.nonce, nonce, `the user's binding nonce is ${nonce}`)],
        1,
      );
    }
    const value = { ...revocation, user };
    return this.#signNonce(
      "revocation",
      user,
      nonce,
      revocation.btcAddress,
      revocation.deadline,
      head,
      REVOCATION_TYPES,
      value,
    );
  }

  #signNonce(
    kind: "binding" | "revocation",
    user: string,
    nonce: bigint,
    btcAddress: string,
    deadline: bigint,
    head: ChainHead,
    types: Record<string, TypedDataField[]>,
    value: Record<string, unknown>,
  ): SignOutcome {
    const primary = Object.keys(types)[0] as string;
    const requestHash = TypedDataEncoder.from(types).hashStruct(primary, value);
    const conflicts = this.protection.recordNonce(
      { kind, user, nonce, requestHash, btcAddress, deadline },
      head.timestamp,
    );
    if (conflicts.length > 0) {
      return this.#refused(
        conflicts.map((c) => conflictRefusal(c, `${kind} ${requestHash}`)),
        1,
      );
    }
    const { digest, signature } = this.#sign(this.#oracleDomain, types, value);
    return { kind: "signed", signer: this.signer, signature, digest, items: 1 };
  }

  // -------------------------------------------------------------------------------------------------- health

  /** The node's chain, Bitcoin tip and lag, key and committee seat; `degraded` when either view is unavailable. */
  async health(): Promise<NodeHealth> {
    const message = (error: unknown) => (error instanceof Error ? error.message : String(error));
    const now = Math.floor(Date.now() / 1000);
    type ChainPart = { head: ChainHead; settings: OracleSettings; attested: number };
    const chainPart: ChainPart | { error: string } = await (async () => {
      const head = await this.chain.head();
      const settings = await this.chain.settings(head.number);
      const [highest, round] = await Promise.all([
        this.chain.highestBtcHeight(head.number),
        this.chain.latestReserveRound(head.number),
      ]);
      return { head, settings, attested: Number(highest > round.btcHeight ? highest : round.btcHeight) };
    })().catch((error: unknown) => ({ error: message(error) }));
    const tip: BitcoinTip | { error: string } = await this.bitcoin
      .tip()
      .catch((error: unknown) => ({ error: message(error) }));
    const chain = "error" in chainPart ? undefined : chainPart;
    const attested = chain !== undefined && chain.attested > 0 ? chain.attested : null;
    return {
      status: chain !== undefined && !("error" in tip) ? "ok" : "degraded",
      chainId: this.chainId.toString(),
      oracle: this.oracleAddress,
      proofOfReserves: this.reservesAddress,
      signer: this.signer,
      onCommittee: chain?.settings.onCommittee ?? null,
      committee:
        chain === undefined
          ? null
          : { threshold: chain.settings.threshold, operators: chain.settings.operators },
      chain:
        chain === undefined
          ? { error: "error" in chainPart ? chainPart.error : "" }
          : {
              head: chain.head.number,
              headTimestamp: Number(chain.head.timestamp),
              ageSeconds: now - Number(chain.head.timestamp),
            },
      bitcoin:
        "error" in tip
          ? { error: tip.error }
          : {
              tipHeight: tip.height,
              tipHash: tip.hash,
              attestedHeight: attested,
              lagBlocks: attested === null ? null : tip.height - attested,
            },
      protection: this.protection.counts(),
      uptimeSeconds: Math.round((Date.now() - this.#started) / 1000),
    };
  }
}

/** Refusals in the order of the reports they name (whole-request refusals first). */
function sortRefusals(refusals: Refusal[], reports: readonly SyncReport[]): Refusal[] {
  const order = new Map(reports.map((r, i) => [getAddress(r.user), i]));
  return [...refusals].sort(
    (a, b) =>
      (a.user === undefined ? -1 : (order.get(a.user) ?? 0)) -
      (b.user === undefined ? -1 : (order.get(b.user) ?? 0)),
  );
}
