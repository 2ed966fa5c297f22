/**
 * The benchmark's figures: per-round ratios and their medians, the targets with their
 * verdicts, and the results as Markdown (shown by the README), JSON (for tools) and an
 * SVG chart of the per-round ratios.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const ENDPOINTS = ["health", "post", "get"] as const;
export type Endpoint = (typeof ENDPOINTS)[number];
export const ENDPOINT_NAMES: Record<Endpoint, string> = {
  health: "GET /health",
  post: "POST /tasks",
  get: "GET /tasks/:id",
};

/** A round's figures for the server's core to count as the bottleneck. */
export const BUSY_MIN = 0.9;

export const TARGETS = {
  /** The agent against the plain Fastify peer, on each endpoint. */
  fastifyRatio: 0.9,
  /** The agent against FastAPI + uvicorn, on each endpoint. */
  fastapiRatio: 5,
  startupMs: 250,
  /** Peak RSS against the plain Fastify peer's. */
  rssRatio: 1.2,
};

export interface Run {
  requests: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  failures: number;
  /** Share of one core the server used during the run (null: no /proc to tell). */
  busy: number | null;
}

export interface TargetResult {
  key: string;
  name: string;
  /** What it is measured against (an ablation), or null for a target held to the targets. */
  against: string | null;
  startupMs: number[];
  peakRssMb: number | null;
  runs: Record<Endpoint, Run[]>;
}

export interface BenchResults {
  date: string;
  node: string;
  loadGenerator: "wrk" | "autocannon";
  clientBound: boolean;
  pinned: boolean;
  rounds: number;
  durationS: number;
  warmupS: number;
  connections: number;
  loadAverage: { before: number | null; after: number | null };
  /** CPUs the machine has: a load average above it means other work was waiting too. */
  cpus: number;
  notes: string[];
  /** Spawn to exit of an empty Node script on the server's core: the floor under start-up. */
  nodeAloneMs: number[];
  /** Spawn to the first 200 on /ready of a one-route Fastify app: the floor for any Fastify service. */
  fastifyAloneMs: number[];
  targets: TargetResult[];
}

export const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

const busyEnough = (run: Run) => run.busy !== null && run.busy >= BUSY_MIN;

export interface Ratio {
  /** Per round: a's requests/s over b's, and whether both servers' cores were busy enough. */
  rounds: { ratio: number; valid: boolean }[];
  /** Median over the valid rounds (null when none is). */
  median: number | null;
  low: number | null;
  high: number | null;
  /** Median over every round, valid or not: for a look only. */
  medianAll: number;
  validRounds: number;
  /** Enough valid rounds (at least half) for the median to stand. */
  stands: boolean;
}

export function ratio(a: Run[], b: Run[]): Ratio {
  const rounds = a.map((run, i) => ({
    ratio: run.rps / b[i]!.rps,
    valid: busyEnough(run) && busyEnough(b[i]!),
  }));
  const valid = rounds.filter((r) => r.valid).map((r) => r.ratio);
  return {
    rounds,
    median: valid.length ? median(valid) : null,
    low: valid.length ? Math.min(...valid) : null,
    high: valid.length ? Math.max(...valid) : null,
    medianAll: median(rounds.map((r) => r.ratio)),
    validRounds: valid.length,
    stands: valid.length > 0 && valid.length >= Math.ceil(rounds.length / 2),
  };
}

export type Verdict = "met" | "MISSED" | "VOID";

export interface Check {
  what: string;
  shown: string;
  verdict: Verdict;
}

const x = (v: number) => `${v.toFixed(2)}x`;

function showRatio(r: Ratio): string {
  if (!r.stands) {
    return `void: core busy in ${r.validRounds} of ${r.rounds.length} rounds (all rounds: ${x(r.medianAll)})`;
  }
  return `${x(r.median!)} (${x(r.low!)} to ${x(r.high!)}, ${r.validRounds} of ${r.rounds.length} rounds)`;
}

function ratioCheck(what: string, r: Ratio, min: number): Check {
  const verdict: Verdict = !r.stands ? "VOID" : r.median! >= min ? "met" : "MISSED";
  return { what: `${what} >= ${min}x`, shown: showRatio(r), verdict };
}

export interface Analysis {
  pairs: { a: string; b: string; endpoint: Endpoint; ratio: Ratio }[];
  checks: Check[];
}

