/** The benchmarked servers: the agent, its peers and the ablations, each a command to run. */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Server } from "./servers.ts";

/** The version every target reports on /health, so the bodies are the same bytes. */
export const VERSION = "bench";

export interface Target extends Server {
  key: string;
  /** The key of the target this one is measured against (an ablation): it is held to no target. */
  against?: string;
}

export const agentEntry = fileURLToPath(new URL("../dist/server.js", import.meta.url));
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
/**
 * A TypeScript peer as compiled by `tsc -p bench/tsconfig.json` (the bench script runs it):
 * run as .ts, Node's type stripping would add about 150 ms to its start-up and its own
 * memory to its RSS, which the agent, run from dist/, does not pay.
 */
export const compiled = (peer: string) => here(`./dist/bench/${peer}.js`);
const node = (entry: string) => [process.execPath, entry];

/** Measured for start-up only (bench/peers/fastify-minimal.ts). */
export const FASTIFY_ALONE: Server = {
  name: "a one-route Fastify app (start-up only)",
  command: node(compiled("peers/fastify-minimal")),
  env: {},
};

/** The python3 that has fastapi and uvicorn, if any. */
export function findPython(): string | undefined {
  const candidates = [process.env.BENCH_PYTHON, "python3", "/usr/bin/python3"];
  for (const python of candidates) {
    if (!python) continue;
    try {
      execFileSync(python, ["-c", "import fastapi, uvicorn"], { stdio: "ignore" });
      return python;
    } catch {
      // not this one
    }
  }
  return undefined;
}

/** The plain Fastify peer with the agent's per-request features (PEER_FEATURES, see the peer). */
const withFeatures = (featureSet: string, but: string, against: string): Target => ({
  key: featureSet === "on" ? "fastify-features" : `fastify-features-${featureSet}`,
  name: `plain Fastify 5 + the agent's per-request features${but}`,
  command: node(compiled("peers/fastify")),
  env: { APP_VERSION: VERSION, PEER_FEATURES: featureSet, LOG_LEVEL: "info" },
  against,
});

export function targetsToRun(python: string | undefined, ablations: boolean): Target[] {
  const agentEnv = { DATABASE_URL: "", APP_VERSION: VERSION, SHUTDOWN_DRAIN_MS: "0" };
  const targets: Target[] = [
    {
      key: "agent",
      name: "agent (default: LOG_LEVEL=info, runner on)",
      command: node(agentEntry),
      env: { ...agentEnv, LOG_LEVEL: "info", RUNNER: "on" },
    },
    {
      key: "fastify",
      name: "plain Fastify 5",
      command: node(compiled("peers/fastify")),
      env: { APP_VERSION: VERSION },
    },
    {
      key: "node",
      name: "bare node:http",
      command: node(compiled("baseline")),
      env: { APP_VERSION: VERSION },
    },
  ];
  if (python) {
    targets.push({
      key: "fastapi",
      name: "FastAPI + uvicorn (1 worker)",
      command: [python, here("./peers/fastapi_app.py")],
      env: { APP_VERSION: VERSION },
    });
  }
  if (ablations) {
    targets.push(
      withFeatures("on", "", "fastify"),
      withFeatures("no-headers", " but the security headers", "fastify-features"),
      withFeatures("no-metrics", " but the request metrics", "fastify-features"),
      {
        key: "agent-runner-off",
        name: "agent, RUNNER=off",
        command: node(agentEntry),
        env: { ...agentEnv, LOG_LEVEL: "info", RUNNER: "off" },
        against: "agent",
      },
      {
        key: "agent-silent",
        name: "agent, LOG_LEVEL=silent",
        command: node(agentEntry),
        env: { ...agentEnv, LOG_LEVEL: "silent", RUNNER: "on" },
        against: "agent",
      },
      {
        key: "agent-debug",
        name: "agent, LOG_LEVEL=debug (a log line per request)",
        command: node(agentEntry),
        env: { ...agentEnv, LOG_LEVEL: "debug", RUNNER: "on" },
        against: "agent",
      },
    );
  }
  return targets;
}
