import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Metric, Registry } from "prom-client";

export interface Metrics {
  /** The registry behind GET /metrics, created on first use. */
  registry(): Promise<Registry>;
  /** Counts a finished request by method, route template and status, with its duration. */
  recordRequest(request: FastifyRequest, reply: FastifyReply): void;
  /**
   * Lets the routes registered on `app` from now on hand their template to recordRequest as
   * their handler starts (see routeTemplates); without it every request asks Fastify.
   */
  watchRoutes(app: FastifyInstance): void;
  /** Adds metrics of other parts (the tasks', the model agent's) to GET /metrics. */
  add(extra: Metric[]): void;
}

/** Seconds; from a cached answer to a slow database call. */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Routes not matched by any handler share one label so scanners cannot grow the series. */
const UNMATCHED = "unmatched";

/** Where a request that reached its route's handler keeps the route's template. */
const ROUTE_TEMPLATE = Symbol("metrics.routeTemplate");

type LabelledRequest = FastifyRequest & { [ROUTE_TEMPLATE]: string | null };

/**
 * Fastify's `request.routeOptions` builds a dozen-field object and asks the router about
 * its constraints on every read (about 1% of /health's instructions under callgrind);
 * instead each route's handler notes its template on the request as it starts. A request
 * that never reaches a handler (404, a body refused before validation passes, an onRequest
 * answer) asks routeOptions.
 */
function routeTemplates(app: FastifyInstance): void {
  // Declared up front, so every request object has the same shape from the start.
  app.decorateRequest(ROUTE_TEMPLATE, null);
  app.addHook("onRoute", (route) => {
    const { url, handler } = route;
    route.handler = function withRouteTemplate(this: FastifyInstance, request, reply) {
      (request as LabelledRequest)[ROUTE_TEMPLATE] = url;
      return handler.call(this, request, reply);
    };
  });
}

function routeTemplate(request: FastifyRequest): string {
  return (request as LabelledRequest)[ROUTE_TEMPLATE] ?? request.routeOptions.url ?? UNMATCHED;
}

interface Series {
  labels: { method: string; route: string; status_code: string };
  /** Observations per bucket (not cumulative); the last slot is +Inf. */
  buckets: Float64Array;
  sum: number;
  count: number;
}

interface MetricValue {
  labels: Record<string, string>;
  value: number;
  metricName?: string;
}

/**
 * Request count and duration by method, route template and status. prom-client's own
 * Histogram validates and hashes the labels on every observation, even through a bound
 * child; here a request costs three Map lookups and a few additions, and the work of
 * formatting moves to the scrape. The two metrics plug into a prom-client Registry.
 */
class RequestMetrics {
  readonly #series: Series[] = [];
  /**
   * Route template -> method -> status: the keys are strings the router and parser
   * reuse, so a lookup hashes nothing new (a combined key would be built and hashed
   * on every request).
   */
  readonly #index = new Map<string, Map<string, Map<number, Series>>>();

  observe(method: string, route: string, status: number, seconds: number): void {
    let byMethod = this.#index.get(route);
    if (!byMethod) {
      byMethod = new Map();
      this.#index.set(route, byMethod);
    }
    let byStatus = byMethod.get(method);
    if (!byStatus) {
      byStatus = new Map();
      byMethod.set(method, byStatus);
    }
    let series = byStatus.get(status);
    if (!series) {
      series = {
        labels: { method, route, status_code: String(status) },
        buckets: new Float64Array(BUCKETS.length + 1),
        sum: 0,
        count: 0,
      };
      byStatus.set(status, series);
      this.#series.push(series);
    }
    let bucket = 0;
    while (bucket < BUCKETS.length && seconds > BUCKETS[bucket]!) bucket++;
    series.buckets[bucket]! += 1;
    series.sum += seconds;
    series.count += 1;
  }

  reset(): void {
    this.#series.length = 0;
    this.#index.clear();
  }

  counter(name: string, help: string): Metric {
    return this.#metric(name, help, "counter", () =>
      this.#series.map((s) => ({ labels: s.labels, value: s.count })),
    );
  }

  histogram(name: string, help: string): Metric {
    return this.#metric(name, help, "histogram", () => {
      const values: MetricValue[] = [];
      for (const s of this.#series) {
        let cumulative = 0;
        for (let i = 0; i <= BUCKETS.length; i++) {
          cumulative += s.buckets[i]!;
          const le = i < BUCKETS.length ? String(BUCKETS[i]) : "+Inf";
          values.push({
            labels: { le, ...s.labels },
            value: cumulative,
            metricName: `${name}_bucket`,
          });
        }
        values.push({ labels: s.labels, value: s.sum, metricName: `${name}_sum` });
        values.push({ labels: s.labels, value: s.count, metricName: `${name}_count` });
      }
      return values;
    });
  }

  #metric(name: string, help: string, type: string, values: () => MetricValue[]): Metric {
    const metric = {
      name,
      help,
      type,
      aggregator: "sum",
      get: async () => ({ name, help, type, aggregator: "sum", values: values() }),
      reset: () => this.reset(),
    };
    return metric as unknown as Metric;
  }
}

/**
 * Prometheus metrics for GET /metrics: requests by method, route template and status
 * (count and duration histogram), what other parts add, and the process defaults (CPU, memory,
 * event loop lag, GC). Counting starts with the app; prom-client itself and its process
 * collectors are loaded on the first scrape, keeping them off the start-up path. Each app
 * gets its own registry, so several apps in one process (tests) do not collide.
 */
export function createMetrics(options: { version: string }): Metrics {
  const requests = new RequestMetrics();
  const added: Metric[] = [];

  let registry: Promise<Registry> | undefined;
  const createRegistry = async (): Promise<Registry> => {
    const { Registry, collectDefaultMetrics } = await import("prom-client");
    const created = new Registry();
    created.setDefaultLabels({ version: options.version });
    collectDefaultMetrics({ register: created });
    created.registerMetric(
      requests.counter(
        "http_requests_total",
        "HTTP requests answered, by method, route template and status code.",
      ),
    );
    created.registerMetric(
      requests.histogram(
        "http_request_duration_seconds",
        "Time from receiving a request to sending the response, by method, route template and status code.",
      ),
    );
    for (const metric of added) created.registerMetric(metric);
    return created;
  };

  return {
    recordRequest: (request, reply) =>
      requests.observe(
        request.method,
        routeTemplate(request),
        reply.statusCode,
        reply.elapsedTime / 1000,
      ),
    watchRoutes: routeTemplates,
    registry: () => {
      registry ??= createRegistry();
      return registry;
    },
    add: (extra) => {
      added.push(...extra);
      void registry?.then((created) => {
        for (const metric of extra) created.registerMetric(metric);
      });
    },
  };
}
