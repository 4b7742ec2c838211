import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";

import { withBuildLock, withStdoutKeptForResult } from "../../tasks/build-contracts.js";

describe("withBuildLock (tasks started at once build one after another)", function () {
  let root: string;

  beforeEach(async function () {
    root = await mkdtemp(path.join(tmpdir(), "reservebtc-build-lock-"));
  });

  afterEach(async function () {
    await rm(root, { recursive: true, force: true });
  });

  it("runs holders one at a time, creates the folder, and removes the lock", async function () {
    const lock = path.join(root, "cache", "build.lock");
    const steps: string[] = [];
    const hold = (name: string) =>
      withBuildLock(lock, async () => {
        steps.push(`${name} in`);
        expect(await readFile(lock, "utf8")).to.equal(String(process.pid));
        await new Promise((resolve) => setTimeout(resolve, 150));
        steps.push(`${name} out`);
        return name;
      });
    expect(await Promise.all([hold("a"), hold("b")])).to.deep.equal(["a", "b"]);
    // Either may take the lock first; what matters is that the second enters only after the first left.
    const first = steps[0]?.split(" ")[0];
    const second = first === "a" ? "b" : "a";
    expect(steps).to.deep.equal([`${first} in`, `${first} out`, `${second} in`, `${second} out`]);
    expect(await readFile(lock, "utf8").catch(() => "gone")).to.equal("gone");
  });

  it("takes over a lock whose holder died (killed mid-build)", async function () {
    const lock = path.join(root, "build.lock");
    // A process id that has exited.
    const dead = spawnSync(process.execPath, ["-e", "0"]).pid;
    expect(dead).to.be.a("number");
    await writeFile(lock, String(dead));
    const started = Date.now();
    expect(await withBuildLock(lock, async () => "built")).to.equal("built");
    expect(Date.now() - started).to.be.below(1_000);
  });

  it("takes over a lock left empty (its holder died before writing its pid) after the timeout, not before", async function () {
    const lock = path.join(root, "build.lock");
    await writeFile(lock, "");
    const started = Date.now();
    expect(await withBuildLock(lock, async () => "built", 300)).to.equal("built");
    expect(Date.now() - started).to.be.within(300, 2_000);
  });

  it("releases the lock when the build fails", async function () {
    const lock = path.join(root, "build.lock");
    const failure = new Error("solc failed");
    expect(await withBuildLock(lock, () => Promise.reject(failure)).catch((e: unknown) => e)).to.equal(
      failure,
    );
    expect(await withBuildLock(lock, async () => "again")).to.equal("again");
  });
});

describe("withStdoutKeptForResult (a task's build prints nothing on stdout)", function () {
  it("drops the build's empty lines, sends its other lines to stderr, and restores console.log", async function () {
    const [stdout, stderr]: [string[], string[]] = [[], []];
    const [log, error] = [console.log, console.error];
    console.log = (...args: unknown[]) => stdout.push(args.join(" "));
    console.error = (...args: unknown[]) => stderr.push(args.join(" "));
    const restored = console.log;
    try {
      const result = await withStdoutKeptForResult(async () => {
        // What Hardhat's quiet build does once per compilation job, and a line it may print.
        console.log();
        console.log();
        console.log("Compiled 34 Solidity files");
        return "built";
      });
      expect(result).to.equal("built");
      expect(console.log).to.equal(restored);
    } finally {
      console.log = log;
      console.error = error;
    }
    expect(stdout).to.deep.equal([]);
    expect(stderr).to.deep.equal(["Compiled 34 Solidity files"]);
  });

  it("restores console.log when the build fails", async function () {
    const log = console.log;
    await withStdoutKeptForResult(() => Promise.reject(new Error("solc failed"))).catch(() => undefined);
    expect(console.log).to.equal(log);
  });
});
