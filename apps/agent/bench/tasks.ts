/**
 * Tasks completed per second: BENCH_TASKS tasks (default 5000) posted to a fresh process
 * running the example agent without delay (RUNNER_CONCURRENCY from
 * BENCH_RUNNER_CONCURRENCY, default 16), timed from the first POST to the last completion,
 * on the in-memory store and on PostgreSQL (DATABASE_URL, or a throwaway embedded
 * PostgreSQL as the tests use). Run `pnpm --filter @repo/agent build` first.
 */
import { existsSync } from "node:fs";
import { Agent, request } from "node:http";
import { fileURLToPath } from "node:url";
import {
  createDatabaseOn,
  type PostgresServer,
  startPostgresServer,
} from "../test/support/postgres.ts";
import { TASK_BODY as taskBody } from "./contract.ts";
import { liveChildren, sleep, start, stop } from "./servers.ts";

const TASKS = Number(process.env.BENCH_TASKS ?? 5000);
const RUNNER_CONCURRENCY = process.env.BENCH_RUNNER_CONCURRENCY ?? "16";
const agentEntry = fileURLToPath(new URL("../dist/server.js", import.meta.url));

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => row[col]!.length)));
  return rows
    .map((row, index) => {
      const line = row
        .map((cell, col) => (col === 0 ? cell.padEnd(widths[col]!) : cell.padStart(widths[col]!)))
        .join("  ");
      return index === 0 ? `${line}\n${widths.map((w) => "-".repeat(w)).join("  ")}` : line;
    })
    .join("\n");
}

interface TaskRun {
  name: string;
  postSeconds: number;
  totalSeconds: number;
  failed: number;
}

async function statusCount(port: number, status: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const match = new RegExp(
    `^task_status_changes_total\\{status="${status}"[^}]*\\} (\\d+)`,
    "m",
  ).exec(text);
  return Number(match?.[1] ?? 0);
}

/**
 * POSTs `count` tasks over keep-alive connections, as fast as the server takes them
 * (autocannon's `amount` mode ends on its one-second tick, too coarse here).
 */
async function postTasks(port: number, count: number): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: 20 });
  let sent = 0;
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const req = request(
        {
          host: "127.0.0.1",
          port,
          path: "/tasks",
          method: "POST",
          agent,
          headers: { "content-type": "application/json" },
        },
        (res) => {
          res.resume();
          res.on("end", () =>
            res.statusCode === 201
              ? resolve()
              : reject(new Error(`POST /tasks answered ${res.statusCode}`)),
          );
        },
      );
      req.on("error", reject);
      req.end(taskBody);
    });
  const worker = async () => {
    while (sent < count) {
      sent += 1;
      await one();
    }
  };
  try {
    await Promise.all(Array.from({ length: 20 }, worker));
  } finally {
    agent.destroy();
  }
}

/** Posts TASKS tasks to a fresh process and times them until the last one completed. */
async function tasksPerSecond(name: string, databaseUrl: string): Promise<TaskRun> {
  const { child, port } = await start({
    name,
    command: [process.execPath, agentEntry],
    env: {
      DATABASE_URL: databaseUrl,
      RUNNER: "on",
      EXAMPLE_AGENT_DELAY_MS: "0",
      RUNNER_CONCURRENCY,
    },
  });
  try {
    const began = performance.now();
    await postTasks(port, TASKS);
    const postSeconds = (performance.now() - began) / 1000;
    for (;;) {
      const finished = (await statusCount(port, "completed")) + (await statusCount(port, "failed"));
      if (finished >= TASKS) break;
      if (performance.now() - began > 300_000) throw new Error(`${name}: tasks not done in 5 min`);
      await sleep(10);
    }
    const totalSeconds = (performance.now() - began) / 1000;
    return { name, postSeconds, totalSeconds, failed: await statusCount(port, "failed") };
  } finally {
    await stop(child);
  }
}

async function main(): Promise<void> {
  if (!existsSync(agentEntry)) {
    console.error("bench: dist/server.js is missing; run `pnpm --filter @repo/agent build` first");
    process.exit(1);
  }
  let server: PostgresServer | undefined;
  const freshDatabase = async (): Promise<string> => {
    server ??= await startPostgresServer();
    return (await createDatabaseOn(server.adminUrl)).url;
  };
  // Interrupted (Ctrl-C, a kill): the servers and the database this run started go with it.
  const interrupted = async (signal: NodeJS.Signals) => {
    for (const child of liveChildren) child.kill("SIGKILL");
    await server?.destroy().catch(() => {});
    process.exit(signal === "SIGINT" ? 130 : 143);
  };
  process.once("SIGINT", interrupted);
  process.once("SIGTERM", interrupted);
  try {
    console.log(
      `\ntasks completed per second: ${TASKS} tasks posted, example agent without delay, RUNNER_CONCURRENCY=${RUNNER_CONCURRENCY}, one process`,
    );
    const runs = [
      await tasksPerSecond("memory store", ""),
      // always a database of its own: the runner would otherwise also run other tasks there
      await tasksPerSecond("PostgreSQL", await freshDatabase()),
    ];
    const taskRows = [["", "tasks/s", "posted in s", "all completed in s", "failed"]];
    for (const run of runs) {
      taskRows.push([
        run.name,
        (TASKS / run.totalSeconds).toFixed(0),
        run.postSeconds.toFixed(2),
        run.totalSeconds.toFixed(2),
        String(run.failed),
      ]);
    }
    console.log(`\n${table(taskRows)}`);
  } finally {
    await server?.destroy();
  }
}

await main();
