import type { TaskDefinition } from "hardhat/types/tasks";

import { bitcoinTasks } from "./bitcoin/index.js";

/** Every task of the project, registered in hardhat.config.ts. */
export const tasks: TaskDefinition[] = [...bitcoinTasks];
