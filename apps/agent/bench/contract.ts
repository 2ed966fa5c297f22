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

/** Where the runner has moved a task on, the status and what the run produced. */
const PROGRESS = /"status":"\w+","attempts":\d+,"result":.*?,"error":/;

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

/** The requests the benchmark sends, as the server at `base` answers them; masked. */
export async function contractOf(base: string, taskBody: string): Promise<string[]> {
  const created = await exchange(`${base}/tasks`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: taskBody,
  });
  const read = await exchange(`${base}${created.location ?? "/tasks/missing"}`);
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

/**
 * One line per difference from the reference's answers; empty when identical. With a
 * runner (`runner`), the task read back may have moved on by then (running, or completed
 * with the agent's result): its progress is left out of that one comparison.
 */
export function contractDifferences(
  reference: string[],
  other: string[],
  runner: boolean,
): string[] {
  const seen = (answers: string[], i: number) =>
    runner && i === 3 ? answers[i]!.replace(PROGRESS, '"status":<progress>,"error":') : answers[i];
  return NAMES.flatMap((name, i) =>
    seen(reference, i) === seen(other, i)
      ? []
      : [`${name}: expected ${reference[i]}, got ${other[i]}`],
  );
}
