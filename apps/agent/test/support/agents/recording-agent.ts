/**
 * A test agent loaded through AGENT_MODULE by real agent processes. Each run appends
 * `start <task id> <pid> <attempt>` to the file RUN_LOG (and `abort ...` when its signal
 * fires, `done ...` when it finishes), so tests count runs rather than statuses. A title
 * `sleep <ms> ...` makes the run take that long, honouring the signal.
 */
import { appendFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import type { Agent } from "../../../src/agent/types.ts";

function record(line: string): void {
  if (process.env.RUN_LOG) appendFileSync(process.env.RUN_LOG, `${line}\n`);
}

export const agent: Agent = {
  async run(task, { signal, attempt }) {
    record(`start ${task.id} ${process.pid} ${attempt}`);
    signal.addEventListener("abort", () => record(`abort ${task.id} ${process.pid}`), {
      once: true,
    });
    const ms = Number(/^sleep (\d+)/.exec(task.title)?.[1] ?? 0);
    if (ms > 0) await sleep(ms, undefined, { signal });
    record(`done ${task.id} ${process.pid}`);
    return { pid: process.pid, attempt };
  },
};
