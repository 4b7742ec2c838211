import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";

import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { renderPipeline } from "../../src/store/pipeline.js";
import { loadHistorySchema } from "../../src/store/store.js";
import { runTask } from "../shared/output.js";

interface Args {
  check: boolean;
  json: boolean;
}

/** `subgraph:pipeline`: writes (or with --check compares) the Mirror pipeline rendered from the schema. */
export default async function action(args: Args, hre: HardhatRuntimeEnvironment) {
  return runTask(
    args.json,
    async () => {
      const root = hre.config.paths.root;
      const file = path.join(root, "subgraph", "pipelines", "reservebtc-postgres.yaml");
      const schema = await loadHistorySchema(root);
      const text = renderPipeline(schema);
      const current = await readFile(file, "utf8").catch(() => "");
      if (args.check) {
        if (current !== text) process.exitCode = 1;
        return { file: path.relative(root, file), current: current === text, entities: schema.tables.size };
      }
      await writeFile(file, text);
      return { file: path.relative(root, file), written: current !== text, entities: schema.tables.size };
    },
    (r) =>
      `${r.file}: ${r.entities} entities, ${"current" in r ? (r.current ? "current" : "OUT OF DATE") : r.written ? "written" : "unchanged"}`,
  );
}
