#!/usr/bin/env node
// Runs the TypeScript sources directly (Node 24 strips types), so the CLI needs no build step.
// An older Node cannot load them: the check says so in one line before they are imported.
// The compile cache keeps the stripped and compiled modules between runs (in the OS temp dir,
// or NODE_COMPILE_CACHE): it cuts the start-up of every later run by more than half.
import module from "node:module";
import { exitUnlessNodeFits } from "../../../scripts/check-node.mjs";

exitUnlessNodeFits();
module.enableCompileCache?.();

// A reader that stops early (`| head`) is no failure of ours.
process.stdout.on("error", (error) => {
  if (error.code !== "EPIPE") throw error;
  process.exit(process.exitCode ?? 0);
});

const { main } = await import("../src/cli.ts");

process.exitCode = await main(process.argv.slice(2));
