import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (this file is src/realtime/page.ts). */
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
/** The page's sources (plain TypeScript, built by Vite). */
export const DASHBOARD_SOURCE = path.join(REPO_ROOT, "dashboard");
/** The built page (gitignored). */
export const DASHBOARD_OUT = path.join(REPO_ROOT, "dist", "dashboard");
/** Written after a build: the hash of the inputs it was built from. */
const STAMP = ".build-stamp";
/** Inputs outside dashboard/ the page compiles in (shared JSON types, the stream's event names). */
const EXTRA_INPUTS = ["src/dashboard/types.ts", "src/query/types.ts", "src/query/stream-events.ts"].map((f) =>
  path.join(REPO_ROOT, f),
);

export interface BuildResult {
  outDir: string;
  /** False when the existing build was up to date. */
  built: boolean;
}

/** Hash of every input file (path + content) and the Vite version. */
function inputsHash(viteVersion: string): string {
  const hash = createHash("sha256").update(`vite ${viteVersion}\n`);
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === "node_modules" || entry.name.startsWith(".")) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else files.push(full);
    }
  };
  walk(DASHBOARD_SOURCE);
  files.push(...EXTRA_INPUTS.filter((f) => existsSync(f)));
  for (const file of files.sort()) {
    hash.update(`${path.relative(REPO_ROOT, file)}\n`).update(readFileSync(file));
  }
  return hash.digest("hex");
}

/**
 * Builds the dashboard page with Vite's JS API into dist/dashboard/ when the output is missing or was built from
 * other inputs (content hash, so a fresh clone or a checkout rebuilds and an unchanged tree does not).
 * @throws when Vite (a dev dependency) is not installed and no up-to-date build exists.
 */
export async function ensureDashboardBuilt(options: { force?: boolean } = {}): Promise<BuildResult> {
  const vite = await import("vite");
  const stampFile = path.join(DASHBOARD_OUT, STAMP);
  const hash = inputsHash(vite.version);
  const current =
    existsSync(stampFile) &&
    existsSync(path.join(DASHBOARD_OUT, "index.html")) &&
    readFileSync(stampFile, "utf8") === hash;
  if (current && options.force !== true) return { outDir: DASHBOARD_OUT, built: false };
  await vite.build({
    configFile: false,
    root: DASHBOARD_SOURCE,
    base: "./",
    logLevel: "warn",
    build: {
      outDir: DASHBOARD_OUT,
      emptyOutDir: true,
      // No inline polyfill script: the page runs under a strict Content-Security-Policy (script-src 'self').
      modulePreload: { polyfill: false },
      target: "es2022",
    },
  });
  writeFileSync(stampFile, hash);
  return { outDir: DASHBOARD_OUT, built: true };
}

/** The built page folder when it exists (for servers that must not build, e.g. without dev dependencies). */
export function builtDashboard(): string | undefined {
  return existsSync(path.join(DASHBOARD_OUT, "index.html")) && statSync(DASHBOARD_OUT).isDirectory()
    ? DASHBOARD_OUT
    : undefined;
}
