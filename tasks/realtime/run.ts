import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { createSource } from "../../src/query/context.js";
import { parseQueryName, runQuery, validateParams } from "../../src/query/query.js";
import { renderResult } from "../../src/query/render.js";
import type { YieldStatusResult } from "../../src/query/types.js";
import type { YieldUnits } from "../../src/query/yield-units.js";
import { readYieldUnits, yieldStatusForDisplay } from "../../src/query/yield-units.js";
import { runTask } from "../shared/output.js";

/** Flags shared by the eight `realtime:<name>` tasks. */
export interface RealtimeArgs {
  user?: string;
  limit?: number;
  status?: string;
  source: string;
  subgraphUrl: string;
  dataDir?: string;
  databaseUrl?: string;
  json: boolean;
}

/** Body of every `realtime:<name>` task: validate, build the source, run one query, print JSON or a table. */
export async function runRealtimeTask(name: string, args: RealtimeArgs, hre: HardhatRuntimeEnvironment) {
  // yield-status's table shows token amounts in the pool's token units (read from chain; --json keeps the integers).
  let yieldUnits: YieldUnits | undefined;
  return runTask(
    args.json,
    async () => {
      const query = parseQueryName(name);
      const params = validateParams(query, { user: args.user, limit: args.limit, status: args.status });
      const connection = await hre.network.create();
      try {
        const { source, store } = await createSource(connection, {
          source: args.source,
          subgraphUrl: args.subgraphUrl,
          dataDir: args.dataDir,
          databaseUrl: args.databaseUrl,
        });
        try {
          const result = await runQuery(source, query, params);
          if (!args.json && query === "yield-status" && "pool" in result && typeof result.pool === "string") {
            yieldUnits = await readYieldUnits(connection.ethers.provider, result.pool);
          }
          return result;
        } finally {
          await store?.close();
        }
      } finally {
        await connection.close();
      }
    },
    (result) =>
      renderResult(
        name,
        name === "yield-status" ? yieldStatusForDisplay(result as YieldStatusResult, yieldUnits) : result,
      ),
  );
}
