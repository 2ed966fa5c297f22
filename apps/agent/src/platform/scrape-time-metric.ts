import type { Metric } from "prom-client";

/** One sample of a metric computed at scrape time (a histogram's buckets name themselves). */
export interface MetricValue {
  labels: Record<string, string>;
  value: number;
  metricName?: string;
}

/**
 * A metric in the shape a prom-client Registry collects, computed at scrape time; `reset`
 * is what Registry.resetMetrics() does to it (nothing, unless given).
 */
export function scrapeTimeMetric(
  name: string,
  help: string,
  type: string,
  values: () => MetricValue[],
  reset: () => void = () => undefined,
): Metric {
  return {
    name,
    help,
    type,
    aggregator: "sum",
    get: async () => ({ name, help, type, aggregator: "sum", values: values() }),
    reset,
  } as unknown as Metric;
}
