import { readFileSync } from "node:fs";

// An older Node fails below on a missing export or on the .ts imports. Checked first, with the
// line scripts/check-node.mjs prints, against this package's engines (the image carries no
// repository root): which Node was found, which one is needed and how to get it.
const engines: string = JSON.parse(
  readFileSync(new URL("../package.json", import.meta.url), "utf8"),
).engines.node;
const needed = Number(/\d+/.exec(engines)?.[0]);
const found = process.versions.node;
if (Number(found.split(".")[0]) < needed) {
  process.stderr.write(
    `This project needs Node.js ${needed} (engines "${engines}") but found v${found} at ${process.execPath}: install it with "nvm install ${needed}" (or from https://nodejs.org), put it first on PATH and run the command again.\n`,
  );
  process.exit(1);
}

// Keeps V8's compiled code on disk (in NODE_COMPILE_CACHE, or under the OS temp directory)
// so that restarts parse less; where the directory is not writable it is simply skipped.
const { enableCompileCache } = await import("node:module");
enableCompileCache();

const { exitOnCrash, startService } = await import("./service.ts");
exitOnCrash();
await startService();
