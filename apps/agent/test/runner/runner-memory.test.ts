import { MemoryTaskStore } from "../../src/tasks/memory-store.ts";
import { describeRunner } from "./runner-contract.ts";

describeRunner("memory", async () => new MemoryTaskStore());
