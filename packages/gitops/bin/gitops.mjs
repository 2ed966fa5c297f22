#!/usr/bin/env node
// Runs the TypeScript sources directly (Node 24 strips types), so the CLI needs no build step.
// An older Node cannot load them: the check says so in one line before they are imported.
import { exitUnlessNodeFits } from "../../../scripts/check-node.mjs";

exitUnlessNodeFits();

// `gitops history | head` closes the pipe early: that is not an error.
process.stdout.on("error", (error) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});

const { main } = await import("../src/cli.ts");

process.exitCode = await main(process.argv.slice(2));