export function analyse(results: BenchResults): Analysis {
  const byKey = new Map(results.targets.map((t) => [t.key, t]));
  const agent = byKey.get("agent")!;
  const pairs: Analysis["pairs"] = [];
  const compare = (a: TargetResult, b: TargetResult | undefined) => {
    if (!b) return;
    for (const endpoint of ENDPOINTS) {
      pairs.push({
        a: a.key,
        b: b.key,
        endpoint,
        ratio: ratio(a.runs[endpoint], b.runs[endpoint]),
      });
    }
  };
  compare(agent, byKey.get("fastify"));
  compare(agent, byKey.get("fastapi"));
  compare(agent, byKey.get("node"));
  const fastify = byKey.get("fastify");
  const bare = byKey.get("node");
  if (fastify) compare(fastify, byKey.get("node"));
  for (const t of results.targets) if (t.against) compare(t, byKey.get(t.against));
  // What the agent costs beyond its per-request features: the rest of the service.
  compare(agent, byKey.get("fastify-features"));

  const checks: Check[] = [];
  const pair = (b: string, endpoint: Endpoint) =>
    pairs.find((p) => p.a === "agent" && p.b === b && p.endpoint === endpoint)?.ratio;
  for (const [peer, min, label] of [
    ["fastify", TARGETS.fastifyRatio, "plain Fastify"],
    ["fastapi", TARGETS.fastapiRatio, "FastAPI"],
  ] as const) {
    for (const endpoint of ENDPOINTS) {
      const r = pair(peer, endpoint);
      const what = `agent vs ${label}, ${ENDPOINT_NAMES[endpoint]}`;
      checks.push(
        r
          ? ratioCheck(what, r, min)
          : { what: `${what} >= ${min}x`, shown: "not measured (no peer)", verdict: "VOID" },
      );
    }
  }
  const startup = median(agent.startupMs);
  const load = results.loadAverage.before;
  // Start-up has no busy check of its own: on a machine with work waiting, it is void.
  const crowded = load !== null && load > results.cpus;
  checks.push({
    what: `agent start-up to ready (median of ${agent.startupMs.length}) <= ${TARGETS.startupMs} ms`,
    shown: `${startup.toFixed(0)} ms (${Math.min(...agent.startupMs).toFixed(0)} to ${Math.max(...agent.startupMs).toFixed(0)}; Node alone ${median(results.nodeAloneMs).toFixed(0)} ms, a one-route Fastify app ${median(results.fastifyAloneMs).toFixed(0)} ms${bare ? `, bare node:http ${median(bare.startupMs).toFixed(0)} ms` : ""}${fastify ? `, plain Fastify ${median(fastify.startupMs).toFixed(0)} ms` : ""})${crowded ? `, void: load average ${load} on ${results.cpus} CPUs` : ""}`,
    verdict: crowded ? "VOID" : startup <= TARGETS.startupMs ? "met" : "MISSED",
  });
  const fastifyRss = fastify?.peakRssMb;
  if (agent.peakRssMb !== null && fastifyRss) {
    const rss = agent.peakRssMb / fastifyRss;
    checks.push({
      what: `agent peak RSS vs plain Fastify <= ${TARGETS.rssRatio}x`,
      shown: `${x(rss)} (${agent.peakRssMb.toFixed(1)} MB vs ${fastifyRss.toFixed(1)} MB)`,
      verdict: rss <= TARGETS.rssRatio ? "met" : "MISSED",
    });
  } else {
    checks.push({
      what: `agent peak RSS vs plain Fastify <= ${TARGETS.rssRatio}x`,
      shown: "not measured (no /proc)",
      verdict: "VOID",
    });
  }
  return { pairs, checks };
}

/** A Markdown table, padded as the formatter (biome) lays it out: the first column left. */
function markdownTable(rows: string[][]): string {
  const [head, ...body] = rows;
  const widths = head!.map((_, col) => Math.max(3, ...rows.map((row) => row[col]!.length)));
  const line = (row: string[]) =>
    `| ${row.map((cell, col) => (col === 0 ? cell.padEnd(widths[col]!) : cell.padStart(widths[col]!))).join(" | ")} |`;
  const rule = `| ${widths.map((w, col) => (col === 0 ? "-".repeat(w) : `${"-".repeat(w - 1)}:`)).join(" | ")} |`;
  return [line(head!), rule, ...body.map(line)].join("\n");
}

