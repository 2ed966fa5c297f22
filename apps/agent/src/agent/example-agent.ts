import { createHash } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { truncate } from "../platform/text.ts";
import type { Task } from "../tasks/store.ts";
import type { Agent, RunContext } from "./types.ts";

export interface ExampleAgentOptions {
  /** Pretend work: how long each run takes, so a task is seen `running` (0: no wait). */
  delayMs: number;
}

export interface TextAnalysis {
  summary: string;
  keywords: string[];
  word_count: number;
  sentence_count: number;
  character_count: number;
  reading_time_s: number;
  /** Same input, same fingerprint: shows that the output is a pure function of the task. */
  fingerprint: string;
}

const STOP_WORDS = new Set(
  (
    "a about above after again all also am an and any are as at be because been before being " +
    "below between both but by can could did do does doing down during each few for from " +
    "further had has have having he her here hers him his how i if in into is it its itself " +
    "just me more most my no nor not now of off on once only or other our ours out over own " +
    "same she should so some such than that the their theirs them then there these they this " +
    "those through to too under until up very was we were what when where which while who whom " +
    "why will with would you your yours"
  ).split(" "),
);

const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}]+)*/gu;
const SUMMARY_LENGTH = 160;
const WORDS_PER_MINUTE = 200;

function firstSentence(text: string): string {
  const match = /^[\s\S]*?[.!?](?=\s|$)/.exec(text.trim());
  const sentence = (match ? match[0] : text).replace(/\s+/g, " ").trim();
  return truncate(sentence, SUMMARY_LENGTH);
}

/** A small deterministic text analysis of the task's title and description. */
export function analyse(task: Pick<Task, "title" | "description">): TextAnalysis {
  const text = task.description ? `${task.title}. ${task.description}` : task.title;
  const words = (text.match(WORD) ?? []).map((word) => word.toLowerCase());
  const counts = new Map<string, number>();
  for (const word of words) {
    if (word.length >= 3 && !STOP_WORDS.has(word)) counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  const keywords = [...counts]
    .sort(([a, m], [b, n]) => n - m || (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, 5)
    .map(([word]) => word);
  const sentences = text.split(/[.!?]+(?:\s+|$)/).filter((part) => /[\p{L}\p{N}]/u.test(part));
  return {
    summary: firstSentence(task.description || task.title),
    keywords,
    word_count: words.length,
    sentence_count: sentences.length,
    character_count: [...text].length,
    reading_time_s: Math.ceil((words.length / WORDS_PER_MINUTE) * 60),
    fingerprint: createHash("sha256")
      .update(JSON.stringify([task.title, task.description ?? null]))
      .digest("hex")
      .slice(0, 16),
  };
}

/**
 * The built-in agent: works offline and needs no keys, so a fresh checkout shows tasks moving
 * from created through running to completed. Its result depends only on the task's text.
 */
export class ExampleAgent implements Agent {
  readonly #delayMs: number;

  constructor(options: ExampleAgentOptions) {
    this.#delayMs = options.delayMs;
  }

  async run(task: Readonly<Task>, { signal }: RunContext): Promise<TextAnalysis> {
    // Rejects as soon as the runner aborts (timeout, shutdown), as real work should.
    if (this.#delayMs > 0) await sleep(this.#delayMs, undefined, { signal });
    signal.throwIfAborted();
    return analyse(task);
  }
}
