#!/usr/bin/env node
// Runs the TypeScript sources directly (Node 24 strips types): no build step, and no
// dependency outside Node itself, so a fresh checkout can run it before `pnpm install`.
import { main } from "../src/cli.ts";

process.exitCode = await main(process.argv.slice(2));
