/**
 * The PostSync smoke test shipped in gitops/ (the Job's own command, as rendered for dev)
 * against a stand-in agent on loopback: passes on a working agent, fails on a broken one.
 */
import { execFile } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { renderKustomization } from "../src/render.ts";
import { REPO } from "./fixtures/verify/tree.ts";

const run = promisify(execFile);

function smokeCommand(): { command: string[]; env: Record<string, string> } {
  const objects = renderKustomization(join(REPO, "gitops/apps/agent/overlays/dev"));
  const job = objects.find((o) => o.kind === "Job") as unknown as {
    spec: {
      template: {
        spec: { containers: { command: string[]; env: { name: string; value: string }[] }[] };
      };
    };
  };
  const container = job.spec.template.spec.containers[0];
  if (!container) throw new Error("the smoke-test Job has no container");
  return {
    command: container.command,
    env: Object.fromEntries(container.env.map((e) => [e.name, e.value])),
  };
}

let server: Server | undefined;
afterEach(() => server?.close());

/** A stand-in agent: ready after two polls; `createStatus` is what POST /tasks answers. */
async function fakeAgent(createStatus: number): Promise<string> {
  let polls = 0;
  const tasks = new Map<string, unknown>();
  const agent = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => {
      body += chunk;
    });
    request.on("end", () => {
      if (request.url === "/ready") {
        polls++;
        response.writeHead(polls > 2 ? 200 : 503).end("{}");
      } else if (request.method === "POST" && request.url === "/tasks") {
        const task = { id: "t-1", ...JSON.parse(body) };
        tasks.set(task.id, task);
        response
          .writeHead(createStatus, { "content-type": "application/json" })
          .end(JSON.stringify(task));
      } else if (request.url === "/tasks/t-1" && tasks.has("t-1")) {
        response.writeHead(200).end(JSON.stringify(tasks.get("t-1")));
      } else response.writeHead(404).end("{}");
    });
  });
  server = agent;
  await new Promise<void>((resolve) => agent.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(agent.address() as AddressInfo).port}`;
}

describe("the PostSync smoke test", () => {
  it("waits for /ready, then creates a task and reads it back", async () => {
    const { command, env } = smokeCommand();
    expect(command[0]).toBe("node");
    expect(env.AGENT_URL).toBe("http://agent");
    const url = await fakeAgent(201);
    const [bin, ...args] = command as [string, ...string[]];
    const { stdout } = await run(bin === "node" ? process.execPath : bin, args, {
      env: { ...env, AGENT_URL: url, READY_POLL_MS: "20" },
    });
    expect(stdout).toContain("smoke test passed: task t-1 created and read back");
  });

  it("fails the sync when the agent cannot create tasks", async () => {
    const { command, env } = smokeCommand();
    const url = await fakeAgent(500);
    const [, ...args] = command;
    await expect(
      run(process.execPath, args, { env: { ...env, AGENT_URL: url, READY_POLL_MS: "20" } }),
    ).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining("smoke test failed: POST /tasks answered 500"),
    });
  });
});
