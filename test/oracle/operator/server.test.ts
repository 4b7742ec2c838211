/**
 * The operator node's HTTP API on loopback (in-process network + devnet): request validation and limits, the token
 * allow-list and rate limit, the binding route (each node verifies the ownership proof and that the address is free)
 * and the revocation route (signed only when the operator named it; the committee's revocation burns on chain).
 */
import { expect } from "chai";
import { Wallet, parseEther } from "ethers";
import { network } from "hardhat";

import { startDevnet } from "../../../src/bitcoin/devnet/server.js";
import type { RunningDevnet } from "../../../src/bitcoin/devnet/server.js";
import { DevnetWallet } from "../../../src/bitcoin/devnet/wallet.js";
import { EsploraClient } from "../../../src/bitcoin/esplora.js";
import { proofDigest } from "../../../src/bitcoin/proof.js";
import { deploySystem } from "../../../src/deployments.js";
import { UserInputError } from "../../../src/errors.js";
import { bindAddress, pendingBindingMessage } from "../../../src/oracle/bind.js";
import { CommitteeRefusedError } from "../../../src/oracle/committee.js";
import { LoopbackCommittee } from "../../../src/oracle/operator/loopback.js";
import { parseApiTokens } from "../../../src/oracle/operator/server.js";
import { parseRevocations, resolveOperatorKey } from "../../../src/oracle/operator/start.js";
import { parseRemoteOperators } from "../../../src/oracle/remote-committee.js";
import { runSyncRound } from "../../../src/oracle/round.js";
import { committeeWallets } from "../../../src/oracle/signing.js";

const TOKEN = "a-token-of-at-least-16-chars";

