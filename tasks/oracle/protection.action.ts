import { readFile, writeFile } from "node:fs/promises";

import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { buildContracts } from "../build-contracts.js";
import { jsonReplacer, runTask, table } from "../shared/output.js";

interface Args {
  export: string;
  import: string;
  db: string;
  signer: string;
  json: boolean;
}

/** What `oracle:protection` did. */
interface ProtectionResult {
  action: "export" | "import";
  db: string;
  file: string;
  signer: string;
  /** Records in the file (export) or merged from it (import). */
  records: { syncReports: number; reserveRounds: number; bindingNonces: number };
  /** Records in the store afterwards. */
  total: { syncReports: number; reserveRounds: number; bindingNonces: number };
  /** The interchange document itself (`--export -`). */
  document?: unknown;
}

export default async function protectionAction(args: Args, hre: HardhatRuntimeEnvironment): Promise<void> {
  await runTask(
    args.json || args.export === "-",
    async (): Promise<unknown> => {
      const { UserInputError } = await import("../../src/errors.js");
      if ((args.export === "") === (args.import === "")) {
        throw new UserInputError("give exactly one of --export FILE or --import FILE", "PROTECTION");
      }
      await buildContracts(hre);
      const { getAddress, isAddress } = await import("ethers");
      const { loadLiveDeployment } = await import("../../src/oracle/context.js");
      const { SlashingProtection, parseInterchange } =
        await import("../../src/oracle/operator/protection.js");
      const { defaultDataDir } = await import("../../src/oracle/operator/start.js");
      const path = await import("node:path");
      const connection = await hre.network.getOrCreate();
      const provider = connection.ethers.provider;
      const { chainId } = await provider.getNetwork();
      const deployment = await loadLiveDeployment(provider, chainId);
      const scopeFor = (signer: string) => ({
        chainId,
        oracle: deployment.oracle,
        proofOfReserves: deployment.proofOfReserves,
        signer,
      });
      const dbFor = (signer: string) =>
        args.db !== "" ? args.db : path.join(defaultDataDir(chainId, signer), "protection.sqlite");

      if (args.import !== "") {
        let document: unknown;
        try {
          document = JSON.parse(await readFile(args.import, "utf8"));
        } catch (error) {
          throw new UserInputError(
            `cannot read ${args.import}: ${error instanceof Error ? error.message : String(error)}`,
            "PROTECTION",
          );
        }
        const parsed = parseInterchange(document);
        const signer = parsed.data[0]?.signer;
        if (signer === undefined)
          throw new UserInputError(`${args.import} holds no signer's records`, "PROTECTION");
        const db = dbFor(signer);
        const store = await SlashingProtection.open(db, scopeFor(signer));
        try {
          const records = store.import(parsed);
          return { action: "import", db, file: args.import, signer, records, total: store.counts() };
        } finally {
          store.close();
        }
      }
      if (args.signer === "" || !isAddress(args.signer)) {
        throw new UserInputError(
          "--signer ADDRESS is required with --export (the operator whose record to export)",
        );
      }
      const signer = getAddress(args.signer);
      const db = dbFor(signer);
      const { existsSync } = await import("node:fs");
      if (!existsSync(db)) throw new UserInputError(`no slashing-protection record at ${db}`, "PROTECTION");
      const store = await SlashingProtection.open(db, scopeFor(signer));
      try {
        const document = store.export();
        const entry = document.data[0];
        const records = {
          syncReports: entry?.sync_reports.length ?? 0,
          reserveRounds: entry?.reserve_rounds.length ?? 0,
          bindingNonces: entry?.binding_nonces.length ?? 0,
        };
        if (args.export === "-") return document;
        await writeFile(args.export, `${JSON.stringify(document, null, 2)}\n`);
        return { action: "export", db, file: args.export, signer, records, total: store.counts() };
      } finally {
        store.close();
      }
    },
    (result) => {
      const r = result as ProtectionResult;
      return table([
        ["action", r.action],
        ["record", r.db],
        ["file", r.file],
        ["signer", r.signer],
        [
          r.action === "export" ? "records written" : "records merged",
          JSON.stringify(r.records, jsonReplacer),
        ],
        ["records in the store", JSON.stringify(r.total, jsonReplacer)],
      ]);
    },
  );
}
