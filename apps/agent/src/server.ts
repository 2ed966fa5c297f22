import { exitOnCrash, startService } from "./service.ts";

exitOnCrash();
await startService();
