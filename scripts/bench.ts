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

interface Sample { ms: number; rssMb: number }

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

function series(args: string[]): { ms: number; rssMb: number } {
  const samples = Array.from({ length: RUNS }, () => measure(args));
  return { ms: median(samples.map((s) => s.ms)), rssMb: median(samples.map((s) => s.rssMb)) };
}

const rootLoad = series(["-e", "require('@cdktf/provider-aws'); console.log(JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS }))"]);
const rows: [string, { ms: number; rssMb: number }][] = [["load @cdktf/provider-aws from its root (reference)", rootLoad]];
for (const name of Object.keys(SCENARIOS)) {
  rows.push([`synth: ${name}`, series(["-r", "./scripts/register.js", "scripts/bench-target.ts", name])]);
}

const lines = [`median of ${RUNS} runs, each in a fresh node process (wall time includes node start-up and module loading)`, ""];
lines.push(`${"what".padEnd(58)} ${"wall ms".padStart(9)} ${"peak MB".padStart(9)} ${"x root load".padStart(12)}`);
for (const [name, r] of rows) {
  lines.push(`${name.padEnd(58)} ${r.ms.toFixed(0).padStart(9)} ${r.rssMb.toFixed(0).padStart(9)} ${(r.ms / rootLoad.ms).toFixed(2).padStart(12)}`);
}
const full = rows.find(([n]) => n.startsWith("synth: full app"))![1];
lines.push("", `target: full app <= 1000 ms and <= 250 MB: ${full.ms <= 1000 && full.rssMb <= 250 ? "met" : "NOT met"}`);

// BENCH_REVIEW=1: the offline review of every environment, once without a base and once
// against BENCH_BASE_REF (default HEAD) synthesized in a worktree. Minutes each: one run.
if (process.env.BENCH_REVIEW === "1") {
  const ref = process.env.BENCH_BASE_REF ?? "HEAD";
  const review = (args: string[]) => {
    const started = Date.now();
    const res = spawnSync(process.execPath, ["-r", "./scripts/register.js", "scripts/review.ts", "--offline", "--out", path.join(os.tmpdir(), "bench-review.md"), ...args],
      { cwd: root, encoding: "utf8", env: { ...process.env, CDKTF_OUTDIR: path.join(os.tmpdir(), "bench-review.out") } });
    if (res.status !== 0 && res.status !== 2) throw new Error(`review failed (exit ${res.status}): ${res.stderr}`);
    return { s: (Date.now() - started) / 1000, summary: res.stderr.trim().split("\n").pop() ?? "" };
  };
  // A fresh cache of simulated states: the first run converges every changed stack, the second reuses them.
  process.env.ML_REVIEW_STATE_CACHE = fs.mkdtempSync(path.join(os.tmpdir(), "bench-states-"));
  const without = review([]);
  const cold = review(["--base-ref", ref]);
  const warm = review(["--base-ref", ref]);
  lines.push("", "offline review of every environment (one run each):",
    `  without a base                        ${without.s.toFixed(1).padStart(7)} s   ${without.summary}`,
    `  --base-ref ${ref.padEnd(16)} (converging) ${cold.s.toFixed(1).padStart(7)} s   ${cold.summary}`,
    `  --base-ref ${ref.padEnd(16)} (cached)     ${warm.s.toFixed(1).padStart(7)} s   ${warm.summary}`,
    `target: with a base <= 2x without and <= 180 s: converging ${cold.s <= 2 * without.s && cold.s <= 180 ? "met" : "NOT met"} (${(cold.s / without.s).toFixed(2)}x), ` +
    `cached ${warm.s <= 2 * without.s && warm.s <= 180 ? "met" : "NOT met"} (${(warm.s / without.s).toFixed(2)}x)`);
}
process.stdout.write(lines.join("\n") + "\n");
