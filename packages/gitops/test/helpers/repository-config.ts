import type { RepositoryConfig } from "../../src/verify/types.ts";

/** A repository.yaml as the verify rules see it, for tests of single rules. */
export const TEST_REPOSITORY: RepositoryConfig = {
  repository: "o/r",
  registry: "ghcr.io",
  repoURL: "https://github.com/o/r.git",
  imagePrefix: "ghcr.io/o/r/",
  clusters: [],
};
