import type { TaskDefinition } from "hardhat/types/tasks";

import { bitcoinTasks } from "./bitcoin/index.js";
import { demoTasks } from "./demo/index.js";
import { simTasks } from "./sim/index.js";
import { subgraphTasks } from "./subgraph/index.js";

/** Every task of the project, registered in hardhat.config.ts. */
export const tasks: TaskDefinition[] = [...bitcoinTasks, ...demoTasks, ...simTasks, ...subgraphTasks];
