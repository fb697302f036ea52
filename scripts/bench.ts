import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { SCENARIOS } from "./bench-target";

// `npm run bench`: wall time and peak memory of synth, median of RUNS runs each, next to
// the time node needs merely to load @cdktf/provider-aws from its package root. The
// ratio survives a noisy machine better than the absolute figures.
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const root = path.resolve(__dirname, "..");

interface Sample {
  ms: number;
  rssMb: number;
}

function measure(args: string[]): Sample {
  const started = process.hrtime.bigint();
  const res = spawnSync(process.execPath, args, { cwd: root, encoding: "utf8" });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (res.status !== 0) throw new Error(`bench run failed: ${res.stderr}`);
  const { maxRssKb } = JSON.parse(res.stdout.trim().split("\n").pop()!);
  return { ms, rssMb: maxRssKb / 1024 };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

// Rounds interleave the cases (one run of each per round), so that a busy machine weighs on every case alike:
// in sequence, a burst of load on another process skewed whichever case ran during it.
const cases: [string, string[]][] = [
  ["load @cdktf/provider-aws from its root (reference)", ["-e", "require('@cdktf/provider-aws'); console.log(JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS }))"]],
  ...Object.keys(SCENARIOS).map((name) => [`synth: ${name}`, ["-r", "./scripts/register.js", "scripts/bench-target.ts", name]] as [string, string[]]),
];
const samples = new Map<string, Sample[]>(cases.map(([name]) => [name, []]));
for (let round = 0; round < RUNS; round++) for (const [name, args] of cases) samples.get(name)!.push(measure(args));
const rows: [string, { ms: number; rssMb: number }][] = cases.map(([name]) => {
  const xs = samples.get(name)!;
  return [name, { ms: median(xs.map((x) => x.ms)), rssMb: median(xs.map((x) => x.rssMb)) }];
});
const rootLoad = rows[0][1];

const lines = [`median of ${RUNS} interleaved rounds, each run in a fresh node process (wall time includes node start-up and module loading)`, ""];
lines.push(`${"what".padEnd(58)} ${"wall ms".padStart(9)} ${"peak MB".padStart(9)} ${"x root load".padStart(12)}`);
for (const [name, r] of rows) {
  lines.push(`${name.padEnd(58)} ${r.ms.toFixed(0).padStart(9)} ${r.rssMb.toFixed(0).padStart(9)} ${(r.ms / rootLoad.ms).toFixed(2).padStart(12)}`);
}
const full = rows.find(([n]) => n.startsWith("synth: full app"))![1];
lines.push("", `target: full app <= 1000 ms and <= 250 MB: ${full.ms <= 1000 && full.rssMb <= 250 ? "met" : "NOT met"}`);
const one = rows.find(([n]) => n === "synth: 1 endpoint with KEDA and a canary rollout")![1];
const hundred = rows.find(([n]) => n === "synth: 100 endpoints with KEDA and canary rollouts")![1];
const ratios = samples.get("synth: 100 endpoints with KEDA and canary rollouts")!.map((x, i) => x.ms / samples.get("synth: 1 endpoint with KEDA and a canary rollout")![i].ms);
lines.push(
  `target: 100 endpoints with KEDA and rollouts <= 3x one: ${hundred.ms <= 3 * one.ms ? "met" : "NOT met"} (${(hundred.ms / one.ms).toFixed(2)}x of the medians; per round ${ratios.map((r) => r.toFixed(2)).join(", ")})`,
);

// BENCH_REVIEW=1: the offline review of every environment without a base and against
// BENCH_BASE_REF (default HEAD) synthesized in a worktree, converging the simulated states
// into a fresh cache, then again with them cached. Minutes each: BENCH_REVIEW_RUNS rounds
// (default 3) of the three, interleaved so that a loaded machine weighs on all modes alike.
if (process.env.BENCH_REVIEW === "1") {
  const ref = process.env.BENCH_BASE_REF ?? "HEAD";
  const reviewRuns = Number(process.env.BENCH_REVIEW_RUNS ?? 3);
  const review = (args: string[], stateCache: string) => {
    const started = Date.now();
    const res = spawnSync(process.execPath, ["-r", "./scripts/register.js", "scripts/review.ts", "--offline", "--out", path.join(os.tmpdir(), "bench-review.md"), ...args], {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, CDKTF_OUTDIR: path.join(os.tmpdir(), "bench-review.out"), ML_REVIEW_STATE_CACHE: stateCache },
    });
    if (res.status !== 0 && res.status !== 2) throw new Error(`review failed (exit ${res.status}): ${res.stderr}`);
    return { s: (Date.now() - started) / 1000, summary: res.stderr.trim().split("\n").pop() ?? "" };
  };
  const samples: { without: number[]; cold: number[]; warm: number[] } = { without: [], cold: [], warm: [] };
  const summaries: Record<string, string> = {};
  for (let i = 0; i < reviewRuns; i++) {
    const stateCache = fs.mkdtempSync(path.join(os.tmpdir(), "bench-states-"));
    try {
      for (const [mode, args] of [
        ["without", []],
        ["cold", ["--base-ref", ref]],
        ["warm", ["--base-ref", ref]],
      ] as const) {
        const r = review([...args], stateCache);
        samples[mode].push(r.s);
        summaries[mode] = r.summary;
      }
    } finally {
      fs.rmSync(stateCache, { recursive: true, force: true });
    }
  }
  const row = (label: string, mode: keyof typeof samples) =>
    `  ${label.padEnd(38)} ${median(samples[mode]).toFixed(1).padStart(7)} s   (${samples[mode].map((x) => x.toFixed(1)).join(", ")})   ${summaries[mode]}`;
  const verdict = (mode: "cold" | "warm") => {
    const ratios = samples[mode].map((x, i) => x / samples.without[i]);
    const m = median(samples[mode]);
    return `${median(ratios) <= 2 && m <= 180 ? "met" : "NOT met"} (${median(ratios).toFixed(2)}x, median of the per-round ratios ${ratios.map((r) => r.toFixed(2)).join(", ")})`;
  };
  lines.push(
    "",
    `offline review of every environment, median of ${reviewRuns} interleaved rounds (each run):`,
    row("without a base", "without"),
    row(`--base-ref ${ref} (converging)`, "cold"),
    row(`--base-ref ${ref} (cached states)`, "warm"),
    `target: with a base <= 2x without and <= 180 s: converging ${verdict("cold")}; cached ${verdict("warm")}`,
  );
}
process.stdout.write(lines.join("\n") + "\n");
