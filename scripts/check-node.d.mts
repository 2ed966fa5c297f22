// Types for check-node.mjs, which stays plain JavaScript so that an old Node can run it.
export function requiredNode(): string;
export function nodeVersionProblem(
  engines: string,
  found?: string,
  path?: string,
): string | undefined;
export function exitUnlessNodeFits(engines?: string): void;
