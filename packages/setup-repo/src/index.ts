export { main as setupRepoCli } from "./cli.ts";
export { SetupError, UsageError } from "./errors.ts";
export {
  formatGenerated,
  generateAgent,
  installWorkspace,
  summary,
} from "./generate/generate.ts";
export {
  missingAnswer,
  suggestPort,
  validateAgentName,
  validateDescription,
  validatePort,
} from "./generate/names.ts";
export { defaultRegistry, parseRepository, type RepositoryId, readOriginUrl } from "./remote.ts";
export {
  parseRepositoryFile,
  REPOSITORY_FILE,
  type RepositorySettings,
  readRepositoryFile,
} from "./repository-file.ts";
export { makeRewriter, npmName } from "./rewrite.ts";
export { type FileChange, type SetupResult, setupRepository } from "./setup.ts";
