export { main } from "./cli.ts";
export type { Command, CommandContext } from "./command.ts";
export { GitopsError, UsageError } from "./command.ts";
export * from "./layout.ts";
export { renderKustomization } from "./render.ts";
export { appImageName, REPOSITORY_FILE, readRepositoryConfig, sameRepoURL } from "./repository.ts";
export * from "./verify/index.ts";
