import { BlockingFinding } from "./blocking";
import { CostReport, EnvironmentCost } from "./cost";
import { ParityDifference } from "./parity";
import { PlanTexts } from "./plan-text";
import { ClusterStackDiff, ValueChange } from "./cluster-diff";
import { MoveFinding, Review, StackSummary } from "./review";
import { WARNING_TITLES, Warning, WarningCategory } from "./warnings";

/** The hidden marker by which CI finds its previous review comment to edit it. */
export const REVIEW_MARKER = "<!-- cdktf-ml-review -->";

/** GitHub rejects comments over 65,536 characters; the review stays under it with room to spare. */
export const GITHUB_COMMENT_LIMIT = 65000;

export interface MarkdownOptions {
  /** Plan texts per stack name (see planTexts). @default - no plan section */
  readonly planTexts?: ReadonlyMap<string, PlanTexts>;
  /** One line on where the plans came from. @default - none */
  readonly source?: string;
  /** Plan texts that do not fit are left out (and named). @default GITHUB_COMMENT_LIMIT */
  readonly maxChars?: number;
}

/** The review as one Markdown document, for a pull-request comment. Deterministic: same review, same text. */
export function renderMarkdown(review: Review, options: MarkdownOptions = {}): string {
  const head = [
    REVIEW_MARKER,
    "## Infrastructure plan review",
    "",
    verdict(review),
    ...(options.source ? ["", options.source] : []),
    "",
    ...changesSection(review.stacks, review.destruction === "base"),
    ...failuresSection(review),
    ...blockingSection(review.blocking, review.destruction),
    ...movesSection(review.moves),
    ...clusterSection(review.clusterDiffs),
    ...warningsSection(review.warnings),
    ...policySection(review),
    ...paritySection(review),
    ...costSection(review.cost),
  ].join("\n");
  const plans = plansSection(review.stacks, options.planTexts, (options.maxChars ?? GITHUB_COMMENT_LIMIT) - head.length);
  return `${head}${plans ? `\n${plans}` : ""}`;
}

function verdict(review: Review): string {
  const parts: string[] = [];
  if (review.failures.length > 0) {
    parts.push(`**Review incomplete: ${plural(review.failures.length, "plan")} failed.** See "Failed plans".`);
  }
  const lost = review.blocking.filter((f) => (f.action === "replace" || f.action === "delete") && !f.configurationDiff);
  const inCluster = review.blocking.filter((f) => f.configurationDiff);
  const forgotten = review.blocking.filter((f) => f.action === "forget");
  const stacks = review.blocking.filter((f) => f.action === "remove-stack");
  if (review.blocking.length > 0) {
    const what = [
      lost.length > 0 ? `${plural(lost.length, "stateful resource")} would be destroyed or replaced` : "",
      forgotten.length > 0 ? `${plural(forgotten.length, "stateful resource")} would no longer be managed by Terraform` : "",
      stacks.length > 0 ? `${plural(stacks.length, "stack")} of the base would no longer be synthesized` : "",
      inCluster.length > 0 ? `${plural(inCluster.length, "in-cluster change")} would delete data or force objects to be re-created (configuration diff)` : "",
    ]
      .filter((x) => x)
      .join("; ");
    parts.push(`**Blocking: ${what}.** ` + "Do not merge until each one is intended and its data is safe (snapshot, migration, or a new resource alongside).");
  } else if (review.destruction === "empty-state") {
    parts.push(
      "**No blocking finding in empty-state plans, which can only show creations:** they cannot show that anything would be destroyed or replaced. " +
        "To check that, review against the base: `--base-ref origin/main` (or `--base DIR` with the base's saved plans) plans this change against a state simulated from the base.",
    );
  } else {
    parts.push("**No blocking finding:** no stateful resource is destroyed or replaced.");
  }
  const flagged = review.parity.differences.filter((d) => !d.explanation).length;
  parts.push(
    `${plural(review.warnings.length, "warning")}, ${plural(
      review.policy.checked.reduce((n, s) => n + s.findings.length, 0),
      "policy finding",
    )}, ` + `${plural(flagged, "unexplained parity difference")}.`,
  );
  return parts.map((p) => `> ${p}`).join("\n>\n");
}

