import type { TaskDefinition } from "hardhat/types/tasks";

import { bitcoinTasks } from "./bitcoin/index.js";
import { demoTasks } from "./demo/index.js";
import { monitorTasks } from "./monitor/index.js";
import { oracleTasks } from "./oracle/index.js";
import { realtimeTasks } from "./realtime/index.js";
import { relayTasks } from "./relay/index.js";
import { reservesTasks } from "./reserves/index.js";
import { withStrictNumericOptions } from "./shared/numeric-options.js";
import { simTasks } from "./sim/index.js";
import { subgraphTasks } from "./subgraph/index.js";
import { watchTasks } from "./watch/index.js";

/**
 * Every task of the project, registered in hardhat.config.ts; numeric options are parsed by our own strict parser
 * so that a bad value is one line naming the flag and exit 2 (tasks/shared/numeric-options.ts).
 */
export const tasks: TaskDefinition[] = withStrictNumericOptions([
  ...bitcoinTasks,
  ...demoTasks,
  ...monitorTasks,
  ...oracleTasks,
  ...realtimeTasks,
  ...relayTasks,
  ...reservesTasks,
  ...simTasks,
  ...subgraphTasks,
  ...watchTasks,
]);
