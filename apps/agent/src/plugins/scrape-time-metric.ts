import type { Metric } from "prom-client";

/** One sample of a metric computed at scrape time (a histogram's buckets name themselves). */
export interface MetricValue {
  labels: Record<string, string>;
  value: number;
  metricName?: string;
}

/** A metric in the shape a prom-client Registry collects, computed at scrape time. */
export function scrapeTimeMetric(
  name: string,
  help: string,
  type: string,
  values: () => MetricValue[],
): Metric {
  return {
    name,
    help,
    type,
    aggregator: "sum",
    get: async () => ({ name, help, type, aggregator: "sum", values: values() }),
    reset: () => undefined,
  } as unknown as Metric;
}
