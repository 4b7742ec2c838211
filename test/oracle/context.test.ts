import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { getAddress, keccak256, toUtf8Bytes, verifyTypedData } from "ethers";
import hre from "hardhat";
import type { HookManager } from "hardhat/types/hooks";
import type { NetworkConnection } from "hardhat/types/network";

import type { ContractKey } from "../../src/deployments.js";
import { CONTRACTS, MODULE_ID, deploySystem, deploymentFolder } from "../../src/deployments.js";
import { UserInputError } from "../../src/errors.js";
import {
  OPERATOR_KEYS_VARIABLE,
  loadLiveDeployment,
  loadOracleContext,
  parseOperatorKeys,
  resolveConfigVariable,
} from "../../src/oracle/context.js";
import { BINDING_TYPES, hardhatWallet, oracleDomain } from "../../src/oracle/signing.js";

describe("operator keys", function () {
  context("parseOperatorKeys", function () {
    it("reads comma-separated keys with or without 0x and spaces", function () {
      const [a, b] = [hardhatWallet(1), hardhatWallet(2)];
      const wallets = parseOperatorKeys(` ${a.privateKey}, ${b.privateKey.slice(2)} ,`);
      expect(wallets.map((w) => w.address)).to.deep.equal([a.address, b.address]);
    });

    it("rejects a malformed entry without echoing it", function () {
      const secret = "0xdeadbeef";
      expect(() => parseOperatorKeys(`${hardhatWallet(1).privateKey},${secret}`))
        .to.throw(UserInputError, /entry 2 is not a 32-byte hex private key/)
        .and.satisfy((e: Error) => !e.message.includes(secret));
    });
  });

  context("resolveConfigVariable", function () {
    it("takes the environment variable first, as Hardhat's configVariable does", async function () {
      const previous = process.env[OPERATOR_KEYS_VARIABLE];
      process.env[OPERATOR_KEYS_VARIABLE] = "0xabc";
      try {
        expect(await resolveConfigVariable(hre.hooks, OPERATOR_KEYS_VARIABLE)).to.equal("0xabc");
      } finally {
        if (previous === undefined) delete process.env[OPERATOR_KEYS_VARIABLE];
        else process.env[OPERATOR_KEYS_VARIABLE] = previous;
      }
    });

    it("returns undefined for a variable set nowhere, also under `hardhat test` (HH_TEST, development keystore)", async function () {
      // Before the fix the keystore plugin threw HHE50002 here when a development keystore exists.
      expect(process.env.HH_TEST).to.equal("true");
      expect(await resolveConfigVariable(hre.hooks, "RESERVEBTC_TEST_UNSET_VARIABLE")).to.equal(undefined);
    });

    context("when the keystore's prompt can never be answered", function () {
      it("fails with one line once Node has nothing left to wait for, instead of exiting silently", async function () {
        const previous = process.env[OPERATOR_KEYS_VARIABLE];
        delete process.env[OPERATOR_KEYS_VARIABLE];
        const waitingForStdin = {
          runHandlerChain: () => new Promise(() => undefined),
        } as unknown as HookManager;
        const listenersBefore = process.listenerCount("beforeExit");
        try {
          const pending = resolveConfigVariable(waitingForStdin, OPERATOR_KEYS_VARIABLE).catch(
            (e: unknown) => e,
          );
          // What Node emits when the event loop is empty (stdin at end of file, no other work).
          process.emit("beforeExit", 0);
          const error = await pending;
          expect(error).to.be.instanceOf(UserInputError).and.have.property("code", "KEYSTORE_PASSWORD");
          expect((error as Error).message).to.match(
            /^Hardhat's keystore asked for its password to read ORACLE_OPERATOR_KEYS, but stdin gave no answer/,
          );
          expect(process.listenerCount("beforeExit")).to.equal(listenersBefore);
        } finally {
          if (previous !== undefined) process.env[OPERATOR_KEYS_VARIABLE] = previous;
        }
      });
    });

    context("when the keystore cannot be decrypted", function () {
      /** A hook chain that fails the way the keystore plugin does on a wrong password (HHE50000). */
      const failingHooks = (error: Error) =>
        ({
          runHandlerChain: () => Promise.reject(error),
        }) as unknown as HookManager;

      it("turns the keystore's wrong-password error into one line naming the variable", async function () {
        const previous = process.env[OPERATOR_KEYS_VARIABLE];
        delete process.env[OPERATOR_KEYS_VARIABLE];
        const wrongPassword = Object.assign(
          new Error("HHE50000: Invalid password or corrupted keystore file."),
          {
            name: "HardhatError",
            number: 50000,
          },
        );
        try {
          const error = await resolveConfigVariable(
            failingHooks(wrongPassword),
            OPERATOR_KEYS_VARIABLE,
          ).catch((e: unknown) => e);
          expect(error).to.be.instanceOf(UserInputError).and.have.property("code", "KEYSTORE_PASSWORD");
          expect((error as Error).message).to.equal(
            "cannot read ORACLE_OPERATOR_KEYS from Hardhat's keystore: wrong password or corrupted keystore file " +
              "(HHE50000); run the task again and retype the password",
          );
          const other = new Error("disk full");
          expect(
            await resolveConfigVariable(failingHooks(other), OPERATOR_KEYS_VARIABLE).catch((e: unknown) => e),
          ).to.equal(other);
        } finally {
          if (previous !== undefined) process.env[OPERATOR_KEYS_VARIABLE] = previous;
        }
      });
    });
  });
});