/** The Notes cell of a planned stack: what its plan was made against (in a review against a base), moves, refusals. */
function plannedNote(s: StackSummary, againstBase: boolean): string {
  const notes = [
    s.refusedByPreventDestroy ? "**refused by `prevent_destroy`** (counts without it; see Blocking)" : "",
    againstBase && s.basis === "base-state" ? "planned against the base's simulated state" : "",
    againstBase && s.basis === "unchanged" ? "identical to the base" : "",
    againstBase && s.basis === "empty-state" ? "new stack (empty state)" : "",
    s.moved ? `${s.moved} moved` : "",
    s.forgotten ? `${s.forgotten} forgotten` : "",
  ];
  return notes.filter((n) => n).join("; ");
}

function changesSection(stacks: readonly StackSummary[], againstBase: boolean): string[] {
  // Reasons for not planning are usually shared by several stacks: numbered once, below the table.
  const reasons = [...new Set(stacks.filter((s) => s.status === "not-planned").map((s) => s.reason ?? ""))];
  const rows = stacks.map((s) => {
    const c = s.counts;
    const diff = s.configurationDiff
      ? `; configuration diff: ${plural(s.configurationDiff.releases, "release")}, ${plural(s.configurationDiff.objects, "object")} changed (below)`
      : "";
    const note =
      s.status === "planned" ? plannedNote(s, againstBase) : s.status === "not-planned" ? `not planned (${reasons.indexOf(s.reason ?? "") + 1})${diff}` : "plan failed (see below)";
    const n = (x: number) => (s.status === "planned" ? String(x) : "–");
    return `| ${s.environment} | \`${s.stack}\` | ${n(c.add)} | ${n(c.change)} | ${n(c.replace)} | ${n(c.destroy)} | ${note} |`;
  });
  const environments = [...new Set(stacks.map((s) => s.environment))];
  const totals = environments.map((env) => {
    const mine = stacks.filter((s) => s.environment === env && s.status === "planned");
    const sum = (k: keyof StackSummary["counts"]) => mine.reduce((n, s) => n + s.counts[k], 0);
    return `**${env}** ${sum("add")} to add, ${sum("change")} to change, ${sum("replace")} to replace, ${sum("destroy")} to destroy`;
  });
  return [
    "### Changes",
    "",
    `${totals.join("; ")} (planned stacks).`,
    "",
    "| Environment | Stack | Add | Change | Replace | Destroy | Notes |",
    "|---|---|--:|--:|--:|--:|---|",
    ...rows,
    "",
    ...reasons.map((r, i) => `(${i + 1}) Not planned: ${r}.`),
    ...(reasons.length > 0 ? [""] : []),
  ];
}

function failuresSection(review: Review): string[] {
  if (review.failures.length === 0) return [];
  const out = ["### Failed plans", ""];
  for (const f of review.failures) out.push(`- \`${f.stack}\`:`, "", fence(f.reason.trim(), "text", "  "), "");
  return out;
}

