import { createTasks } from "./0001-create-tasks.ts";

/**
 * Schema changes, applied in order at start. Kept as TypeScript modules (not .sql files)
 * so the compiled dist/ carries them. Never edit an applied migration: add a new one,
 * and keep each change compatible with the code still running during a rolling update.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [createTasks];

/** Names the LISTEN/NOTIFY channel the tasks trigger publishes on. */
export const TASKS_CHANNEL = "agent_tasks";