export function methodParagraph(results: BenchResults): string {
  return `Method: each server runs alone in its own process${results.pinned ? " pinned to CPU 0 (taskset), with the load generator pinned to CPU 1" : " (not pinned: no taskset)"}, on loopback; load comes from ${results.loadGenerator === "wrk" ? "wrk (one thread" : "autocannon (client-bound figures: in the benchmark's process"}, ${results.connections} keep-alive connections). Every target serves the same contract and the run first checks that their answers are the same bytes (ids, times and uptime aside); GET /tasks/:id reads a task the run moved to completed through PATCH, so no runner changes it and every target serializes the same task. The targets run in ${results.rounds} round(s), in turn, forwards in even rounds and backwards in odd ones, so a drift in the machine's speed touches all of them alike; in each round every target is started afresh and alone (no other server is running), warmed up for ${results.warmupS} s per endpoint, run for ${results.durationS} s per endpoint and stopped, because two processes of the same server can settle several percent apart and each round should show a process of its own. A ratio is the median of the per-round ratios of requests per second; a round counts only when both servers' cores were at least ${BUSY_MIN * 100}% busy during their runs (user + system CPU time from /proc/<pid>/stat over wall time), which shows the server, not the client or another process, was the bottleneck; a figure with fewer than half its rounds counting is void. p50 and p99 are the load generator's latency percentiles (median over rounds). Start-up is spawn to the first 200 on /ready, shown beside Node alone (spawn to exit of an empty script), the floor under any Node server's start-up, a one-route Fastify app with no logger (bench/peers/fastify-minimal.ts), the floor under any Fastify service's, and the peers' (every target runs as JavaScript: the TypeScript peers compiled by tsc, as the agent is); peak RSS is the process's VmHWM after 2 s of /health load on a fresh process.`;
}

export function markdown(results: BenchResults, analysis: Analysis): string {
  const names = new Map(results.targets.map((t) => [t.key, t.name]));
  const perTarget = [
    [
      "target",
      ...ENDPOINTS.map((e) => `${ENDPOINT_NAMES[e]} req/s (p50 / p99 ms)`),
      "core busy (rounds >= 90%)",
      "start-up ms",
      "peak RSS MB",
    ],
  ];
  for (const t of results.targets) {
    const all = ENDPOINTS.flatMap((e) => t.runs[e]);
    const busy = all.map((r) => r.busy ?? 0);
    perTarget.push([
      t.name,
      ...ENDPOINTS.map((e) => {
        const runs = t.runs[e];
        return `${median(runs.map((r) => r.rps)).toFixed(0)} (${median(runs.map((r) => r.p50Ms)).toFixed(2)} / ${median(runs.map((r) => r.p99Ms)).toFixed(2)})`;
      }),
      `${(median(busy) * 100).toFixed(0)}% (${all.filter(busyEnough).length} of ${all.length})`,
      median(t.startupMs).toFixed(0),
      t.peakRssMb === null ? "-" : t.peakRssMb.toFixed(1),
    ]);
  }
  const ratios = [["", ...ENDPOINTS.map((e) => ENDPOINT_NAMES[e])]];
  const seen = new Set<string>();
  for (const p of analysis.pairs) {
    const id = `${p.a}/${p.b}`;
    if (seen.has(id)) continue;
    seen.add(id);
    ratios.push([
      `${names.get(p.a)} / ${names.get(p.b)}`,
      ...ENDPOINTS.map((e) =>
        showRatio(
          analysis.pairs.find((q) => q.a === p.a && q.b === p.b && q.endpoint === e)!.ratio,
        ),
      ),
    ]);
  }
  const checks = [["target", "measured", "verdict"]];
  for (const c of analysis.checks) checks.push([c.what, c.shown, c.verdict]);
  const load = `load average ${results.loadAverage.before ?? "?"} before, ${results.loadAverage.after ?? "?"} after, ${results.cpus} CPUs`;
  return [
    `Measured ${results.date.slice(0, 16).replace("T", " ")} UTC, Node ${results.node}, ${load}.`,
    ...results.notes.map((n) => `Note: ${n}`),
    "",
    markdownTable(checks),
    "",
    summary(analysis.checks),
    "",
    "Throughput ratios (medians of per-round ratios, their range, and the rounds that count):",
    "",
    markdownTable(ratios),
    "",
    markdownTable(perTarget),
    "",
    methodParagraph(results),
    "",
  ].join("\n");
}