function blockingSection(findings: readonly BlockingFinding[], destruction: Review["destruction"]): string[] {
  if (findings.length === 0 && destruction === "empty-state") {
    return [
      "### Blocking",
      "",
      "None found, but these plans start from an empty state: every resource shows as created, so a replacement or a deletion " +
        "of a database, bucket, table, cache, key or cluster cannot show here. Run the review with `--base-ref <base branch>` (or `--base DIR`) to plan " +
        "the change against a state simulated from the base, or without `--offline` (credentials) against the real state.",
      "",
    ];
  }
  if (findings.length === 0)
    return [
      "### Blocking",
      "",
      "None: no resource of a stateful type (databases, buckets, tables, caches, keys, clusters, repositories, file systems, secrets, log groups) is replaced or destroyed.",
      "",
    ];
  const out = [`### Blocking (${findings.length})`, ""];
  for (const f of findings) {
    if (f.action === "remove-stack") {
      out.push(
        `- **Stack \`${f.stack}\`** (${f.environment}) is in the base but no longer synthesized` +
          `${f.renamedTo ? `: it looks renamed to \`${f.renamedTo}\`, which has a new state and would create its resources again beside the old ones` : ""}. ` +
          `Terraform never plans it again: ${f.loses} stay in its state, unmanaged, until \`cdktf destroy\` deletes them. ` +
          "Rename a stack only with a state migration (docs/UPGRADING.md).",
      );
      continue;
    }
    if (f.configurationDiff) {
      out.push(
        `- **\`${f.address}\`** in \`${f.stack}\` (${f.environment}), configuration diff: ${f.detail}.${f.constructPath ? ` Construct: \`${f.constructPath}\`.` : ""} Loses ${f.loses}.`,
      );
      continue;
    }
    const what =
      f.action === "forget"
        ? "would be **forgotten**: Terraform stops managing it (a `removed` block without destroy); the object stays, outside any state"
        : f.stoppedByPreventDestroy
          ? `would be **${f.action === "replace" ? "replaced" : "destroyed"}**: Terraform refused the plan because of \`prevent_destroy\`${forcing(f)}`
          : f.action === "replace"
            ? `would be **replaced** (destroyed, then created again)${f.replacePaths.length > 0 ? `:${forcing(f).slice(1)}` : ""}`
            : f.protectedInBase
              ? "would be **destroyed**, and `prevent_destroy` does not stop it: the protection was on the resource's block in the base, which is gone from the configuration (a renamed or removed construct)"
              : "would be **destroyed**";
    out.push(
      `- **\`${f.address}\`** in \`${f.stack}\` (${f.environment}) ${what}.` +
        `${f.actionReason ? ` Terraform's reason: \`${f.actionReason}\`.` : ""}` +
        `${f.constructPath ? ` Construct: \`${f.constructPath}\`.` : ""} Loses ${f.loses}.`,
    );
  }
  return [...out, ""];
}

/** `; `bucket` forces the replacement`, or nothing. */
function forcing(f: BlockingFinding): string {
  return f.replacePaths.length > 0 ? `; ${f.replacePaths.map((p) => `\`${p}\``).join(", ")} force${f.replacePaths.length === 1 ? "s" : ""} the replacement` : "";
}

/** In-cluster stacks: their synthesized configuration compared with the base's. */
function clusterSection(diffs: readonly ClusterStackDiff[]): string[] {
  if (diffs.length === 0) return [];
  const out = [
    "### In-cluster configuration diff (not a plan)",
    "",
    "These stacks use the kubernetes and helm providers, which need the live cluster to plan. This compares their synthesized " +
      "configuration with the base's: it does not see drift, server-side defaults or the objects a chart renders from its values. " +
      "Secrets are masked.",
    "",
  ];
  for (const d of diffs) {
    out.push(`**\`${d.stack}\`** (${d.environment})${d.newStack ? ": new stack" : ""}`, "");
    if (d.releases.length > 0) {
      out.push("| Helm release | Namespace | Change | Chart | Version | Repository |", "|---|---|---|---|---|---|");
      for (const r of d.releases) {
        out.push(
          `| \`${r.release}\` | ${r.namespace ?? "–"} | ${r.change} | ${r.chartFrom ? `${r.chartFrom} → ${r.chart}` : r.chart} | ` +
            `${r.versionFrom ? `${r.versionFrom} → ${r.version}` : (r.version ?? "–")} | ${cell(r.repositoryFrom ? `${r.repositoryFrom} → ${r.repository}` : (r.repository ?? "–"))} |`,
        );
      }
      out.push("");
      for (const r of d.releases.filter((x) => x.values.length > 0)) out.push(`Values of \`${r.release}\`:`, "", ...valueLines(r.values), "");
    }
    const models = d.objects.filter((o) => o.model !== undefined);
    if (models.length > 0) {
      out.push("Model versions:", "");
      for (const o of models)
        out.push(
          `- model ${o.model!.model} (${o.kind} \`${o.namespace ? `${o.namespace}/` : ""}${o.name}\`): ${versions(o.model!.from, o.model!.to)}, rolled out by ${o.model!.delivery}`,
        );
      out.push("");
    }
    if (d.objects.length > 0) {
      out.push("| Kind | Namespace | Name | Change | Changed fields |", "|---|---|---|---|---|");
      for (const o of d.objects) {
        const fields =
          o.fields
            .slice(0, 8)
            .map((f) => `\`${f.path}\``)
            .join(", ") + (o.fields.length > 8 ? ` and ${o.fields.length - 8} more` : "");
        out.push(`| ${o.kind} | ${o.namespace ?? "–"} | \`${o.name}\` | ${o.change} | ${fields || "–"} |`);
      }
      out.push("");
    }
  }
  return out;
}

/** "version 7" → "version 8" reads "version 7 → 8". */
function versions(from: string, to: string): string {
  const [kind, rest] = [from.split(" ")[0], to.split(" ")[0]];
  return kind === rest && from.includes(" ") && to.includes(" ") ? `${from} → ${to.slice(kind.length + 1)}` : `${from} → ${to}`;
}

