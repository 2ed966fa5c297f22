/**
 * The smallest Fastify service, measured for start-up only: one route answering /ready, no
 * logger, and V8's compile cache on as the agent has it. What any Fastify service pays to
 * start on the machine, as Node alone is what any Node process pays.
 */
import { enableCompileCache } from "node:module";

enableCompileCache();
const { default: Fastify } = await import("fastify");
const app = Fastify();
app.get("/ready", async () => ({ status: "ready" }));
await app.listen({ port: Number(process.env.PORT ?? 8003), host: process.env.HOST ?? "127.0.0.1" });
