import type { ChildProcess } from "node:child_process";
import { spawn } from "node:child_process";
import { rm } from "node:fs/promises";
import { createServer } from "node:net";
import path from "node:path";

import { expect } from "chai";
import { network } from "hardhat";

import type { RunningDevnet } from "../../src/bitcoin/devnet/server.js";
import { startDevnet } from "../../src/bitcoin/devnet/server.js";
import { attachSystem } from "../../src/deployments.js";
import type { Deployment } from "../../src/deployments.js";
import { runScenario } from "../../src/sim/engine.js";
import { loadDeploymentFolder } from "../../src/sim/run.js";
import { parseScenario } from "../../src/sim/scenario.js";

const HARDHAT_CLI = path.join("node_modules", "hardhat", "dist", "src", "cli.js");
/** Alice is Hardhat account 4 in both runs (after the 3 default operators), so the fork scenario sees her history. */
const ALICE_ACCOUNT = 4;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address !== null
          ? resolve(address.port)
          : reject(new Error("the server has no TCP address")),
      );
    });
  });
}

async function rpc(url: string, method: string, params: unknown[] = []): Promise<unknown> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = (await response.json()) as { result?: unknown; error?: { message: string } };
  if (body.error !== undefined) throw new Error(body.error.message);
  return body.result;
}

async function waitForNode(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const until = Date.now() + 60_000;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`hardhat node exited (${child.exitCode}): ${output()}`);
    try {
      await rpc(url, "eth_chainId");
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`hardhat node did not answer at ${url}: ${output()}`);
}

describe("sim:run on a forked network", function () {
  this.timeout(180_000);

  let node: ChildProcess | undefined;
  let devnet: RunningDevnet | undefined;
  let url = "";
  let deploymentId = "";

  before(async function () {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    deploymentId = `sim-fork-test-${port}`;
    let output = "";
    node = spawn(process.execPath, [HARDHAT_CLI, "node", "--hostname", "127.0.0.1", "--port", String(port)], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, FORCE_COLOR: "0" },
    });
    node.stdout?.on("data", (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
    node.stderr?.on("data", (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
    await waitForNode(url, node, () => output);
    devnet = await startDevnet({ port: 0 });
  });

  after(async function () {
    node?.kill();
    await devnet?.close();
    if (deploymentId !== "")
      await rm(path.join("deploy", "deployments", deploymentId), { recursive: true, force: true });
  });

  it("sees the node's state at the fork block and leaves the node unchanged", async function () {
    if (devnet === undefined) throw new Error("no devnet");
    // 1. History on the node: deploy through Ignition, bind alice with a real proof, fund and sync.
    const nodeConnection = await network.create({ network: "localhost", override: { url } });
    const history = await runScenario(
      parseScenario({
        name: "history on the node",
        users: [{ id: "alice", account: ALICE_ACCOUNT }],
        steps: [
          { btc: "fund", user: "alice", sats: 100000 },
          { btc: "mine" },
          { oracle: "sync" },
          { expect: { attested: { alice: "100000" } } },
        ],
      }),
      nodeConnection,
      { devnet, deploymentId },
    );
    expect(history.failures).to.deep.equal([]);
    const deployment: Deployment = await loadDeploymentFolder(
      path.join("deploy", "deployments", deploymentId),
      history.network.chainId,
    );
    expect(deployment.oracle).to.equal(history.deployment.oracle);
    const forkBlock = BigInt((await rpc(url, "eth_blockNumber")) as string);

    // 2. More history after the fork block: alice receives 20,000 more sats and the node syncs them.
    const later = await runScenario(
      parseScenario({
        name: "after the fork block",
        users: [{ id: "alice", account: ALICE_ACCOUNT }],
        steps: [{ btc: "fund", user: "alice", sats: 20000 }, { btc: "mine" }, { oracle: "sync" }],
      }),
      nodeConnection,
      { devnet, deployment },
    );
    expect(later.failures).to.deep.equal([]);
    const node = attachSystem(deployment, nodeConnection.ethers.provider);
    const aliceAddress = history.users[0]?.evmAddress ?? "";
    const nodeBlockBefore = await nodeConnection.ethers.provider.getBlockNumber();
    const nodeStateBefore = await node.oracle.userState(aliceAddress);
    expect(nodeStateBefore.attestedSats).to.equal(120000n);

    // 3. A scenario on a fork of the node at the fork block: it sees 100,000 (not 120,000), then acts on the fork.
    process.env.FORK_RPC_URL = url;
    const fork = await network.create({
      network: "fork",
      override: { forking: { url, blockNumber: forkBlock } },
    });
    const report = await runScenario(
      parseScenario({
        name: "on the fork",
        users: [{ id: "alice", account: ALICE_ACCOUNT }, { id: "bob" }],
        steps: [
          { expect: { attested: { alice: "100000" }, rbtcFree: { alice: "100000" } } },
          { oracle: "sync", note: "the fork catches up with Bitcoin" },
          { expect: { attested: { alice: "120000" } } },
          { do: "wrap", user: "alice", sats: 50000 },
          { do: "transfer", token: "wrBTC", from: "alice", to: "bob", sats: 50000 },
          { btc: "fund", user: "bob", sats: 7000 },
          { btc: "mine" },
          { oracle: "sync" },
          { expect: { wrbtc: { bob: "50000" }, rbtcEscrow: { alice: "50000" }, attested: { bob: "7000" } } },
        ],
      }),
      fork,
      { devnet, deployment },
    );
    expect(report.failures, report.failures.join("\n")).to.deep.equal([]);
    expect(report.network.mode).to.equal("attach");
    expect(report.network.forkBlock).to.equal(forkBlock);

    // 4. The node itself did not change.
    expect(await nodeConnection.ethers.provider.getBlockNumber()).to.equal(nodeBlockBefore);
    const nodeStateAfter = await node.oracle.userState(aliceAddress);
    expect(nodeStateAfter.attestedSats).to.equal(120000n);
    expect(nodeStateAfter.sequence).to.equal(nodeStateBefore.sequence);
    expect(await node.rbtc.escrowOf(aliceAddress)).to.equal(0n);
    expect(await node.wrbtc.totalSupply()).to.equal(0n);
    const bob = report.users[1]?.evmAddress ?? "";
    expect(await node.oracle.addressesOf(bob)).to.deep.equal([]);
  });
});
