/**
 * Runs an Argo Rollouts AnalysisTemplate's Prometheus metrics the way the controller does:
 * `{{args.x}}` substituted in the whole metric, the query sent to Prometheus' HTTP API, the
 * result turned into `result` (a list of sample values for a vector, a number for a scalar),
 * and successCondition evaluated. The condition language here is the part of Argo's expr
 * that the template uses: `len(result)` and `result[N]` compared with numbers, `isNaN(...)`,
 * joined by `&&` or `||`; anything else throws, so a template change cannot pass unread.
 */
export interface AnalysisMetric {
  name: string;
  query: string;
  successCondition: string;
  failureLimit: number;
  count: number;
}

export function resolveArgs(text: string, args: Record<string, string>): string {
  return text.replace(/\{\{\s*args\.([\w-]+)\s*\}\}/g, (whole, name: string) => {
    const value = args[name];
    if (value === undefined) throw new Error(`${whole} has no value`);
    return value;
  });
}

/** The template's metrics with every argument resolved: defaults, then `given`. */
export function analysisMetrics(template: object, given: Record<string, string>): AnalysisMetric[] {
  const spec = (template as { spec?: unknown }).spec as {
    args?: { name: string; value?: string }[];
    metrics: {
      name: string;
      successCondition: string;
      failureLimit?: number;
      count?: number;
      provider: { prometheus?: { query: string } };
    }[];
  };
  const args: Record<string, string> = {};
  for (const arg of spec.args ?? []) if (arg.value !== undefined) args[arg.name] = arg.value;
  Object.assign(args, given);
  return spec.metrics.map((metric) => {
    const query = metric.provider.prometheus?.query;
    if (query === undefined) throw new Error(`metric ${metric.name} is not a Prometheus query`);
    return {
      name: metric.name,
      query: resolveArgs(query, args),
      successCondition: resolveArgs(metric.successCondition, args),
      failureLimit: metric.failureLimit ?? 0,
      count: metric.count ?? 1,
    };
  });
}

type Result = number | number[];

function operand(text: string, result: Result): number {
  const t = text.trim();
  if (/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(t)) return Number(t);
  if (t === "len(result)") {
    if (!Array.isArray(result)) throw new Error("len(result) of a scalar");
    return result.length;
  }
  const index = /^result\[(\d+)\]$/.exec(t);
  if (index) {
    if (!Array.isArray(result)) throw new Error("result[N] of a scalar");
    const value = result[Number(index[1])];
    // Argo fails a measurement whose condition reads past the end of the result.
    if (value === undefined) throw new Error(`${t} is out of range (result has ${result.length})`);
    return value;
  }
  if (t === "result" && !Array.isArray(result)) return result;
  throw new Error(`unsupported operand "${t}"`);
}

function clause(text: string, result: Result): boolean {
  const nan = /^isNaN\((.+)\)$/.exec(text.trim());
  if (nan) return Number.isNaN(operand(nan[1] as string, result));
  const comparison = /^(.+?)\s*(<=|>=|==|!=|<|>)\s*(.+)$/.exec(text.trim());
  if (!comparison) throw new Error(`unsupported condition "${text.trim()}"`);
  const left = operand(comparison[1] as string, result);
  const right = operand(comparison[3] as string, result);
  switch (comparison[2]) {
    case "<=":
      return left <= right;
    case ">=":
      return left >= right;
    case "<":
      return left < right;
    case ">":
      return left > right;
    case "==":
      return left === right;
    default:
      return left !== right;
  }
}

/** successCondition over `result`; like expr, `&&` and `||` stop at the first clause that decides. */
export function evaluateCondition(condition: string, result: Result): boolean {
  return condition
    .split("||")
    .some((alternative) => alternative.split("&&").every((part) => clause(part, result)));
}

/** GET /api/v1/query, as Argo Rollouts' Prometheus provider sends it. */
export async function queryPrometheus(address: string, query: string): Promise<Result> {
  const url = new URL("/api/v1/query", address);
  url.searchParams.set("query", query);
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  const body = (await response.json()) as {
    status: string;
    error?: string;
    data?: { resultType: string; result: unknown };
  };
  if (body.status !== "success" || !body.data) {
    throw new Error(`Prometheus refused the query (${body.error ?? response.status}): ${query}`);
  }
  if (body.data.resultType === "vector") {
    return (body.data.result as { value: [number, string] }[]).map((s) => Number(s.value[1]));
  }
  if (body.data.resultType === "scalar") return Number((body.data.result as [number, string])[1]);
  throw new Error(`unexpected ${body.data.resultType} result for ${query}`);
}

export interface Measurement {
  metric: string;
  value: Result;
  successful: boolean;
}

/** One measurement of a metric: its query's result and whether successCondition holds. */
export async function measure(address: string, metric: AnalysisMetric): Promise<Measurement> {
  const value = await queryPrometheus(address, metric.query);
  let successful: boolean;
  try {
    successful = evaluateCondition(metric.successCondition, value);
  } catch (error) {
    // An out-of-range index is an error measurement in Argo: it cannot pass either.
    if (!/out of range/.test((error as Error).message)) throw error;
    successful = false;
  }
  return { metric: metric.name, value, successful };
}
