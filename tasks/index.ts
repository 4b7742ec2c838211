import type { TaskDefinition } from "hardhat/types/tasks";

import { bitcoinTasks } from "./bitcoin/index.js";
import { demoTasks } from "./demo/index.js";
import { reservesTasks } from "./reserves/index.js";
import { subgraphTasks } from "./subgraph/index.js";

/** Every task of the project, registered in hardhat.config.ts. */
export const tasks: TaskDefinition[] = [...bitcoinTasks, ...demoTasks, ...reservesTasks, ...subgraphTasks];