/** One line: whether every target was met, which were missed, and whether any is void. */
export function summary(checks: Check[]): string {
  const missed = checks.filter((c) => c.verdict === "MISSED").length;
  const void_ = checks.filter((c) => c.verdict === "VOID").length;
  if (missed === 0 && void_ === 0) return "All targets met.";
  const parts = [];
  if (missed > 0) parts.push(`${missed} of ${checks.length} targets missed`);
  if (void_ > 0) {
    parts.push(
      `${void_} of ${checks.length} figures void: the server was not the bottleneck (another process had its core) or the machine was busy; take them on a quiet machine`,
    );
  }
  return `${parts.join("; ")}.`;
}

/** Per-round ratios of the agent against plain Fastify and bare node:http, per endpoint. */
export function svg(analysis: Analysis): string {
  const series = [
    { b: "fastify", label: "agent / plain Fastify", color: "#1f6feb" },
    { b: "node", label: "agent / node:http", color: "#d4731a" },
  ];
  const points = series.flatMap((s) =>
    analysis.pairs.filter((p) => p.a === "agent" && p.b === s.b).map((p) => ({ ...p, s })),
  );
  const all = points.flatMap((p) => p.ratio.rounds.map((r) => r.ratio));
  const top = Math.max(1.2, ...all) * 1.05;
  const [w, h, left, bottom, topPad] = [640, 320, 48, 40, 36];
  const y = (v: number) => topPad + (h - topPad - bottom) * (1 - v / top);
  const groupW = (w - left - 10) / ENDPOINTS.length;
  const parts: string[] = [];
  for (let t = 0; t <= top; t += 0.2) {
    parts.push(
      `<line x1="${left}" x2="${w - 10}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" stroke="#ddd"/>`,
      `<text x="${left - 6}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end">${t.toFixed(1)}</text>`,
    );
  }
  parts.push(
    `<line x1="${left}" x2="${w - 10}" y1="${y(TARGETS.fastifyRatio).toFixed(1)}" y2="${y(TARGETS.fastifyRatio).toFixed(1)}" stroke="#1f6feb" stroke-dasharray="4 3"/>`,
  );
  ENDPOINTS.forEach((endpoint, g) => {
    const x0 = left + g * groupW;
    parts.push(
      `<text x="${(x0 + groupW / 2).toFixed(1)}" y="${h - 14}" text-anchor="middle">${ENDPOINT_NAMES[endpoint]}</text>`,
    );
    series.forEach((s, si) => {
      const pair = points.find((p) => p.s === s && p.endpoint === endpoint);
      pair?.ratio.rounds.forEach((r, i) => {
        const cx =
          x0 + groupW * (0.15 + si * 0.4) + i * ((groupW * 0.3) / pair.ratio.rounds.length);
        const fill = r.valid ? s.color : "none";
        parts.push(
          `<circle cx="${cx.toFixed(1)}" cy="${y(r.ratio).toFixed(1)}" r="4" fill="${fill}" stroke="${s.color}"/>`,
        );
      });
    });
  });
  series.forEach((s, i) => {
    parts.push(
      `<circle cx="${left + 10 + i * 200}" cy="16" r="4" fill="${s.color}"/>`,
      `<text x="${left + 18 + i * 200}" y="20">${s.label}</text>`,
    );
  });
  parts.push(
    `<text x="${left + 400}" y="20">hollow: void round (core &lt; ${BUSY_MIN * 100}% busy)</text>`,
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="sans-serif" font-size="11" role="img">\n<title>Per-round throughput ratios of the agent against plain Fastify and node:http</title>\n<rect width="100%" height="100%" fill="#fff"/>\n${parts.join("\n")}\n</svg>\n`;
}

/**
 * Writes results.md, results.json and ratios.svg to `dir`; returns the Markdown. (The
 * results directory's biome.json keeps these generated files out of formatting and lint.)
 */
export function writeResults(results: BenchResults, dir: string): string {
  const analysis = analyse(results);
  const text = markdown(results, analysis);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "results.md"), text);
  writeFileSync(
    join(dir, "results.json"),
    `${JSON.stringify({ ...results, targetsToMeet: TARGETS, busyMin: BUSY_MIN, checks: analysis.checks, ratios: analysis.pairs.map((p) => ({ a: p.a, b: p.b, endpoint: p.endpoint, ...p.ratio })) }, null, 2)}\n`,
  );
  writeFileSync(join(dir, "ratios.svg"), svg(analysis));
  return text;
}
