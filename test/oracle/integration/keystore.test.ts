/**
 * Operator keys from Hardhat's production keystore, as an operator uses it: `hardhat keystore set` and
 * `hardhat oracle:sync --network localhost` run as separate processes on a pseudo-terminal (util-linux `script`), the
 * password typed at the keystore's prompt. The keystore lives in a temporary XDG_CONFIG_HOME (never the user's), and
 * the children run without the CI and `hardhat test` variables, under which the plugin would skip the keystore.
 * The tests are one operator's story, in order: the first creates the keystore the others unlock.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { network } from "hardhat";
import type { NetworkConnection } from "hardhat/types/network";

import { startDevnet } from "../../../src/bitcoin/devnet/server.js";
import type { RunningDevnet } from "../../../src/bitcoin/devnet/server.js";
import { DEPLOYMENTS_DIR_VARIABLE } from "../../../src/deployments.js";
import type { RoundJson } from "../../../src/oracle/commands.js";
import { OPERATOR_KEYS_VARIABLE } from "../../../src/oracle/context.js";
import { committeeWallets, hardhatWallet } from "../../../src/oracle/signing.js";
import { CI_VARIABLES, hardhat, hardhatInTerminal } from "../../helpers/cli.js";
import type { TerminalAnswer } from "../../helpers/cli.js";
import type { PopulatedUser } from "../../helpers/oracle-population.js";
import { bindUsers, syntheticUsers } from "../../helpers/oracle-population.js";
import type { RunningNode } from "./helpers.js";
import { deployTo, removeDeployments, startHardhatNode } from "./helpers.js";

const PASSWORD = "operator-keystore-password";
/** The keystore plugin's prompts, as the terminal shows them. */
const PASSWORD_PROMPT = "Enter the password: ";
const CONFIRM_PROMPT = "Please confirm your password: ";
const SECRET_PROMPT = "Enter secret to store in the production keystore: ";
const FUNDED_SATS = 100_000n;

