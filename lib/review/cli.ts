import * as fs from "fs";
import * as path from "path";
import { GpuPriceBook } from "./cost";
import { renderJson } from "./json";
import { renderMarkdown } from "./markdown";
import { planTexts as planTextsOf } from "./plan-text";
import { BaseCheckout, synthesizeBaseRef } from "./base-ref";
import { planOfflineAgainstBase } from "./base-state";
import { planOffline, planWithCredentials, readBaseDir, readPlanDir, readSynthesized, savePlans } from "./planner";
import { exitCode, reviewChange } from "./review";
import { ReviewStack, reviewStack } from "./stack";
import { providerInstallation } from "../terraform/offline";

export const USAGE = `Usage: cdktf-ml-review [--offline | --plan-dir DIR] [--base DIR | --base-ref REF] [--out FILE] [--json FILE] [--save-plans DIR]

Synthesizes every stack, plans it and writes one review: changes per stack, blocking
replacements and deletions of stateful resources, warnings, policy findings,
environment parity and cost.

  (default)         plan every stack with terraform and the credentials of the environment
  --offline         plan AWS-only stacks with the offline harness (no credentials): providers from
                    the filesystem mirror TF_PLUGIN_MIRROR when set, else installed by terraform init
                    as usual (registry); stacks that need a live cluster are reported as not planned
  --plan-dir DIR    review existing plans instead: DIR holds <stack>.json from terraform show -json
  --base DIR        the base branch's synthesized stacks and plans (as written by --save-plans): with
                    --offline, every AWS-only stack is planned against a state simulated from the
                    base's stack, so replacements, deletions and prevent_destroy refusals show;
                    stacks of the base that are gone are blocking; also cost deltas
  --base-ref REF    the base as it is at the git ref REF (e.g. origin/main), synthesized in a
                    temporary worktree (node_modules linked when package-lock.json is the same,
                    else npm ci); otherwise as --base, without cost deltas
  --out FILE        write the Markdown review to FILE (default: standard output)
  --json FILE       write the findings as JSON to FILE
  --save-plans DIR  also write the (masked) plans and every synthesized stack to DIR, for a later --base

Exit codes: 0 no blocking finding, 2 blocking findings, 1 the review failed.`;

export interface ReviewArgs {
  readonly offline: boolean;
  readonly planDir?: string;
  readonly base?: string;
  readonly baseRef?: string;
  readonly out?: string;
  readonly json?: string;
  readonly savePlans?: string;
  readonly help: boolean;
}

export class UsageError extends Error {}

const VALUE_FLAGS: Readonly<Record<string, keyof ReviewArgs>> = {
  "--plan-dir": "planDir",
  "--base": "base",
  "--base-ref": "baseRef",
  "--out": "out",
  "--json": "json",
  "--save-plans": "savePlans",
};

export function parseArgs(argv: readonly string[]): ReviewArgs {
  const args: Record<string, string | boolean> = { offline: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] =
      argv[i].startsWith("--") && argv[i].includes("=") ? [argv[i].slice(0, argv[i].indexOf("=")), argv[i].slice(argv[i].indexOf("=") + 1)] : [argv[i], undefined];
    if (flag === "--offline") args.offline = true;
    else if (flag === "--help" || flag === "-h") args.help = true;
    else if (VALUE_FLAGS[flag]) {
      const value = inline ?? argv[++i];
      if (value === undefined || value === "" || value.startsWith("--")) throw new UsageError(`${flag} needs a value`);
      args[VALUE_FLAGS[flag]] = value;
    } else throw new UsageError(`unknown argument ${JSON.stringify(argv[i])}`);
  }
  if (args.offline && args.planDir) throw new UsageError("--offline and --plan-dir exclude each other: --plan-dir reviews plans that already exist");
  if (args.base && args.baseRef) throw new UsageError("--base and --base-ref exclude each other: give the base as a directory or as a git ref");
  return args as unknown as ReviewArgs;
}

export interface ReviewContext {
  /** Synthesizes the app and returns its output directory (holding `stacks/<name>/cdk.tf.json`). */
  readonly synthesize: () => string;
  /** @default - the GPU instance catalog */
  readonly gpuPrices?: GpuPriceBook;
  /** Progress and summary lines. @default - standard error */
  readonly log?: (line: string) => void;
  /** Where the Markdown goes without --out. @default - standard output */
  readonly stdout?: (text: string) => void;
  /** Base for relative paths. @default - process.cwd() */
  readonly cwd?: string;
  /** The app's directory (with cdktf.json) in its git checkout, for --base-ref. @default - cwd */
  readonly appDir?: string;
}

