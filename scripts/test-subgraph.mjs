// The subgraph checks, as `npm run test:subgraph` runs them (and `npm test` through scripts/test-all.mjs).
//
// Installs the subgraph package (subgraph/node_modules: graph-cli, graph-ts, the Goldsky CLI) when it is missing,
// then runs the checks in test-subgraph/ with Hardhat's mocha runner. They live outside test/ so that the main
// `hardhat test` run does not count them twice. Mocha indents its "N passing" line; this script repeats the counts
// unindented at the end ("N passing" / "N failing"), the form scripts/test-all.mjs reads.
import { spawn } from "node:child_process";

function run(cmd, args, { capture = false } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      stdio: ["ignore", capture ? "pipe" : "inherit", capture ? "pipe" : "inherit"],
    });
    let output = "";
    if (capture) {
      for (const stream of [child.stdout, child.stderr]) {
        stream.on("data", (chunk) => {
          output += chunk;
          process.stdout.write(chunk);
        });
      }
    }
    child.on("error", (error) => {
      console.error(`error: ${cmd}: ${error.message}`);
      resolve({ code: 1, output });
    });
    child.on("close", (code) => resolve({ code: code ?? 1, output }));
  });
}

const install = await run("node", ["scripts/ensure-subgraph.mjs"]);
if (install.code !== 0) process.exit(install.code);

const { code, output } = await run("npx", ["hardhat", "test", "mocha", "test-subgraph/subgraph.test.ts"], {
  capture: true,
});
const passing = [...output.matchAll(/^\s*(\d+) passing\b/gm)].pop()?.[1];
const failing = [...output.matchAll(/^\s*(\d+) failing\b/gm)].pop()?.[1];
if (passing !== undefined) console.log(`${passing} passing`);
if (failing !== undefined) console.log(`${failing} failing`);
process.exit(code);
