/**
 * The metric names a PromQL expression reads, found without a full PromQL parser: strings,
 * label matchers and durations are skipped, words before `(` are functions or aggregations,
 * and the label lists of by/without/on/ignoring/group_left/group_right are not metrics.
 * Argo Rollouts placeholders (`{{args.x}}`) are read as numbers.
 */
const KEYWORDS = new Set(["and", "or", "unless", "bool", "offset", "inf", "nan", "atan2"]);
const LABEL_LISTS = new Set(["by", "without", "on", "ignoring", "group_left", "group_right"]);
/** Aggregations may put their grouping first: `sum by (le) (...)`. */
const AGGREGATIONS = new Set([
  "sum",
  "min",
  "max",
  "avg",
  "group",
  "stddev",
  "stdvar",
  "count",
  "count_values",
  "bottomk",
  "topk",
  "quantile",
  "limitk",
  "limit_ratio",
]);

export function promqlMetricNames(query: string): string[] {
  const source = query.replace(/\{\{[^}]*\}\}/g, "0");
  const names = new Set<string>();
  let i = 0;
  const skipQuoted = (quote: string) => {
    i++;
    while (i < source.length && source[i] !== quote) i += source[i] === "\\" ? 2 : 1;
    i++;
  };
  const skipBlock = (open: string, close: string, inside?: (text: string) => void) => {
    const start = i;
    let depth = 0;
    while (i < source.length) {
      const c = source.charAt(i);
      if (c === '"' || c === "'" || c === "`") {
        skipQuoted(c);
        continue;
      }
      if (c === open) depth++;
      else if (c === close && --depth === 0) break;
      i++;
    }
    inside?.(source.slice(start + 1, i));
    i++;
  };
  while (i < source.length) {
    const c = source.charAt(i);
    if (c === '"' || c === "'" || c === "`") {
      skipQuoted(c);
    } else if (c === "#") {
      while (i < source.length && source[i] !== "\n") i++;
    } else if (c === "{") {
      // A selector without a metric name may still give one: {__name__="x"}.
      skipBlock("{", "}", (matchers) => {
        for (const m of matchers.matchAll(/__name__\s*=\s*"([^"]+)"/g)) names.add(m[1] as string);
      });
    } else if (c === "[") {
      skipBlock("[", "]");
    } else if (/[A-Za-z_:]/.test(c)) {
      const word = /^[A-Za-z_:][A-Za-z0-9_:]*/.exec(source.slice(i))?.[0] ?? c;
      i += word.length;
      const rest = source.slice(i);
      const call = /^\s*\(/.exec(rest);
      const grouped = AGGREGATIONS.has(word.toLowerCase()) && /^\s*(by|without)\b/i.test(rest);
      if (LABEL_LISTS.has(word.toLowerCase())) {
        if (call) {
          i += call[0].length - 1;
          skipBlock("(", ")");
        }
      } else if (!call && !grouped && !KEYWORDS.has(word.toLowerCase())) {
        names.add(word);
      }
    } else if (/[0-9.]/.test(c)) {
      // Numbers, durations after offset (5m) and hex/exponent forms.
      i += /^[0-9.]+([eE][+-]?[0-9]+)?[a-zA-Z]*/.exec(source.slice(i))?.[0].length || 1;
    } else {
      i++;
    }
  }
  return [...names];
}
