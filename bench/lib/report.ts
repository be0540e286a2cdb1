import { writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import type { BundleSize } from "./bundle";
import { config, type Mode } from "./config";
import { type Measurement, median } from "./load";
import type { Kind } from "./scenarios";

export type PairResult = {
  /** Without (`off`) or with wrangler dev's DevTools inspector. */
  mode: Mode;
  name: string;
  kind: Kind;
  floorRoute: string;
  service: Measurement;
  floor: Measurement;
  /**
   * Service req/s over floor req/s: the median of the per-round ratios, each
   * from two runs back to back, so slow drift in machine load cancels out.
   */
  ratio: number;
  roundRatios: number[];
  /** Floor CPU per request over the service's: the same question, asked of CPU time. */
  cpuRatio: number | null;
  target: number | null;
  meetsTarget: boolean | null;
  rounds: { service: Measurement[]; floor: Measurement[] };
};

const medianOrNull = (values: (number | null)[]) => {
  const known = values.filter((v): v is number => v !== null);
  return known.length === 0 ? null : median(known);
};

/** The median of each field over the rounds (each field on its own). */
export function medianOf(runs: Measurement[]): Measurement {
  const pick = (key: "rps" | "p50" | "p99" | "total") => median(runs.map((r) => r[key]));
  return {
    rps: pick("rps"),
    p50: pick("p50"),
    p99: pick("p99"),
    total: pick("total"),
    non2xx: runs.reduce((sum, r) => sum + r.non2xx, 0),
    statuses: runs.reduce<Record<string, number>>((all, r) => {
      for (const [status, count] of Object.entries(r.statuses))
        all[status] = (all[status] ?? 0) + count;
      return all;
    }, {}),
    errors: runs.reduce((sum, r) => sum + r.errors, 0),
    cpuPerRequestMs: medianOrNull(runs.map((r) => r.cpuPerRequestMs)),
  };
}

export function summarize(
  mode: Mode,
  name: string,
  kind: Kind,
  floorRoute: string,
  service: Measurement[],
  floor: Measurement[],
): PairResult {
  const s = medianOf(service);
  const f = medianOf(floor);
  const roundRatios = service.map((run, i) => run.rps / (floor[i]?.rps ?? Number.NaN));
  const ratio = median(roundRatios);
  const targets = config.targets[mode];
  const target = kind === "read" ? targets.read : kind === "write" ? targets.write : null;
  return {
    mode,
    name,
    kind,
    floorRoute,
    service: s,
    floor: f,
    ratio,
    roundRatios,
    cpuRatio:
      s.cpuPerRequestMs && f.cpuPerRequestMs !== null
        ? f.cpuPerRequestMs / s.cpuPerRequestMs
        : null,
    target,
    meetsTarget: target === null ? null : ratio >= target,
    rounds: { service, floor },
  };
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const fixed = (n: number, digits = 0) => n.toFixed(digits);

/** Rows as aligned columns, the first left-aligned; `rule`: a line of dashes under the header. */
export function table(rows: string[][], { rule = true } = {}): string {
  const widths =
    rows[0]?.map((_, col) => Math.max(...rows.map((r) => (r[col] ?? "").length))) ?? [];
  const line = (r: string[]) =>
    r
      .map((cell, col) =>
        col === 0 ? cell.padEnd(widths[col] ?? 0) : cell.padStart(widths[col] ?? 0),
      )
      .join("  ");
  const [head, ...body] = rows;
  const under = rule ? [widths.map((w) => "-".repeat(w)).join("  ")] : [];
  return [line(head ?? []), ...under, ...body.map(line)].join("\n");
}

const cpu = (ms: number | null) => (ms === null ? "-" : fixed(ms, 1));

const MODE_TITLES: Record<Mode, string> = {
  off: "inspector off (the headline: closer to a deployed worker)",
  on: "inspector on (wrangler dev's DevTools inspector reports every D1 call)",
};

const verdict = (r: PairResult) => (r.meetsTarget === null ? "" : r.meetsTarget ? "ok" : "BELOW");

function modeTable(results: PairResult[]): string {
  return table([
    [
      "endpoint",
      "req/s",
      "p50",
      "p99",
      "cpu",
      "floor route",
      "req/s",
      "p50",
      "p99",
      "cpu",
      "ratio",
      "per round",
      "cpu ratio",
      "target",
      "",
    ],
    ...results.map((r) => [
      r.name,
      fixed(r.service.rps),
      fixed(r.service.p50),
      fixed(r.service.p99),
      cpu(r.service.cpuPerRequestMs),
      r.floorRoute,
      fixed(r.floor.rps),
      fixed(r.floor.p50),
      fixed(r.floor.p99),
      cpu(r.floor.cpuPerRequestMs),
      `${fixed(r.ratio, 2)}x`,
      r.roundRatios.map((x) => fixed(x, 2)).join(" "),
      r.cpuRatio === null ? "-" : `${fixed(r.cpuRatio, 2)}x`,
      r.target === null ? "" : `>=${r.target}`,
      verdict(r),
    ]),
  ]);
}

/** Both modes side by side: ratio, then service / floor CPU ms per request. */
function summaryTable(results: PairResult[]): string {
  const modes = config.modes;
  const names = [...new Set(results.map((r) => r.name))];
  const cell = (name: string, mode: Mode) => {
    const r = results.find((x) => x.name === name && x.mode === mode);
    if (!r) return ["", "", ""];
    return [
      `${fixed(r.ratio, 2)}x`,
      `${cpu(r.service.cpuPerRequestMs)} / ${cpu(r.floor.cpuPerRequestMs)}`,
      r.target === null ? "" : `>=${r.target} ${verdict(r)}`,
    ];
  };
  return table([
    ["endpoint", ...modes.flatMap((m) => [`ratio (${m})`, "cpu ms svc / floor", "target"])],
    ...names.map((name) => [name, ...modes.flatMap((m) => cell(name, m))]),
  ]);
}

export function printReport(results: PairResult[], bundle: BundleSize) {
  for (const mode of config.modes) {
    const own = results.filter((r) => r.mode === mode);
    if (own.length === 0) continue;
    console.log(`\n${MODE_TITLES[mode]}\n${modeTable(own)}`);
  }
  console.log(
    "\np50/p99 in ms; cpu = server CPU ms per request (wrangler + workerd processes);" +
      " ratio = median over rounds of service req/s / floor req/s (each round runs both back to back);" +
      " cpu ratio = floor cpu / service cpu.",
  );
  console.log(`\nsummary\n${summaryTable(results)}`);
  const failed = results.filter(
    (r) => r.service.non2xx + r.service.errors + r.floor.non2xx + r.floor.errors > 0,
  );
  for (const r of failed) {
    const side = (m: Measurement) =>
      `${m.non2xx} non-2xx ${JSON.stringify(m.statuses)}, ${m.errors} socket errors/timeouts`;
    console.log(
      `warning: ${r.name} (inspector ${r.mode}): service ${side(r.service)}; floor ${side(r.floor)}`,
    );
  }
  const withinLimit = bundle.gzipBytes / 1024 <= config.bundleGzipLimitKiB;
  console.log(
    `\nbundle (${bundle.files.join(", ")}): ${kib(bundle.rawBytes)} raw, ${kib(bundle.gzipBytes)} gzip` +
      ` (target <= ${config.bundleGzipLimitKiB} KiB gzip: ${withinLimit ? "ok" : "ABOVE"})`,
  );
  console.log(
    `\n${config.connections} connections, ${config.duration} s per run after ${config.warmup} s warm-up,` +
      ` ${config.rounds} rounds per pair alternating service and floor; req/s, latency and cpu are medians over rounds.`,
  );
}

/** `complete` false: written after a pair, while the run goes on (or after it failed). */
export function writeResults(results: PairResult[], bundle: BundleSize, complete: boolean) {
  const doc = {
    date: new Date().toISOString(),
    complete,
    machine: { cpus: cpus().length, node: process.version, loadavg: loadavg() },
    settings: {
      connections: config.connections,
      durationSeconds: config.duration,
      warmupSeconds: config.warmup,
      rounds: config.rounds,
      modes: config.modes,
      queueConsumer: config.queueConsumer,
      service: config.service.config,
      seed: config.seed,
      targets: config.targets,
    },
    bundle: { ...bundle, gzipLimitKiB: config.bundleGzipLimitKiB },
    endpoints: results,
  };
  writeFileSync(config.results, `${JSON.stringify(doc, null, 2)}\n`);
}