describe("operator keys from the production keystore (hardhat processes on a terminal)", function () {
  this.timeout(180_000);

  let node: RunningNode;
  let connection: NetworkConnection;
  let devnet: RunningDevnet;
  let system: Awaited<ReturnType<typeof deployTo>>;
  let user: PopulatedUser;
  let root: string;
  let env: NodeJS.ProcessEnv;
  /** Operators #1 and #2 of the three (threshold 2): what this runner's keystore holds. */
  const [one, two] = [hardhatWallet(1), hardhatWallet(2)];

  before(async function () {
    node = await startHardhatNode();
    connection = await network.create({ network: "localhost", override: { url: node.url } });
    system = await deployTo(connection, { minConfirmations: 1 });
    devnet = await startDevnet({ port: 0 });
    [user] = syntheticUsers(1, "keystore") as [PopulatedUser];
    await bindUsers(system, connection.ethers.provider, committeeWallets(3), [user], { feeEth: "0.05" });
    devnet.chain.fund(user.btcAddress, FUNDED_SATS);
    devnet.chain.mine(1);

    // The tasks read the deployment from $RESERVEBTC_DEPLOYMENTS_DIR/chain-31337; the keystore from XDG_CONFIG_HOME.
    root = await mkdtemp(path.join(tmpdir(), "reservebtc-keystore-"));
    env = {
      ...process.env,
      XDG_CONFIG_HOME: path.join(root, "config"),
      LOCALHOST_RPC_URL: node.url,
      [DEPLOYMENTS_DIR_VARIABLE]: system.deploymentsRoot,
    };
    for (const name of [...CI_VARIABLES, "HH_TEST", OPERATOR_KEYS_VARIABLE]) delete env[name];
  });

  after(async function () {
    await devnet?.close();
    await connection?.close();
    await node?.stop();
    await removeDeployments();
    if (root !== undefined) await rm(root, { recursive: true, force: true });
  });

  const keystoreFile = () => path.join(root, "config", "hardhat-nodejs", "keystore.json");

  /** `oracle:sync --network localhost --json` with `password` typed at the keystore's prompt. */
  function sync(password: string) {
    return hardhatInTerminal(["oracle:sync", "--network", "localhost", "--bitcoin", devnet.url, "--json"], {
      env,
      answers: [{ prompt: PASSWORD_PROMPT, answer: password }],
    });
  }

  /** What the chain says about the user and how far it got: a run that sends nothing leaves all of it as it was. */
  async function chainState() {
    const state = await system.oracle.userState(user.user);
    return {
      block: await connection.ethers.provider.getBlockNumber(),
      sequence: state.sequence,
      rbtc: await system.rbtc.balanceOf(user.user),
    };
  }

  /** The last line the terminal showed. */
  const lastLine = (output: string) => output.trimEnd().split("\n").at(-1) ?? "";

  context("when `keystore set ORACLE_OPERATOR_KEYS` runs for the first time", function () {
    it("sets up the password (typed twice) and stores the keys encrypted", async function () {
      const answers: TerminalAnswer[] = [
        { prompt: PASSWORD_PROMPT, answer: PASSWORD },
        { prompt: CONFIRM_PROMPT, answer: PASSWORD },
        { prompt: SECRET_PROMPT, answer: `${one.privateKey},${two.privateKey}` },
      ];
      const { code, output, unanswered } = await hardhatInTerminal(
        ["keystore", "set", OPERATOR_KEYS_VARIABLE],
        {
          env,
          answers,
        },
      );
      expect(unanswered, output).to.deep.equal([]);
      expect(code, output).to.equal(0);
      expect(output).to.include(
        "This is the first time you are using the production keystore, please set a password.",
      );
      expect(lastLine(output)).to.equal(`Key "${OPERATOR_KEYS_VARIABLE}" set in the production keystore`);
      // What was typed is echoed as stars, never in clear.
      expect(output).to.not.include(PASSWORD).and.not.include(one.privateKey.slice(2));

      const stored = await readFile(keystoreFile(), "utf8");
      expect((JSON.parse(stored) as { secrets: object }).secrets).to.have.all.keys(OPERATOR_KEYS_VARIABLE);
      for (const key of [one.privateKey, two.privateKey]) {
        expect(stored.toLowerCase()).to.not.include(key.slice(2).toLowerCase());
      }
      expect(stored).to.not.include(PASSWORD);
    });
  });

  context("when the password typed at oracle:sync's prompt is wrong", function () {
    it("stops with one line and exit code 2, sending nothing", async function () {
      const before = await chainState();
      expect(before.sequence).to.equal(0n);
      const { code, output, unanswered } = await sync("not-the-password");
      expect(unanswered, output).to.deep.equal([]);
      expect(code, output).to.equal(2);
      expect(lastLine(output)).to.equal(
        `error: cannot read ${OPERATOR_KEYS_VARIABLE} from Hardhat's keystore: wrong password or corrupted keystore ` +
          "file (HHE50000); run the task again and retype the password",
      );
      expect(output).to.not.match(/^\s+at /m);
      expect(await chainState()).to.deep.equal(before);
    });
  });

  context("when no terminal can answer the prompt (stdin is /dev/null)", function () {
    it("stops with one line and exit code 2 instead of waiting, sending nothing", async function () {
      const before = await chainState();
      const { code, stdout, stderr } = await hardhat(
        ["oracle:sync", "--network", "localhost", "--bitcoin", devnet.url, "--json"],
        { env },
      );
      expect(stdout).to.include(`[hardhat-keystore] ${PASSWORD_PROMPT}`);
      expect(code, stderr).to.equal(2);
      expect(stderr).to.equal(
        `error: Hardhat's keystore asked for its password to read ${OPERATOR_KEYS_VARIABLE}, but stdin gave no ` +
          `answer (no terminal?): run the task in a terminal, or set ${OPERATOR_KEYS_VARIABLE} in the environment\n`,
      );
      expect(await chainState()).to.deep.equal(before);
    });
  });

  context("when the password is right", function () {
    it("signs with the two keystore keys and mints the user's confirmed sats", async function () {
      const { code, output, unanswered } = await sync(PASSWORD);
      expect(unanswered, output).to.deep.equal([]);
      expect(code, output).to.equal(0);
      const round = JSON.parse(output.slice(output.indexOf("\n{"), output.lastIndexOf("}") + 1)) as RoundJson;
      expect(round.committee).to.deep.include({
        threshold: 2,
        operators: 3,
        localOperators: 2,
        remoteOperators: 0,
      });
      const keystoreOperators = [hardhatWallet(1).address, hardhatWallet(2).address];
      expect(round.committee.tallies.map((t) => t.operator).sort()).to.deep.equal(keystoreOperators.sort());
      for (const tally of round.committee.tallies) expect(tally).to.include({ refused: 0, failed: 0 });
      expect(round.usersChecked).to.equal(1);
      expect(round.changed).to.equal(1);
      expect(round.mintedSats).to.equal(FUNDED_SATS.toString());
      const after = await chainState();
      expect(after.sequence).to.equal(1n);
      expect(after.rbtc).to.equal(FUNDED_SATS);
    });
  });

  context("when the keystore holds a key that is not an operator's", function () {
    it("names the stranger's address, never its key, and sends nothing", async function () {
      const stranger = hardhatWallet(9);
      const replaced = await hardhatInTerminal(["keystore", "set", OPERATOR_KEYS_VARIABLE, "--force"], {
        env,
        answers: [
          { prompt: PASSWORD_PROMPT, answer: PASSWORD },
          { prompt: SECRET_PROMPT, answer: `${one.privateKey},${stranger.privateKey}` },
        ],
      });
      expect(replaced.unanswered, replaced.output).to.deep.equal([]);
      expect(replaced.code, replaced.output).to.equal(0);

      devnet.chain.fund(user.btcAddress, 5_000n);
      devnet.chain.mine(1);
      const before = await chainState();
      const { code, output, unanswered } = await sync(PASSWORD);
      expect(unanswered, output).to.deep.equal([]);
      expect(code, output).to.equal(2);
      expect(lastLine(output)).to.equal(
        `error: 1 configured operator key(s) are not on the committee: ${stranger.address}`,
      );
      expect(output).to.not.include(stranger.privateKey.slice(2));
      expect(await chainState()).to.deep.equal(before);
    });
  });
});
