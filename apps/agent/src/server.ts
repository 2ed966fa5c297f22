import { enableCompileCache } from "node:module";

// Keeps V8's compiled code on disk (in NODE_COMPILE_CACHE, or under the OS temp directory)
// so that restarts parse less; where the directory is not writable it is simply skipped.
enableCompileCache();

const { exitOnCrash, startService } = await import("./service.ts");
exitOnCrash();
await startService();
