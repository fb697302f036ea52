import { App } from "cdktf";
import * as path from "path";
import { Environment, exitOnConfigError } from "../lib";
import { ENVIRONMENTS } from "../stacks/environments";
import { buildApp } from "../stacks/platform";
import { synthSummary } from "../lib/review/synth-summary";

// `npm run synth`: every stack of every environment into cdktf.out/, then a one-screen summary.
exitOnConfigError(() => {
  const started = process.hrtime.bigint();
  const outdir = path.resolve(__dirname, "..", "cdktf.out");
  const app = new App({ outdir });
  const stacks = buildApp(app, Environment.all(ENVIRONMENTS));
  app.synth();
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  process.stdout.write(
    synthSummary(
      outdir,
      stacks.map((s) => s.environment),
    ),
  );
  process.stdout.write(`\nSynthesized ${app.node.children.length} stacks into ${path.relative(process.cwd(), outdir)}/ in ${ms.toFixed(0)} ms\n`);
});
