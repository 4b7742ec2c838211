// Test setup: make sure Debian's headless-capable Chromium is at /usr/bin/chromium for the dashboard's browser test
// (test/dashboard/, driven by playwright-core with executablePath /usr/bin/chromium; playwright's own browser
// downloads are not used). Installs the `chromium` package with apt-get when it is missing (CI and the developer
// machines run as root); exits non-zero with a one-line reason when it cannot.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

export const CHROMIUM = "/usr/bin/chromium";

function apt(args) {
  const r = spawnSync("apt-get", args, {
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
  return r.error === undefined && r.status === 0;
}

if (existsSync(CHROMIUM)) {
  console.log(`chromium: ${CHROMIUM} present`);
} else {
  console.log(`chromium: ${CHROMIUM} missing, installing Debian's chromium package`);
  // A fresh machine may have no package lists yet: update once and retry.
  const installed =
    apt(["install", "-y", "-q", "chromium"]) ||
    (apt(["update", "-q"]) && apt(["install", "-y", "-q", "chromium"]));
  if (!installed || !existsSync(CHROMIUM)) {
    console.error(
      `error: could not install chromium (apt-get install -y chromium failed${process.getuid?.() === 0 ? "" : "; not root"}): ` +
        "the dashboard browser test needs /usr/bin/chromium",
    );
    process.exit(1);
  }
  console.log(`chromium: installed ${CHROMIUM}`);
}
