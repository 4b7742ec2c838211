/**
 * The relay tasks as a user runs them: `relay:genesis` reads a real genesis header from the devnet's Esplora API, the
 * relay is deployed through its Ignition module on a `hardhat node` (free port), and `relay:sync --network localhost`
 * finds it through the deployment and checks it at the tip. Bad input and unreachable backends end in one line and
 * exit code 2.
 */
import { mkdtemp, readFile, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { network } from "hardhat";
import type { NetworkConnection } from "hardhat/types/network";

import LightRelayModule from "../../deploy/modules/LightRelay.js";
import { startDevnet } from "../../src/bitcoin/devnet/server.js";
import type { RunningDevnet } from "../../src/bitcoin/devnet/server.js";
import { deploymentFolder } from "../../src/deployments.js";
import type { RelayGenesisResult } from "../../src/relay/genesis.js";
import type { RelaySyncResult } from "../../src/relay/sync.js";
import { hardhat } from "../helpers/cli.js";
import type { HardhatResult } from "../helpers/cli.js";
import type { RunningNode } from "../oracle/integration/helpers.js";
import { freePort, startHardhatNode } from "../oracle/integration/helpers.js";

function jsonOf<T>(result: HardhatResult, what: string): T {
  expect(result.code, `${what} exited ${result.code}: ${result.stderr}`).to.equal(0);
  const start = result.stdout.search(/^\{$/m);
  expect(start, `${what} printed no JSON: ${result.stdout}`).to.be.at.least(0);
  return JSON.parse(result.stdout.slice(start)) as T;
}

/** The one `error: …` line a failing task prints, and its exit code. */
function failureOf(result: HardhatResult): { code: number; line: string } {
  const lines = result.stderr.split("\n").filter((l) => l.startsWith("error: "));
  expect(lines, result.stderr).to.have.length(1);
  expect(result.stderr).to.not.match(/^\s+at /m);
  return { code: result.code, line: lines[0] as string };
}

describe("relay tasks as processes (hardhat node + Bitcoin devnet)", function () {
  this.timeout(240_000);

  let node: RunningNode;
  let devnet: RunningDevnet;
  let connection: NetworkConnection;
  let work: string;
  let deploymentId: string;
  let relayAddress: string;
  let env: NodeJS.ProcessEnv;

  before(async function () {
    [node, devnet] = await Promise.all([startHardhatNode(), startDevnet({ port: 0 })]);
    devnet.chain.mine(7);
    connection = await network.create({ network: "localhost", override: { url: node.url } });
    work = await mkdtemp(path.join(tmpdir(), "reservebtc-relay-"));
    deploymentId = `test-relay-${process.pid}`;
    env = { ...process.env, LOCALHOST_RPC_URL: node.url, RESERVEBTC_DEPLOYMENTS_DIR: work };
  });

  after(async function () {
    await connection?.close();
    await node?.stop();
    await devnet?.close();
    await rm(path.join("deploy", "deployments", deploymentId), { recursive: true, force: true });
    if (work !== undefined) await rm(work, { recursive: true, force: true });
  });

  it("relay:genesis writes the module's parameters with the devnet's genesis header", async function () {
    const out = path.join(work, "relay.json");
    const result = jsonOf<RelayGenesisResult & { out: string }>(
      await hardhat(["relay:genesis", "--bitcoin", devnet.url, "--out", out, "--json"], {
        timeoutMs: 90_000,
      }),
      "relay:genesis",
    );
    expect(result).to.deep.include({
      network: "regtest",
      genesisHeight: 0,
      genesisHash: devnet.chain.blockAt(0)?.hash,
    });
    const parameters = JSON.parse(await readFile(out, "utf8")) as RelayGenesisResult["parameters"];
    expect(parameters).to.deep.equal(result.parameters);
    const genesis = devnet.chain.blockAt(0);
    expect(genesis).to.not.equal(undefined);
    if (genesis !== undefined) {
      expect(parameters.LightRelay.genesisHeader).to.equal(`0x${devnet.chain.headerHex(genesis)}`);
    }

    // Deploy it as `npx hardhat ignition deploy … --parameters relay.json` would, under a test deployment id.
    const { relay } = await connection.ignition.deploy(LightRelayModule, {
      parameters: out,
      deploymentId,
      config: { requiredConfirmations: 1, blockPollingInterval: 50 },
      displayUi: false,
    });
    relayAddress = await relay.getAddress();
    await symlink(path.resolve("deploy", "deployments", deploymentId), deploymentFolder(31337n, work));
  });

  it("relay:sync finds the deployed relay and reports it up to date at the devnet's tip", async function () {
    const result = await hardhat(
      ["relay:sync", "--network", "localhost", "--bitcoin", devnet.url, "--json"],
      {
        env,
        timeoutMs: 90_000,
      },
    );
    const sync = jsonOf<RelaySyncResult & { sender: string }>(result, "relay:sync");
    expect(sync.relay).to.equal(relayAddress);
    expect(sync.bitcoin.tipHeight).to.equal(7);
    expect(sync.tip).to.deep.include({
      accepted: true,
      fromHeight: 2,
      toHeight: 7,
      work: "12",
      requiredWork: "12",
    });
    expect(sync.upToDate).to.equal(true);
    expect(result.stderr).to.contain("the relay accepts headers 2..7 as a proof at the tip");
  });

  context("when the input or a backend is bad", function () {
    it("exits 2 with one line for an unreachable Esplora backend", async function () {
      const dead = `http://127.0.0.1:${await freePort()}`;
      const result = await hardhat(
        ["relay:sync", "--network", "localhost", "--bitcoin", dead, "--relay", relayAddress],
        { env, timeoutMs: 90_000 },
      );
      const { code, line } = failureOf(result);
      expect(code).to.equal(2);
      expect(line).to.contain("ECONNREFUSED");
    });

    it("exits 2 with one line for a malformed --relay and for an address without a relay", async function () {
      const bad = failureOf(
        await hardhat(["relay:sync", "--network", "localhost", "--bitcoin", devnet.url, "--relay", "0x12"], {
          env,
          timeoutMs: 90_000,
        }),
      );
      expect(bad).to.deep.equal({ code: 2, line: 'error: --relay is not an EVM address: "0x12"' });
      const empty = failureOf(
        await hardhat(
          [
            "relay:sync",
            "--network",
            "localhost",
            "--bitcoin",
            devnet.url,
            "--relay",
            `0x${"12".repeat(20)}`,
          ],
          { env, timeoutMs: 90_000 },
        ),
      );
      expect(empty.code).to.equal(2);
      expect(empty.line).to.contain("no contract at");
    });

    it("exits 2 with one line when the EVM node is down", async function () {
      const result = await hardhat(["relay:sync", "--network", "localhost", "--bitcoin", devnet.url], {
        env: { ...env, LOCALHOST_RPC_URL: `http://127.0.0.1:${await freePort()}` },
        timeoutMs: 90_000,
      });
      const { code, line } = failureOf(result);
      expect(code).to.equal(2);
      expect(line).to.contain("refused the connection");
    });

    it("exits 2 with one line for an unsupported network in relay:genesis", async function () {
      const result = await hardhat(["relay:genesis", "--bitcoin", devnet.url, "--btc-network", "testnet3"], {
        timeoutMs: 90_000,
      });
      const { code, line } = failureOf(result);
      expect(code).to.equal(2);
      expect(line).to.contain('unknown relay network "testnet3"');
    });
  });
});
