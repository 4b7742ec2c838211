import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { PROJECT_ROOT, storeLocation } from "../../src/query/context.js";
import { openStore } from "../../src/store/store.js";
import { runTask } from "../shared/output.js";

interface Args {
  dataDir: string;
  databaseUrl: string;
  json: boolean;
}

/** `realtime:migrate`: applies the store's versioned migrations (src/store/migrations/) and says which. */
export default async function action(args: Args, hre: HardhatRuntimeEnvironment) {
  return runTask(
    args.json,
    async () => {
      const connection = await hre.network.create();
      try {
        const store = await openStore(PROJECT_ROOT, await storeLocation(args, connection));
        try {
          const [version] = await store.db.query<{ version: string }>(
            `select max(version) as version from "reservebtc"."schema_migrations"`,
          );
          return {
            store: store.db.where,
            kind: store.db.kind,
            applied: store.applied,
            version: version?.version ?? null,
          };
        } finally {
          await store.close();
        }
      } finally {
        await connection.close();
      }
    },
    (r) =>
      `store ${r.store} (${r.kind}) at migration ${r.version ?? "-"}` +
      (r.applied.length === 0 ? ": up to date" : `; applied ${r.applied.join(", ")}`),
  );
}
