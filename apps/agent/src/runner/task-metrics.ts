import type { Metric } from "prom-client";
import { type MetricValue, scrapeTimeMetric } from "../platform/scrape-time-metric.ts";
import type { TaskStatus } from "../tasks/store.ts";
import type { RunnerMetrics, RunOutcome } from "./runner.ts";

/** Seconds: agent runs take from milliseconds (the example) to minutes (model calls, tools). */
const RUN_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

/**
 * What this process did to tasks: tasks created, status changes it made (API and runner), runs by how they
 * ended with their durations, retries scheduled, and runs in progress. Counting costs a few
 * additions; prom-client only sees the totals when /metrics is scraped.
 */
export class TaskMetrics implements RunnerMetrics {
  readonly #statusChanges = new Map<TaskStatus, number>();
  #created = 0;
  readonly #runs = new Map<RunOutcome, { buckets: number[]; sum: number; count: number }>();
  #retries = 0;
  #running = 0;

  /** POST /tasks created one. */
  created(): void {
    this.#created += 1;
    this.statusChanged("created");
  }

  statusChanged(status: TaskStatus): void {
    this.#statusChanges.set(status, (this.#statusChanges.get(status) ?? 0) + 1);
  }

  runStarted(): void {
    this.#running += 1;
    this.statusChanged("running");
  }

  runFinished(outcome: RunOutcome, seconds: number): void {
    this.#running -= 1;
    let series = this.#runs.get(outcome);
    if (!series) {
      series = { buckets: new Array(RUN_BUCKETS.length + 1).fill(0), sum: 0, count: 0 };
      this.#runs.set(outcome, series);
    }
    let bucket = 0;
    while (bucket < RUN_BUCKETS.length && seconds > RUN_BUCKETS[bucket]!) bucket++;
    series.buckets[bucket]! += 1;
    series.sum += seconds;
    series.count += 1;
    if (outcome === "completed" || outcome === "failed") this.statusChanged(outcome);
    if (outcome === "retried" || outcome === "released") this.statusChanged("created");
    if (outcome === "retried") this.#retries += 1;
  }

  metrics(): Metric[] {
    return [
      scrapeTimeMetric(
        "tasks_created_total",
        "Tasks created through POST /tasks.",
        "counter",
        () => [{ labels: {}, value: this.#created }],
        () => {
          this.#created = 0;
        },
      ),
      scrapeTimeMetric(
        "task_status_changes_total",
        "Tasks this process moved into each status: created (POST, a retry, a release), running, completed, failed.",
        "counter",
        () => [...this.#statusChanges].map(([status, value]) => ({ labels: { status }, value })),
      ),
      scrapeTimeMetric(
        "task_run_duration_seconds",
        "Agent runs in this process by how they ended (completed, failed, retried, released, lost), with their durations.",
        "histogram",
        () => this.#runValues(),
      ),
      scrapeTimeMetric(
        "task_retries_total",
        "Failed runs this process scheduled to be retried.",
        "counter",
        () => [{ labels: {}, value: this.#retries }],
      ),
      scrapeTimeMetric("tasks_running", "Agent runs in progress in this process.", "gauge", () => [
        { labels: {}, value: this.#running },
      ]),
    ];
  }

  #runValues(): MetricValue[] {
    const name = "task_run_duration_seconds";
    const values: MetricValue[] = [];
    for (const [outcome, series] of this.#runs) {
      let cumulative = 0;
      for (let i = 0; i <= RUN_BUCKETS.length; i++) {
        cumulative += series.buckets[i]!;
        const le = i < RUN_BUCKETS.length ? String(RUN_BUCKETS[i]) : "+Inf";
        values.push({ labels: { le, outcome }, value: cumulative, metricName: `${name}_bucket` });
      }
      values.push({ labels: { outcome }, value: series.sum, metricName: `${name}_sum` });
      values.push({ labels: { outcome }, value: series.count, metricName: `${name}_count` });
    }
    return values;
  }
}
