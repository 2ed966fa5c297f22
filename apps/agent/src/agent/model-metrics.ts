import type { Metric } from "prom-client";
import { type MetricValue, scrapeTimeMetric } from "../platform/scrape-time-metric.ts";

/** How one model call ended, as counted in model_call_duration_seconds. */
export type ModelCallOutcome =
  | "completed"
  | "rate_limited"
  | "refused"
  | "server_error"
  | "network_error"
  | "step_limit"
  | "aborted";

/** Seconds: a model call takes from a fraction of a second to minutes for long answers. */
const CALL_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300];

interface Histogram {
  labels: { model: string; outcome: string };
  buckets: number[];
  sum: number;
  count: number;
}

/**
 * Model usage of this process: tokens by model and direction (the basis of cost), and model
 * calls by outcome with their latency. Counted as plain additions, formatted at scrape time
 * like the task metrics.
 */
export class ModelMetrics {
  readonly #tokens = new Map<string, { model: string; type: string; value: number }>();
  readonly #calls = new Map<string, Histogram>();

  tokens(model: string, input: number | undefined, output: number | undefined): void {
    this.#addTokens(model, "input", input);
    this.#addTokens(model, "output", output);
  }

  #addTokens(model: string, type: "input" | "output", count: number | undefined): void {
    if (count === undefined || !(count > 0)) return;
    const key = `${model}\u0000${type}`;
    const series = this.#tokens.get(key) ?? { model, type, value: 0 };
    series.value += count;
    this.#tokens.set(key, series);
  }

  call(model: string, outcome: ModelCallOutcome, seconds: number): void {
    const key = `${model}\u0000${outcome}`;
    let series = this.#calls.get(key);
    if (!series) {
      series = {
        labels: { model, outcome },
        buckets: new Array(CALL_BUCKETS.length + 1).fill(0),
        sum: 0,
        count: 0,
      };
      this.#calls.set(key, series);
    }
    let bucket = 0;
    while (bucket < CALL_BUCKETS.length && seconds > CALL_BUCKETS[bucket]!) bucket++;
    series.buckets[bucket]! += 1;
    series.sum += seconds;
    series.count += 1;
  }

  metrics(): Metric[] {
    return [
      scrapeTimeMetric(
        "model_tokens_total",
        "Tokens the model endpoint reported for this process's calls, by model and type (input: prompt, output: completion).",
        "counter",
        () =>
          [...this.#tokens.values()].map(({ model, type, value }) => ({
            labels: { model, type },
            value,
          })),
      ),
      scrapeTimeMetric(
        "model_call_duration_seconds",
        "Model calls (one per agent run, tool steps included) by model and outcome (completed, rate_limited, refused, server_error, network_error, step_limit, aborted), with their durations.",
        "histogram",
        () => this.#callValues(),
      ),
    ];
  }

  #callValues(): MetricValue[] {
    const name = "model_call_duration_seconds";
    const values: MetricValue[] = [];
    for (const series of this.#calls.values()) {
      let cumulative = 0;
      for (let i = 0; i <= CALL_BUCKETS.length; i++) {
        cumulative += series.buckets[i]!;
        const le = i < CALL_BUCKETS.length ? String(CALL_BUCKETS[i]) : "+Inf";
        values.push({
          labels: { le, ...series.labels },
          value: cumulative,
          metricName: `${name}_bucket`,
        });
      }
      values.push({ labels: series.labels, value: series.sum, metricName: `${name}_sum` });
      values.push({ labels: series.labels, value: series.count, metricName: `${name}_count` });
    }
    return values;
  }
}
