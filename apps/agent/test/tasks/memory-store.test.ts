import { MemoryTaskStore } from "../../src/tasks/memory-store.ts";
import { describeTaskStoreContract } from "./store-contract.ts";

describeTaskStoreContract("memory", async () => new MemoryTaskStore());