function valueLines(values: readonly ValueChange[]): string[] {
  const shown = values.slice(0, 30).map((v) => `- \`${v.path}\`: ${v.from === undefined ? `(new) ${v.to}` : v.to === undefined ? `${v.from} (removed)` : `${v.from} → ${v.to}`}`);
  return values.length > 30 ? [...shown, `- and ${values.length - 30} more`] : shown;
}

function movesSection(moves: readonly MoveFinding[]): string[] {
  if (moves.length === 0) return [];
  return [
    `### Moves (${moves.length})`,
    "",
    "Address changes covered by `moved` blocks (cdktf `moveTo` / `moveFromId`): Terraform keeps each object under its new address. Not blocking.",
    "",
    "| Stack | From | To |",
    "|---|---|---|",
    ...moves.map((m) => `| \`${m.stack}\` | \`${m.from}\` | \`${m.to}\` |`),
    "",
  ];
}

/**
 * Warnings on existing resources first (updates, replacements, deletions, lifecycle
 * settings): they are the risks. New resources follow, counted per category and stack,
 * with their rows folded: a first deployment creates dozens of roles and policies.
 */
function warningsSection(all: readonly Warning[]): string[] {
  if (all.length === 0) return ["### Warnings", "", "None.", ""];
  const out = [`### Warnings (${all.length})`, ""];
  const categories = Object.keys(WARNING_TITLES) as WarningCategory[];
  const existing = all.filter((w) => w.action !== "create");
  const created = all.filter((w) => w.action === "create");
  for (const category of categories) {
    const here = existing.filter((w) => w.category === category);
    if (here.length > 0) out.push(`**${WARNING_TITLES[category]}** (${here.length})`, "", ...warningTable(here), "");
  }
  if (created.length === 0) return out;
  out.push(`**New resources** (${created.length}${existing.length > 0 ? "; the changes above come first" : ""}):`, "");
  for (const category of categories) {
    const here = created.filter((w) => w.category === category);
    if (here.length === 0) continue;
    const perStack = [...new Set(here.map((w) => w.stack))].map((st) => `${here.filter((w) => w.stack === st).length} in \`${st}\``);
    out.push(`- ${WARNING_TITLES[category]}: ${here.length} new (${perStack.join(", ")})`);
  }
  out.push("");
  for (const category of categories) {
    const here = created.filter((w) => w.category === category);
    if (here.length === 0) continue;
    out.push(`<details><summary>${WARNING_TITLES[category]}: ${plural(here.length, "new resource")}</summary>`, "", ...warningTable(here), "", "</details>", "");
  }
  return out;
}

function warningTable(warnings: readonly Warning[]): string[] {
  return ["| Stack | Resource | Change | Detail |", "|---|---|---|---|", ...warnings.map((w) => `| \`${w.stack}\` | \`${w.address}\` | ${w.action} | ${cell(w.message)} |`)];
}

function policySection(review: Review): string[] {
  const { checked, skipped } = review.policy;
  const out = ["### Policy", ""];
  if (checked.length === 0 && skipped.length === 0) return [...out, "No stack changes, so the policy pack had nothing to check.", ""];
  const findings = checked.flatMap((s) => s.findings.map((f) => ({ stack: s.stack, f })));
  const suppressed = checked.reduce((n, s) => n + s.suppressedCount, 0);
  out.push(
    `The policy pack checked the synthesized JSON of ${plural(checked.length, "stack")} with changes (or not planned, so with unknown changes): ${plural(findings.length, "finding")}` +
      `${suppressed > 0 ? ` (${suppressed} more suppressed with a recorded reason)` : ""}.`,
    "",
  );
  if (findings.length > 0) {
    out.push("| Severity | Rule | Checkov | Stack | Resource | Risk |", "|---|---|---|---|---|---|");
    for (const { stack, f } of findings) {
      out.push(`| ${f.severity} | ${f.ruleId} | ${f.checkovId} | \`${stack}\` | \`${f.resourceAddress}\` | ${cell(f.explanation)} |`);
    }
    out.push("");
  }
  for (const s of skipped) out.push(`- \`${s.stack}\` not checked: ${s.reason}.`);
  if (skipped.length > 0) out.push("");
  return out;
}

