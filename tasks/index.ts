import type { TaskDefinition } from "hardhat/types/tasks";

import { bitcoinTasks } from "./bitcoin/index.js";
import { demoTasks } from "./demo/index.js";
import { monitorTasks } from "./monitor/index.js";
import { oracleTasks } from "./oracle/index.js";
import { realtimeTasks } from "./realtime/index.js";
import { relayTasks } from "./relay/index.js";
import { reservesTasks } from "./reserves/index.js";
import { simTasks } from "./sim/index.js";
import { subgraphTasks } from "./subgraph/index.js";
import { watchTasks } from "./watch/index.js";

/** Every task of the project, registered in hardhat.config.ts. */
export const tasks: TaskDefinition[] = [
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
];
