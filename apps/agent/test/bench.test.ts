import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { contractDifferences, contractOf } from "../bench/contract.ts";
import { analyse, type BenchResults, type Run, ratio, type TargetResult } from "../bench/report.ts";
import { startAgentProcess, stopAgentProcess } from "./support/agent-process.ts";

const run = (rps: number, busy: number | null): Run => ({
  requests: rps,
  rps,
  p50Ms: 1,
  p99Ms: 2,
  failures: 0,
  busy,
});

describe("bench ratios", () => {
  it("take the median of the rounds where both servers' cores were busy", () => {
    const r = ratio(
      [run(90, 0.95), run(50, 0.5), run(100, 0.99), run(80, 0.97)],
      [run(100, 0.96), run(100, 0.99), run(100, 0.92), run(100, 0.2)],
    );
    expect(r.rounds.map((round) => round.valid)).toEqual([true, false, true, false]);
    expect(r.median).toBeCloseTo(0.95);
    expect([r.low, r.high]).toEqual([0.9, 1]);
    expect(r.stands).toBe(true);
  });

  it("are void when fewer than half the rounds count, or busy cannot be read", () => {
    const busy = ratio(
      [run(90, 0.95), run(50, 0.5), run(60, 0.5)],
      [run(100, 0.95), run(100, 0.95), run(100, 0.95)],
    );
    expect(busy.stands).toBe(false);
    expect(busy.median).toBeCloseTo(0.9);
    const unknown = ratio([run(90, null)], [run(100, null)]);
    expect([unknown.stands, unknown.median, unknown.medianAll]).toEqual([false, null, 0.9]);
  });

  it("turn into verdicts: VOID on a busy machine, met or MISSED otherwise", () => {
    const target = (key: string, rps: number, busy: number, rss: number): TargetResult => ({
      key,
      name: key,
      against: null,
      startupMs: [200, 240, 300],
      peakRssMb: rss,
      runs: { health: [run(rps, busy)], post: [run(rps, busy)], get: [run(rps, busy)] },
    });
    const results = (busy: number, load = 0.2): BenchResults => ({
      date: "2026-12-01T00:00:00.000Z",
      node: "v24",
      loadGenerator: "wrk",
      clientBound: false,
      pinned: true,
      rounds: 1,
      durationS: 1,
      warmupS: 1,
      connections: 50,
      loadAverage: { before: load, after: load },
      cpus: 2,
      notes: [],
      nodeAloneMs: [150, 160, 170],
      fastifyAloneMs: [200, 210, 230],
      targets: [
        target("agent", 95, busy, 60),
        target("fastify", 100, 0.99, 50),
        target("fastapi", 20, 0.99, 30),
      ],
    });
    const verdicts = (busy: number, load?: number) =>
      Object.fromEntries(analyse(results(busy, load)).checks.map((c) => [c.what, c.verdict]));
    expect(verdicts(0.5)).toMatchObject({
      "agent vs plain Fastify, GET /health >= 0.9x": "VOID",
      "agent vs FastAPI, POST /tasks >= 5x": "VOID",
      "agent start-up to ready (median of 3) <= 250 ms": "met",
      "agent peak RSS vs plain Fastify <= 1.2x": "met",
    });
    expect(verdicts(0.95, 6)).toMatchObject({
      "agent start-up to ready (median of 3) <= 250 ms": "VOID",
    });
    expect(verdicts(0.95)).toMatchObject({
      "agent vs plain Fastify, GET /health >= 0.9x": "met",
      "agent vs FastAPI, GET /tasks/:id >= 5x": "MISSED",
    });
    // start-up is shown against its floor on the machine, Node alone, and the peers
    const startup = analyse(results(0.95)).checks.find((c) => c.what.startsWith("agent start-up"));
    expect(startup?.shown).toBe(
      "240 ms (200 to 300; Node alone 160 ms, a one-route Fastify app 210 ms, plain Fastify 240 ms)",
    );
  });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill("SIGKILL");
});

/** Starts a benchmark peer and resolves with its base URL once /ready answers. */
async function startPeer(command: string[]): Promise<string> {
  const port = await freePort();
  const child = spawn(command[0]!, command.slice(1), {
    env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", APP_VERSION: "bench" },
    stdio: "ignore",
  });
  children.push(child);
  const base = `http://127.0.0.1:${port}`;
  for (const began = Date.now(); Date.now() - began < 15_000; ) {
    if (child.exitCode !== null) throw new Error(`${command.join(" ")} exited`);
    const ok = await fetch(`${base}/ready`).then(
      (res) => res.ok,
      () => false,
    );
    if (ok) return base;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`${command.join(" ")} not ready`);
}

const peer = (path: string) => fileURLToPath(new URL(`../bench/${path}`, import.meta.url));
const fastapiPython = ["python3", "/usr/bin/python3"].find((python) => {
  try {
    execFileSync(python, ["-c", "import fastapi, uvicorn"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
});

const taskBody = JSON.stringify({ title: "Summarise", description: "Two paragraphs." });

describe("bench peers", () => {
  it("answer the benchmarked requests with the agent's bytes, its runner on", async () => {
    // The real service with its runner: it claims each new task at once, until it is full.
    const agent = await startAgentProcess({ APP_VERSION: "bench", RUNNER: "on" });
    try {
      const reference = await contractOf(agent.url, taskBody);
      const peers = [
        [process.execPath, peer("baseline.ts")],
        [process.execPath, peer("peers/fastify.ts")],
        ...(fastapiPython ? [[fastapiPython, peer("peers/fastapi_app.py")]] : []),
      ];
      for (const command of peers) {
        const answers = await contractOf(await startPeer(command), taskBody);
        expect(contractDifferences(reference, answers), command.join(" ")).toEqual([]);
      }
      // the task GET /tasks/:id reads is settled: completed by the benchmark, not the runner
      expect(reference[3]).toContain('"status":"completed","attempts":0,"result":null');
    } finally {
      await stopAgentProcess(agent);
    }
    // four server processes start one after another: seconds each on a loaded machine
  }, 90_000);

  it("tell a different body apart", () => {
    const line = (body: string) => ["a", "b", "c", `200 application/json ${body}`];
    const created = line('{"status":"created","attempts":0,"result":null,"error":null}');
    const done = line('{"status":"completed","attempts":1,"result":{"summary":"x"},"error":null}');
    expect(contractDifferences(created, created)).toEqual([]);
    expect(contractDifferences(created, done)).toEqual([
      `GET /tasks/:id: expected ${created[3]}, got ${done[3]}`,
    ]);
  });
});