describe("operator node HTTP API (in-process network + devnet)", function () {
  this.timeout(120_000);

  let devnet: RunningDevnet;
  let loopback: LoopbackCommittee;
  let system: Awaited<ReturnType<typeof deploySystem>>;
  let connection: Awaited<ReturnType<typeof network.create>>;
  const allowed: Array<{ user: string; btcAddress: string }> = [];

  before(async function () {
    devnet = await startDevnet({ port: 0 });
    connection = await network.create();
    system = await deploySystem(connection, { minConfirmations: 1 });
    loopback = await LoopbackCommittee.start({
      provider: connection.ethers.provider,
      deployment: system.deployment,
      keys: committeeWallets(3),
      bitcoinUrl: devnet.url,
      btcNetwork: "regtest",
      revocations: async () => allowed,
      server: { tokens: [{ name: "aggregator", token: TOKEN }], limits: { rateLimitMax: 30 } },
      remote: {},
    });
  });

  after(async function () {
    await loopback?.close();
    await devnet?.close();
  });

  const url = (i = 0) => loopback.nodes[i]?.url ?? "";
  const post = (path: string, body: unknown, token: string | undefined = TOKEN, i = 0) =>
    fetch(`${url(i)}${path}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });

  async function bindUser(name: string, committee = loopback.committee) {
    const user = Wallet.createRandom().address;
    const wallet = new DevnetWallet(`${name}-${Date.now()}`);
    const btc = wallet.address("p2wpkh").address;
    const message = await pendingBindingMessage(system.oracle, user, btc);
    const signature = wallet.signMessage("p2wpkh", message).signature;
    return {
      user,
      btc,
      message,
      signature,
      bind: () =>
        bindAddress(system.oracle, committee, { user, btcAddress: btc, signature, network: "regtest" }),
    };
  }

  context("when a request is malformed or not allowed", function () {
    it("answers 401 without a token on the allow-list", async function () {
      const response = await post("/v1/sign/sync-batch", {}, "wrong-token-wrong-token");
      expect(response.status).to.equal(401);
      expect(((await response.json()) as { error: { code: string } }).error.code).to.equal("UNAUTHORIZED");
    });

    it("answers 400 naming the invalid field, 413 for a body over the limit, 404 as JSON", async function () {
      const bad = await post("/v1/sign/sync-batch", { reports: [{ user: "0x12" }], deadline: "1" });
      expect(bad.status).to.equal(400);
      const body = (await bad.json()) as { error: { code: string; message: string } };
      expect(body.error.code).to.equal("BAD_REQUEST");
      expect(body.error.message).to.match(/reports\/0/);
      const tooMany = await post("/v1/sign/sync-batch", {
        deadline: "1",
        reports: Array.from({ length: 501 }, () => ({
          user: Wallet.createRandom().address,
          newTotalSats: "1",
          btcHeight: "1",
          btcBlockHash: `0x${"11".repeat(32)}`,
          sequence: "1",
        })),
      });
      expect(tooMany.status).to.equal(400);
      const huge = await post("/v1/sign/binding", `{"pad":"${"x".repeat(1_100_000)}"}`);
      expect(huge.status).to.equal(413);
      expect(((await huge.json()) as { error: { code: string } }).error.code).to.equal("BODY_TOO_LARGE");
      const missing = await fetch(`${url()}/v1/nope`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(missing.status).to.equal(404);
    });

    it("answers Fastify's body errors and wrong methods in the API's error shape", async function () {
      const auth = { authorization: `Bearer ${TOKEN}` };
      const cases: Array<[RequestInit & { path: string }, number, string]> = [
        [
          {
            path: "/v1/sign/binding",
            method: "POST",
            headers: { ...auth, "content-type": "application/json" },
          },
          400,
          "EMPTY_BODY",
        ],
        [
          {
            path: "/v1/sign/binding",
            method: "POST",
            headers: { ...auth, "content-type": "application/xml" },
            body: "<a/>",
          },
          415,
          "UNSUPPORTED_MEDIA_TYPE",
        ],
        [{ path: "/v1/sign/binding", method: "GET", headers: auth }, 405, "METHOD_NOT_ALLOWED"],
        [{ path: "/metrics", method: "DELETE" }, 405, "METHOD_NOT_ALLOWED"],
      ];
      for (const [{ path, ...init }, status, code] of cases) {
        const response = await fetch(`${url()}${path}`, init);
        expect(response.status, code).to.equal(status);
        const body = await response.json();
        expect(body, code).to.have.all.keys("error");
        expect((body as { error: { code: string; message: string } }).error.code, code).to.equal(code);
        expect(JSON.stringify(body), code).to.not.match(/FST_/);
        if (status === 405) expect(response.headers.get("allow"), path).to.match(/^(POST|GET, HEAD)$/);
      }
    });

    it("refuses a deadline outside the Oracle's report validity", async function () {
      const latest = await connection.ethers.provider.getBlock("latest");
      const response = await post("/v1/sign/sync-batch", {
        deadline: String((latest?.timestamp ?? 0) + 10 * 86_400),
        reports: [
          {
            user: Wallet.createRandom().address,
            newTotalSats: "0",
            btcHeight: "0",
            btcBlockHash: `0x${devnet.chain.blockAt(0)?.hash ?? ""}`,
            sequence: "1",
          },
        ],
      });
      expect(response.status).to.equal(422);
      const body = (await response.json()) as { refusals: Array<{ field: string; reason: string }> };
      expect(body.refusals.map((r) => [r.field, r.reason])).to.deep.equal([
        ["deadline", "DEADLINE_OUT_OF_RANGE"],
      ]);
    });
  });

  context("when a binding is proposed", function () {
    it("signs only a valid proof for a free address, and refuses a tampered digest or a bound address", async function () {
      const alice = await bindUser("alice");
      const latest = await connection.ethers.provider.getBlock("latest");
      const request = {
        user: alice.user,
        btcAddress: alice.btc,
        proofDigest: proofDigest(alice.message, alice.signature),
        nonce: "0",
        deadline: String((latest?.timestamp ?? 0) + 600),
      };
      const tampered = await post("/v1/sign/binding", {
        request: { ...request, proofDigest: `0x${"00".repeat(32)}` },
        proof: { signature: alice.signature },
      });
      expect(tampered.status).to.equal(422);
      expect(
        ((await tampered.json()) as { refusals: Array<{ reason: string }> }).refusals[0]?.reason,
      ).to.equal("PROOF_DIGEST_MISMATCH");
      const other = await bindUser("mallory");
      const wrongProof = await post("/v1/sign/binding", { request, proof: { signature: other.signature } });
      expect(
        ((await wrongProof.json()) as { refusals: Array<{ reason: string }> }).refusals[0]?.reason,
      ).to.equal("BAD_PROOF");
      await alice.bind();
      expect(await system.oracle.ownerOfBtcAddress(alice.btc)).to.equal(alice.user);
      // The same address for someone else: every node refuses (ALREADY_BOUND), the committee reports it.
      const bob = Wallet.createRandom().address;
      const message = await pendingBindingMessage(system.oracle, bob, alice.btc);
      const signature = new DevnetWallet("whoever").signMessage("p2wpkh", message).signature;
      const error = await bindAddress(system.oracle, loopback.committee, {
        user: bob,
        btcAddress: alice.btc,
        signature,
        network: "regtest",
      }).catch((e: unknown) => e);
      // bindAddress checks the owner itself first; ask the committee directly to see the nodes' answer
      expect(error).to.be.instanceOf(UserInputError);
      const direct = await loopback.committee
        .signBinding(
          system.oracle,
          {
            user: bob,
            btcAddress: alice.btc,
            proofDigest: proofDigest(message, signature),
            nonce: 0n,
            deadline: BigInt(request.deadline),
          },
          { signature },
        )
        .catch((e: unknown) => e);
      expect(direct).to.be.instanceOf(CommitteeRefusedError);
      expect((direct as CommitteeRefusedError).refusals.map((r) => r.reason)).to.include("ALREADY_BOUND");
    });
  });

  context("when a revocation is proposed", function () {
    it("refuses it until the operators name it, then the committee's revocation burns the position", async function () {
      const carol = await bindUser("carol");
      await carol.bind();
      await (await system.feeVault.depositETH(carol.user, { value: parseEther("0.01") })).wait();
      devnet.chain.fund(carol.btc, 9_000n);
      devnet.chain.mine(1);
      const esplora = new EsploraClient({ baseUrl: devnet.url, network: "regtest" });
      await runSyncRound(system.oracle, system.rbtc, esplora, loopback.committee.batchSigner(system.oracle));
      expect(await system.rbtc.freeBalanceOf(carol.user)).to.equal(9_000n);

      const latest = await connection.ethers.provider.getBlock("latest");
      const revocation = {
        user: carol.user,
        btcAddress: carol.btc,
        nonce: await system.oracle.bindingNonce(carol.user),
        deadline: BigInt(latest?.timestamp ?? 0) + 600n,
      };
      const refused = await loopback.committee
        .signRevocation(system.oracle, revocation)
        .catch((e: unknown) => e);
      expect(refused).to.be.instanceOf(CommitteeRefusedError);
      expect((refused as CommitteeRefusedError).refusals.map((r) => r.reason)).to.deep.equal([
        "REVOCATION_NOT_ALLOWED",
        "REVOCATION_NOT_ALLOWED",
        "REVOCATION_NOT_ALLOWED",
      ]);
      allowed.push({ user: carol.user, btcAddress: carol.btc });
      const signatures = await loopback.committee.signRevocation(system.oracle, revocation);
      await (await system.oracle.revokeBinding(revocation, signatures)).wait();
      expect(await system.rbtc.freeBalanceOf(carol.user)).to.equal(0n);
      expect(await system.oracle.addressesOf(carol.user)).to.deep.equal([]);
    });
  });

  context("when an aggregator sends more than the rate limit", function () {
    it("answers 429 with the JSON error body", async function () {
      let limited: Response | undefined;
      for (let i = 0; i < 40 && limited === undefined; i++) {
        const response = await fetch(`${url(2)}/healthz`);
        if (response.status === 429) limited = response;
      }
      expect(limited?.status).to.equal(429);
      expect(((await limited?.json()) as { error: { code: string } }).error.code).to.equal("RATE_LIMITED");
    });
  });
});

describe("operator configuration parsing", function () {
  it("parses the token allow-list and never echoes a token", function () {
    expect(parseApiTokens(`agg-a:${TOKEN},${TOKEN}x`)).to.deep.equal([
      { name: "agg-a", token: TOKEN },
      { name: "token-2", token: `${TOKEN}x` },
    ]);
    expect(() => parseApiTokens("a:short")).to.throw(UserInputError, "entry 1's token is shorter than 16");
    expect(() => parseApiTokens("a:short")).to.not.throw(/short$/);
  });

  it("parses operator URLs and tokens, refusing a credential in a URL", function () {
    expect(parseRemoteOperators("http://a:1/, https://b", "t1,t2")).to.deep.equal([
      { url: "http://a:1", token: "t1" },
      { url: "https://b", token: "t2" },
    ]);
    expect(parseRemoteOperators("http://a:1,http://b:2", "one")).to.deep.equal([
      { url: "http://a:1", token: "one" },
      { url: "http://b:2", token: "one" },
    ]);
    expect(() => parseRemoteOperators("http://u:p@a:1")).to.throw(UserInputError, "not in the URL");
    expect(() => parseRemoteOperators("http://a:1,http://a:1")).to.throw(UserInputError, "listed twice");
    expect(() => parseRemoteOperators("http://a,http://b,http://c", "x,y")).to.throw(
      UserInputError,
      "2 tokens for 3",
    );
  });

  it("takes exactly one operator key, never a list", async function () {
    const name = "TEST_OPERATOR_KEY_VARIABLE";
    const [one, two] = committeeWallets(2);
    process.env[name] = `${one?.privateKey},${two?.privateKey}`;
    try {
      await resolveOperatorKey(undefined, 1n, name, -1).then(
        () => expect.fail("accepted a list"),
        (error: unknown) =>
          expect((error as Error).message).to.match(/holds a list: an operator node holds exactly one key/),
      );
      process.env[name] = one?.privateKey;
      expect((await resolveOperatorKey(undefined, 1n, name, -1)).key.address).to.equal(one?.address);
      await resolveOperatorKey(undefined, 1n, name, 2).then(
        () => expect.fail("accepted a dev account off chain 31337"),
        (error: unknown) => expect((error as Error).message).to.match(/only on chain 31337/),
      );
    } finally {
      delete process.env[name];
    }
    expect(parseRevocations(`${one?.address}:bcrt1qxyz`)).to.deep.equal([
      { user: one?.address, btcAddress: "bcrt1qxyz" },
    ]);
    expect(() => parseRevocations("nope")).to.throw(UserInputError, "<EVM user>:<BTC address>");
  });
});