const SOURCES = {
  offline: "Plans: offline harness (real Terraform and aws provider, fake credentials, empty state): every resource shows as created.",
  offlineBase:
    "Plans: offline harness against a state simulated from the base's synthesized stacks (real Terraform and aws provider, fake credentials, " +
    "`-refresh=false`): replacements, deletions and `prevent_destroy` refusals show as on the deployed environment; drift and values known only after apply do not.",
  credentials: "Plans: `terraform plan` of every stack against its real state.",
  planDir: "Plans: read from a plan directory (`terraform show -json` output).",
};

/** The review command: returns the exit code (0 no blocking finding, 2 blocking, 1 failed). */
export async function runReview(argv: readonly string[], context: ReviewContext): Promise<number> {
  const log = context.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const resolve = (p: string) => path.resolve(context.cwd ?? process.cwd(), p);
  let args: ReviewArgs;
  try {
    args = parseArgs(argv);
  } catch (err) {
    log(`review: ${(err as Error).message}\n\n${USAGE}`);
    return 1;
  }
  if (args.help) {
    (context.stdout ?? ((t: string) => process.stdout.write(t)))(`${USAGE}\n`);
    return 0;
  }
  let checkout: BaseCheckout | undefined;
  try {
    const started = Date.now();
    if (args.offline) log(describeOfflineProviders());
    const synthesized = readSynthesized(context.synthesize());
    log(`synthesized ${synthesized.length} stacks`);
    let base: ReviewStack[] | undefined = args.base ? readBaseDir(resolve(args.base)) : undefined;
    if (args.baseRef) {
      checkout = synthesizeBaseRef(args.baseRef, { appDir: context.appDir ?? context.cwd ?? process.cwd(), log });
      base = readSynthesized(checkout.outdir).map((s) => reviewStack(s.name, { config: s.config, notPlanned: "the base is synthesized, not planned" }));
    }
    const head: ReviewStack[] = args.planDir
      ? readPlanDir(resolve(args.planDir), synthesized)
      : args.offline
        ? base
          ? await planOfflineAgainstBase(synthesized, base, { log })
          : await planOffline(synthesized, { log })
        : await planWithCredentials(synthesized, { log });
    const review = reviewChange(head, { ...(base ? { base } : {}), ...(context.gpuPrices ? { gpuPrices: context.gpuPrices } : {}) });
    const planTexts = planTextsOf(head);
    const source = args.planDir ? SOURCES.planDir : args.offline ? (base ? SOURCES.offlineBase : SOURCES.offline) : SOURCES.credentials;
    const markdown = renderMarkdown(review, { planTexts, source });
    if (args.out) write(resolve(args.out), markdown);
    else (context.stdout ?? ((t: string) => process.stdout.write(t)))(markdown);
    if (args.json) write(resolve(args.json), renderJson(review, planTexts));
    if (args.savePlans) savePlans(resolve(args.savePlans), head);
    const code = exitCode(review);
    for (const s of review.stacks) {
      const c = s.counts;
      log(`  ${s.stack.padEnd(24)} ${s.status === "planned" ? `+${c.add} ~${c.change} -/+${c.replace} -${c.destroy}` : s.status}`);
    }
    log(
      `review: ${review.blocking.length} blocking, ${review.warnings.length} warnings, ${review.failures.length} failed plans ` +
        `in ${((Date.now() - started) / 1000).toFixed(1)} s; exit ${code}${args.out ? `; wrote ${args.out}` : ""}${args.json ? `, ${args.json}` : ""}`,
    );
    return code;
  } catch (err) {
    log(`review failed: ${(err as Error).message}`);
    return 1;
  } finally {
    checkout?.dispose();
  }
}

/** Where the offline plans take providers from; refuses a TF_PLUGIN_MIRROR that holds no providers before anything runs. */
export function describeOfflineProviders(env: NodeJS.ProcessEnv = process.env): string {
  const providers = providerInstallation(env.TF_PLUGIN_MIRROR);
  return providers.source === "mirror"
    ? `providers: filesystem mirror ${providers.mirror} (TF_PLUGIN_MIRROR)`
    : "providers: installed by terraform init from the registry (set TF_PLUGIN_MIRROR to use a filesystem mirror instead)";
}

function write(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}
