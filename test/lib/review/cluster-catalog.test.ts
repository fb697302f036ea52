import * as fs from "fs";
import * as path from "path";
import { CHARTS } from "../../../lib/kubernetes/charts";
import { CHARTS_WITH_CRDS } from "../../../lib/review/cluster-catalog";

/**
 * The catalog of charts that install CRDs, tied to the charts' own files: a chart ships
 * CRDs when its reference folder has a non-empty `crds/` directory. The in-repository
 * fixtures (test/fixtures/charts) are always checked; the project's full chart reference
 * data (../shared/charts) when it is there.
 */
const FIXTURES = path.resolve(__dirname, "..", "..", "fixtures", "charts");
const SHARED = path.resolve(__dirname, "..", "..", "..", "..", "shared", "charts");

function chartFolders(root: string): { chart: string; version: string; crds: boolean }[] {
  return fs
    .readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && /^(.+)-(v?\d+\.\d+\.\d+.*)$/.test(d.name))
    .map((d) => {
      const [, chart, version] = /^(.+)-(v?\d+\.\d+\.\d+.*)$/.exec(d.name)!;
      const crds = path.join(root, d.name, "crds");
      return { chart, version, crds: fs.existsSync(crds) && fs.readdirSync(crds).length > 0 };
    });
}

describe("charts that install CRDs", () => {
  test("the in-repository chart fixtures agree with the catalog", () => {
    const folders = chartFolders(FIXTURES);
    expect(folders.length).toBeGreaterThan(3);
    for (const f of folders) expect([f.chart, Boolean(CHARTS_WITH_CRDS[f.chart])]).toEqual([f.chart, f.crds]);
  });

  const shared = fs.existsSync(SHARED);
  if (!shared) console.warn(`*** ${SHARED} is not here: the catalog is checked against the in-repository fixtures only ***`);
  (shared ? test : test.skip)("every chart of the shared reference data agrees with the catalog, and each catalog entry names its folder", () => {
    const folders = chartFolders(SHARED);
    for (const f of folders) expect([f.chart, Boolean(CHARTS_WITH_CRDS[f.chart])]).toEqual([f.chart, f.crds]);
    for (const [chart, source] of Object.entries(CHARTS_WITH_CRDS)) {
      const folder = folders.find((f) => f.chart === chart);
      expect(folder).toBeDefined();
      expect(source).toContain(`shared/charts/${chart}-${folder!.version}/crds/`);
    }
  });

  test("the library's own charts: kube-prometheus-stack, external-secrets, karpenter, karpenter-crd, keda, argo-rollouts, kubeflow-trainer and kueue install CRDs, the others do not", () => {
    const installing = Object.values(CHARTS)
      .filter((c) => CHARTS_WITH_CRDS[c.chart])
      .map((c) => c.chart)
      .sort();
    expect(installing).toEqual(["argo-rollouts", "external-secrets", "karpenter", "karpenter-crd", "keda", "kube-prometheus-stack", "kubeflow-trainer", "kueue"]);
  });
});