/** A chain id that is not Hardhat's local 31337: the runner must not fall back to the public default accounts. */
const REAL_CHAIN_ID = 11_155_111;

describe("loadOracleContext on a non-local chain", function () {
  let root: string;
  let connection: NetworkConnection;
  let system: Awaited<ReturnType<typeof deploySystem>>;
  const previous = process.env[OPERATOR_KEYS_VARIABLE];

  before(async function () {
    connection = await hre.network.create({ network: "default", override: { chainId: REAL_CHAIN_ID } });
    system = await deploySystem(connection);
    // What `ignition deploy --network <real>` leaves behind: the address book of the chain.
    root = await mkdtemp(path.join(tmpdir(), "reservebtc-deployments-"));
    const folder = deploymentFolder(BigInt(REAL_CHAIN_ID), root);
    await mkdir(folder, { recursive: true });
    const book = Object.fromEntries(
      (Object.keys(CONTRACTS) as ContractKey[]).map((key) => [
        `${MODULE_ID}#${CONTRACTS[key]}`,
        system.deployment[key],
      ]),
    );
    await writeFile(path.join(folder, "deployed_addresses.json"), JSON.stringify(book));
  });

  afterEach(function () {
    if (previous === undefined) delete process.env[OPERATOR_KEYS_VARIABLE];
    else process.env[OPERATOR_KEYS_VARIABLE] = previous;
  });

  after(async function () {
    await connection.close();
    await rm(root, { recursive: true, force: true });
  });

  context("when ORACLE_OPERATOR_KEYS is set in the environment", function () {
    it("signs with exactly the configured keys, and the Oracle accepts their signatures", async function () {
      // Operators are Hardhat accounts 1..3 (threshold 2); this runner holds the keys of 3 and 1.
      const [one, three] = [hardhatWallet(1), hardhatWallet(3)];
      process.env[OPERATOR_KEYS_VARIABLE] = `${three.privateKey},${one.privateKey}`;
      const ctx = await loadOracleContext(connection, { hooks: hre.hooks, deploymentsRoot: root });
      expect(ctx.chainId).to.equal(BigInt(REAL_CHAIN_ID));
      expect(ctx.keySource).to.equal("configuration-variable");
      expect(ctx.localOperators).to.have.members([one.address, three.address]).and.to.have.length(2);

      const user = getAddress(keccak256(toUtf8Bytes("keystore-user")).slice(0, 42));
      const block = await connection.ethers.provider.getBlock("latest");
      const request = {
        user,
        btcAddress: "bcrt1qy3wvz7n8kxh4r4d0sa9cfqsavferwfgnn85ft6",
        proofDigest: keccak256(toUtf8Bytes("proof")),
        nonce: 0n,
        deadline: BigInt(block?.timestamp ?? 0) + 600n,
      };
      const signatures = await ctx.committee.signBinding(ctx.system.oracle, request, { signature: "" });
      const domain = await oracleDomain(ctx.system.oracle);
      expect(signatures.map((s) => verifyTypedData(domain, BINDING_TYPES, request, s))).to.deep.equal([
        one.address,
        three.address,
      ]);
      await expect(ctx.system.oracle.bindAddress(request, signatures))
        .to.emit(ctx.system.oracle, "AddressBound")
        .withArgs(
          user,
          keccak256(toUtf8Bytes(request.btcAddress)),
          request.btcAddress,
          request.proofDigest,
          0n,
        );
    });
  });

  context("when no operator key is configured", function () {
    it("fails with one line naming the configuration variable", async function () {
      delete process.env[OPERATOR_KEYS_VARIABLE];
      let error: unknown;
      // With the hooks, as the tasks call it: the keystore plugin (here under `hardhat test`, development keystore)
      // reads the variable as unset instead of failing with its own HHE50002, so this message is what an operator sees.
      await loadOracleContext(connection, { hooks: hre.hooks, deploymentsRoot: root }).catch(
        (e: unknown) => (error = e),
      );
      expect(error).to.be.instanceOf(UserInputError);
      const message = (error as Error).message;
      expect(message).to.match(/^no operator keys for chain 11155111: set ORACLE_OPERATOR_KEYS /);
      expect(message).to.include("npx hardhat keystore set ORACLE_OPERATOR_KEYS");
      expect(message).to.not.include("\n");
    });
  });

  context("when a configured key is not on the committee", function () {
    it("names the stranger's address, never the key", async function () {
      const stranger = hardhatWallet(9);
      process.env[OPERATOR_KEYS_VARIABLE] = `${hardhatWallet(1).privateKey},${stranger.privateKey}`;
      let error: unknown;
      await loadOracleContext(connection, { hooks: hre.hooks, deploymentsRoot: root }).catch(
        (e: unknown) => (error = e),
      );
      expect((error as Error).message).to.equal(
        `1 configured operator key(s) are not on the committee: ${stranger.address}`,
      );
    });
  });
});

describe("loadLiveDeployment on a local chain whose deployment has no code", function () {
  let root: string;

  before(async function () {
    root = await mkdtemp(path.join(tmpdir(), "reservebtc-live-deployment-"));
    const folder = deploymentFolder(31337n, root);
    await mkdir(folder, { recursive: true });
    const addresses = Object.fromEntries(
      Object.values(CONTRACTS).map((name, i) => [
        `${MODULE_ID}#${name}`,
        getAddress(`0x${(i + 1).toString(16).padStart(40, "0")}`),
      ]),
    );
    await writeFile(path.join(folder, "deployed_addresses.json"), JSON.stringify(addresses));
  });

  after(async function () {
    await rm(root, { recursive: true, force: true });
  });

  it("names the missing --network localhost (the in-process network shares chain id 31337 with hardhat node)", async function () {
    const empty = { getCode: () => Promise.resolve("0x") };
    const error = await loadLiveDeployment(empty, 31337n, root).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(UserInputError);
    expect((error as Error).message).to.match(
      /no Oracle at 0x0{39}5 on chain 31337 .*add `--network localhost`/,
    );
    expect((error as Error).message).to.not.include("\n");
  });
});