function paritySection(review: Review): string[] {
  const { environments, differences } = review.parity;
  const out = ["### Parity", ""];
  if (environments.length < 2) return [...out, "Only one environment is under review: nothing to compare.", ""];
  const flagged = differences.filter((d) => !d.explanation);
  out.push(
    `Every environment runs the same construct tree, so ${environments.join(", ")} should have the same resource addresses, ` +
      "layer by layer, except where their configuration (tier, zones, state backend, the settings constructs record) says otherwise. " +
      `${plural(differences.length, "difference")}: ${differences.length - flagged.length} explained by configuration, ${flagged.length} flagged.`,
    "",
  );
  if (differences.length === 0) return out;
  out.push("| Layer | Resources | In | Not in | Explained by |", "|---|---|---|---|---|");
  // Flagged differences one per row; explained ones grouped by what explains them.
  for (const d of flagged)
    out.push(`| ${d.layer} | \`${where(d)}\` | ${d.presentIn.join(", ")} | ${d.missingIn.join(", ")} | **flagged: no configuration explains this difference** |`);
  const groups = new Map<string, ParityDifference[]>();
  for (const d of differences.filter((x) => x.explanation)) {
    const key = [d.layer, d.presentIn.join(), d.missingIn.join(), d.explanation].join("|");
    groups.set(key, [...(groups.get(key) ?? []), d]);
  }
  for (const group of groups.values()) {
    const d = group[0];
    out.push(`| ${d.layer} | ${resourcesCell(group.map(where))} | ${d.presentIn.join(", ")} | ${d.missingIn.join(", ")} | ${cell(d.explanation!)} |`);
  }
  return [...out, ""];
}

/** The construct path without its stack (the same in every environment), else the address. */
function where(d: ParityDifference): string {
  return d.address ? d.constructPath?.split("/").slice(1).join("/") || d.address : "(whole stack)";
}

/** Several paths as one: `network/{nat-us-east-1b,nat-us-east-1c}`. */
function resourcesCell(paths: readonly string[]): string {
  if (paths.length === 1) return paths[0] === "(whole stack)" ? paths[0] : `\`${paths[0]}\``;
  const dirs = paths.map((p) => p.split("/"));
  let common = 0;
  while (dirs.every((d) => common < d.length - 1 && d[common] === dirs[0][common])) common++;
  const prefix = dirs[0].slice(0, common).join("/");
  const rest = dirs.map((d) => d.slice(common).join("/"));
  return `\`${prefix ? `${prefix}/` : ""}{${rest.join(",")}}\` (${paths.length})`;
}

function costSection(cost: CostReport): string[] {
  const out = ["### Cost", ""];
  const gpuSource = `GPU instances from the GPU instance catalog (lib/gpu-cluster/gpu-instances.ts, ${cost.gpuPrices.region}, as of ${cost.gpuPrices.asOf}; ${cost.gpuPrices.source})`;
  out.push(
    `Monthly estimate of what runs after this change (${cost.prices.hoursPerMonth} hours a month, on-demand list prices). ` +
      `Prices come from the library's dated price tables: lib/pricing/prices.ts (${cost.prices.region}, as of ${cost.prices.asOf}; ${cost.prices.source}) and ${gpuSource}. ` +
      "Usage-billed items (NAT data processing, requests, storage growth, DynamoDB on-demand) are not included.",
    "",
  );
  const withBase = cost.environments.some((e) => e.base);
  out.push(
    `| Environment | Baseline | ${withBase ? "Δ baseline | " : ""}GPU worst case | ${withBase ? "Δ GPU | " : ""}Budget (total / GPU) |`,
    `|---|--:|${withBase ? "--:|" : ""}--:|${withBase ? "--:|" : ""}---|`,
  );
  for (const e of cost.environments) {
    const base = e.base;
    out.push(
      `| ${e.environment} | ${usd(e.baselineUsd)} | ${withBase ? `${base ? delta(e.baselineUsd - base.baselineUsd) : "new"} | ` : ""}` +
        `${usd(e.gpuWorstCaseUsd)} | ${withBase ? `${base ? delta(e.gpuWorstCaseUsd - base.gpuWorstCaseUsd) : "new"} | ` : ""}${budget(e)} |`,
    );
  }
  out.push("");
  for (const e of cost.environments) {
    const notes = [...e.notCosted.map((s) => `\`${s}\` was not planned, so it is not costed`), ...e.unpriced.map((u) => `unpriced: ${u}`)];
    if (e.lines.length === 0 && notes.length === 0) continue;
    out.push(`<details><summary>${e.environment}: ${plural(e.lines.length, "priced resource")}</summary>`, "");
    if (e.lines.length > 0) {
      out.push("| Category | Resource | Quantity | Monthly |", "|---|---|---|--:|");
      for (const l of e.lines) out.push(`| ${l.category} | \`${l.address}\` | ${cell(l.quantity)} | ${usd(l.monthlyUsd)} |`);
      out.push("");
    }
    for (const n of notes) out.push(`- ${n}`);
    out.push("", "</details>", "");
  }
  return out;
}

