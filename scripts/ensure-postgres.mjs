// Test setup: a real Postgres server binary for the store tests (test/store/), from Debian's `postgresql` package,
// installed with apt-get when missing (as scripts/ensure-chromium.mjs installs Chromium). The tests start and stop
// their own server in a temporary folder on a free port (test/helpers/postgres.ts); this only installs the binaries.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";

const ROOT = "/usr/lib/postgresql";

function installed() {
  return existsSync(ROOT) && readdirSync(ROOT).some((v) => existsSync(`${ROOT}/${v}/bin/postgres`));
}

function apt(args) {
  const r = spawnSync("apt-get", args, {
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
  return r.error === undefined && r.status === 0;
}

if (installed()) {
  console.log(`postgresql: ${ROOT} present`);
} else {
  console.log("postgresql: missing, installing Debian's postgresql package");
  const ok =
    apt(["install", "-y", "-q", "--no-install-recommends", "postgresql"]) ||
    (apt(["update", "-q"]) && apt(["install", "-y", "-q", "--no-install-recommends", "postgresql"]));
  if (!ok || !installed()) {
    console.error(
      `error: could not install postgresql (apt-get install -y postgresql failed${process.getuid?.() === 0 ? "" : "; not root"}): ` +
        "the store tests need a Postgres server binary",
    );
    process.exit(1);
  }
  console.log("postgresql: installed");
}
