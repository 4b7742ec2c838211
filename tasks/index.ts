import type { TaskDefinition } from "hardhat/types/tasks";

/** Every task of the project, registered in hardhat.config.ts. */
export const tasks: TaskDefinition[] = [];