function budget(e: EnvironmentCost): string {
  if (e.monthlyBudgetUsd === undefined) return "–";
  const total = e.baselineUsd + e.gpuWorstCaseUsd;
  const over = total > e.monthlyBudgetUsd ? " **over budget at the GPU worst case**" : "";
  const gpuOver = e.gpuMonthlyBudgetUsd !== undefined && e.gpuWorstCaseUsd > e.gpuMonthlyBudgetUsd ? " **GPU over budget**" : "";
  return `${usd(e.monthlyBudgetUsd)} / ${e.gpuMonthlyBudgetUsd !== undefined ? usd(e.gpuMonthlyBudgetUsd) : "–"}${over}${gpuOver}`;
}

/**
 * Every stack's plan in a collapsed block. When they do not all fit the size limit, the
 * largest switch to the compact text (new resources by address only) one by one, then
 * the largest are left out; the JSON always has the full text.
 */
function plansSection(stacks: readonly StackSummary[], texts: ReadonlyMap<string, PlanTexts> | undefined, budgetChars: number): string {
  if (!texts || texts.size === 0) return "";
  const entries = stacks.filter((s) => texts.has(s.stack)).map((s) => ({ s, texts: texts.get(s.stack)!, form: "full" as "full" | "compact" | "omitted" }));
  const block = (e: (typeof entries)[number]) => {
    if (e.form === "omitted") return "";
    const c = e.s.counts;
    const note = e.form === "compact" ? " (new resources by address only)" : "";
    return [
      `<details><summary><code>${e.s.stack}</code>: ${c.add} to add, ${c.change} to change, ${c.replace} to replace, ${c.destroy} to destroy${note}</summary>`,
      "",
      fence(e.form === "full" ? e.texts.full : e.texts.compact, "diff"),
      "",
      "</details>",
      "",
    ].join("\n");
  };
  const size = () => entries.reduce((n, e) => n + block(e).length + 1, 0);
  const budget = budgetChars - 600;
  const largest = (form: "full" | "compact") => entries.filter((e) => e.form === form).sort((a, b) => block(b).length - block(a).length)[0];
  while (size() > budget && largest("full")) largest("full").form = "compact";
  while (size() > budget && largest("compact")) largest("compact").form = "omitted";
  const out = ["### Plans", "", ...entries.filter((e) => e.form !== "omitted").map(block)];
  const compact = entries.filter((e) => e.form === "compact").map((e) => `\`${e.s.stack}\``);
  const omitted = entries.filter((e) => e.form === "omitted").map((e) => `\`${e.s.stack}\``);
  if (compact.length + omitted.length > 0) {
    out.push(
      [
        compact.length > 0 ? `New resources of ${compact.join(", ")} are listed by address only` : "",
        omitted.length > 0 ? `${compact.length > 0 ? "; the" : "The"} plan text of ${omitted.join(", ")} is left out` : "",
        " to stay under GitHub's comment size limit. The full text is in the review JSON (`stacks[].planText`).",
      ].join(""),
      "",
    );
  }
  return out.join("\n");
}

/** A code block whose fence is longer than any backtick run inside it. */
function fence(text: string, lang: string, indent = ""): string {
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((m) => m.length));
  const f = "`".repeat(longest + 1);
  return [`${indent}${f}${lang}`, ...text.split("\n").map((l) => `${indent}${l}`), `${indent}${f}`].join("\n");
}

/** A table cell: one line, pipes escaped, long text shortened. */
function cell(text: string): string {
  const flat = text.replace(/\s+/g, " ").replace(/\|/g, "\\|").trim();
  return flat.length > 300 ? `${flat.slice(0, 297)}...` : flat;
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

export function usd(n: number): string {
  return `$${n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

function delta(n: number): string {
  const r = Math.round(n * 100) / 100;
  return r === 0 ? "±$0.00" : r > 0 ? `+${usd(r)}` : `−${usd(-r)}`;
}
