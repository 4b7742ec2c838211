import type { TaskDefinition } from "hardhat/types/tasks";

import { subgraphTasks } from "./subgraph/index.js";

/** Every task of the project, registered in hardhat.config.ts. */
export const tasks: TaskDefinition[] = [...subgraphTasks];
