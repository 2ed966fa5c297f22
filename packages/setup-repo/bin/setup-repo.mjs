#!/usr/bin/env node
// Runs the TypeScript sources directly (Node 24 strips types): no build step, and no
// dependency outside Node itself, so a fresh checkout can run it before `pnpm install`.
// An older Node cannot load them: the check says so in one line before they are imported.
import { exitUnlessNodeFits } from "../../../scripts/check-node.mjs";

exitUnlessNodeFits();

const { main } = await import("../src/cli.ts");

process.exitCode = await main(process.argv.slice(2));
