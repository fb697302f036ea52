/**
 * The whole in-cluster inventory, rendered for a reviewer: for every environment (stacks/
 * dev, staging, prod; examples/fraud-detection), every object that would be applied,
 * grouped by where it comes from (helm_release, kubernetes_manifest, typed resource):
 * kind, namespace/name and, for workloads, replicas, images, requests/limits and the node
 * pools it can land on.
 *
 *     npm run inventory                 # every environment
 *     npm run inventory -- ml-prod      # one environment
 *
 * Charts come from HELM_CHART_MIRROR (default: ../shared/charts/packages when it exists),
 * else from their repositories.
 */
import * as fs from "fs";
import * as path from "path";
import { allEnvironmentSets, ClusterObject, EnvironmentSet } from "../test/support/in-cluster";
import { podTemplates, poolsFor } from "../test/support/wiring";

const mirror = path.resolve(__dirname, "..", "..", "shared", "charts", "packages");
if (!process.env.HELM_CHART_MIRROR && fs.existsSync(mirror)) process.env.HELM_CHART_MIRROR = mirror;

function resources(r: any): string {
  const fmt = (m: Record<string, string> | undefined) =>
    Object.entries(m ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(",");
  const req = fmt(r?.requests);
  const lim = fmt(r?.limits);
  return `requests ${req || "none"}${lim ? `; limits ${lim}` : ""}`;
}

function print(set: EnvironmentSet): void {
  const pods = podTemplates(set.objects);
  console.log(`\n== ${set.name}  (Kubernetes ${set.kubeVersion}; pools: ${set.pools.map((p) => `${p.name} ${p.instanceTypes.join("/")} max ${p.maxNodes}`).join(", ")})`);
  const bySource = new Map<string, ClusterObject[]>();
  for (const o of set.objects) bySource.set(`${o.stack}: ${o.source}`, [...(bySource.get(`${o.stack}: ${o.source}`) ?? []), o]);
  for (const r of set.releases.filter((r) => r.error)) console.log(`\n${r.stack}: helm_release ${r.name}: RENDER FAILED: ${r.error}`);
  for (const [source, objects] of bySource) {
    console.log(`\n${source}`);
    for (const o of objects) {
      const m = o.object.metadata ?? {};
      console.log(`  ${o.object.kind} ${m.namespace ? `${m.namespace}/` : ""}${m.name}`);
      const owner = `${o.object.kind} ${m.namespace}/${m.name}`;
      for (const p of pods.filter((p) => p.source === o.source && (p.owner === owner || p.owner.startsWith(`${owner} (`)))) {
        const lands = poolsFor(set.pools, p.spec).map((pool) => pool.name);
        console.log(
          `      replicas ${p.replicas ?? (p.kind === "DaemonSet" ? "one per node" : "per run")}; priority ${p.spec.priorityClassName ?? "(none)"}; pools ${lands.join(", ") || "NONE"}`,
        );
        for (const c of [...(p.spec.initContainers ?? []).map((c: any) => ({ ...c, init: true })), ...(p.spec.containers ?? [])]) {
          console.log(`      ${c.init ? "init " : ""}${c.name}: ${c.image ?? "(operator default image)"}  ${resources(c.resources)}`);
        }
      }
    }
  }
}

const only = process.argv.slice(2);
const { sets, errors } = allEnvironmentSets();
for (const set of sets) if (only.length === 0 || only.includes(set.name)) print(set);
for (const e of errors) console.error(`\n${e}`);
process.exitCode = errors.length || sets.some((s) => s.releases.some((r) => r.error)) ? 1 : 0;
