/**
 * Checks that every target answers the benchmarked requests with the same bytes: the
 * bodies are compared after replacing the values that differ by nature (ids, times,
 * uptime) with placeholders, and those values must have the same form everywhere.
 */

/** The body every benchmark posts to POST /tasks. */
export const TASK_BODY = JSON.stringify({
  title: "Summarise the incident report",
  description: "Two paragraphs for the on-call channel, plain language, no jargon.",
});

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/g;
const ISO_TIME = /"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"/g;
const UPTIME = /"uptime_s":\d+(\.\d{1,3})?(?=[,}])/g;

const mask = (text: string) =>
  text.replace(UUID, "<uuid>").replace(ISO_TIME, "<time>").replace(UPTIME, '"uptime_s":<n>');

export interface Exchange {
  status: number;
  contentType: string | null;
  location: string | null;
  body: string;
}

async function exchange(url: string, init?: RequestInit): Promise<Exchange> {
  const res = await fetch(url, init);
  return {
    status: res.status,
    contentType: res.headers.get("content-type"),
    location: res.headers.get("location"),
    body: await res.text(),
  };
}

const post = (base: string, taskBody: string) =>
  exchange(`${base}/tasks`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: taskBody,
  });

const move = (base: string, path: string, status: string) =>
  exchange(`${base}${path}`, {
    method: "PATCH",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ status }),
  });

/** Tasks a runner may take before it is full and the benchmark's own move wins. */
const MAX_TAKEN = 64;

/**
 * A task in the same state on every target, which no runner touches again: created, then
 * moved to running and to completed through PATCH. Where a runner claims a new task before
 * the move (it has room), the move is refused and the next task is tried; each one taken
 * keeps the runner busy, so after at most its concurrency the move wins. GET /tasks/:id
 * then reads the same bytes everywhere, not an agent's result on one side only.
 */
export async function settledTask(base: string, taskBody: string): Promise<Exchange> {
  for (let taken = 0; taken <= MAX_TAKEN; taken++) {
    const created = await post(base, taskBody);
    if (created.status !== 201 || !created.location) {
      throw new Error(`POST ${base}/tasks answered ${created.status}: ${created.body}`);
    }
    const running = await move(base, created.location, "running");
    if (running.status === 409) continue;
    const completed = await move(base, created.location, "completed");
    if (running.status !== 200 || completed.status !== 200) {
      throw new Error(
        `PATCH ${base}${created.location} answered ${running.status} then ${completed.status}`,
      );
    }
    return created;
  }
  throw new Error(
    `${base}: a runner took each of ${MAX_TAKEN + 1} new tasks before the benchmark could`,
  );
}

/** The requests the benchmark sends, as the server at `base` answers them; masked. */
export async function contractOf(base: string, taskBody: string): Promise<string[]> {
  const created = await post(base, taskBody);
  const settled = await settledTask(base, taskBody);
  const read = await exchange(`${base}${settled.location}`);
  const answers = [
    await exchange(`${base}/health`),
    await exchange(`${base}/ready`),
    created,
    read,
  ];
  return answers.map(
    (a) =>
      `${a.status} ${a.contentType} location=${a.location === null ? "-" : mask(a.location)} ${mask(a.body)}`,
  );
}

const NAMES = ["GET /health", "GET /ready", "POST /tasks", "GET /tasks/:id"];

/** One line per difference from the reference's answers; empty when identical. */
export function contractDifferences(reference: string[], other: string[]): string[] {
  return NAMES.flatMap((name, i) =>
    reference[i] === other[i] ? [] : [`${name}: expected ${reference[i]}, got ${other[i]}`],
  );
}
