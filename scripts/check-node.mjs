#!/usr/bin/env node
/**
 * The Node.js check in front of `pnpm install`, `pnpm dev` and the CLIs (gitops, kustomize-ts,
 * setup-repo): on a Node older than package.json's `engines` asks for, one line says which
 * Node was found, which one is needed and how to get it, before anything that needs the newer
 * Node is loaded (type stripping, module.enableCompileCache, vitest). The apps' entries
 * (apps/<app>/src/server.ts) print the same line; packages/repo-checks/test/node-check.test.ts
 * holds every entry to it.
 *
 * `pnpm install` runs this as the root's `pnpm:devPreinstall` script, the one lifecycle script
 * pnpm runs before it resolves or fetches anything, so the check is offline and instant.
 * pnpm's own checks do not fit: `engines` is not enforced for the root project (not even with
 * engine-strict), and `devEngines.runtime` either fails without saying how to get Node
 * ("error") or downloads it from nodejs.org ("download"), which needs the network.
 *
 * Plain JavaScript that old Node versions parse; nothing here may need the newer Node.
 */
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

/** The root package.json's `engines.node`: the one place the required Node is written. */
export function requiredNode() {
  const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
  return manifest.engines.node;
}

/** The line for a Node older than `engines` (">=24 <25"), or undefined when it is recent enough. */
export function nodeVersionProblem(
  engines,
  found = process.versions.node,
  path = process.execPath,
) {
  const needed = Number(/\d+/.exec(engines)?.[0]);
  if (Number(found.split(".")[0]) >= needed) return undefined;
  return `This project needs Node.js ${needed} (engines "${engines}") but found v${found} at ${path}: install it with "nvm install ${needed}" (or from https://nodejs.org), put it first on PATH and run the command again.`;
}

/** Prints the line and exits 1 when this Node is too old. */
export function exitUnlessNodeFits(engines = requiredNode()) {
  const problem = nodeVersionProblem(engines);
  if (problem === undefined) return;
  process.stderr.write(`${problem}\n`);
  process.exit(1);
}

// Run as a script (`node scripts/check-node.mjs`), not imported.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href)
  exitUnlessNodeFits();
