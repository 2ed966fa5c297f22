#!/usr/bin/env node
// Runs the TypeScript sources directly (Node 24 strips types), so the CLI needs no build step.
import { main } from "../src/cli.ts";

// `gitops history | head` closes the pipe early: that is not an error.
process.stdout.on("error", (error) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});

process.exitCode = await main(process.argv.slice(2));
