import { RolloutStrategy } from "../../../lib";
import { renderMarkdown } from "../../../lib/review/markdown";
import { offlineBlocker } from "../../../lib/review/planner";
import { reviewChange } from "../../../lib/review/review";
import { ReviewStack, reviewStack } from "../../../lib/review/stack";
import { synthJson } from "../../support/synth";
import { endpointFixture } from "../endpoint/fixture";

/**
 * Issue 17: Terraform declares which model version serves; the rollout happens in the cluster.
 * The review presents a model change as such, with how the cluster rolls it out.
 */
function platformStack(version: number, rollout?: RolloutStrategy): ReviewStack[] {
  const f = endpointFixture({ tier: "staging" });
  f.endpoint("ranker", { name: "ranker", model: { uri: `models:/ranker/${version}` }, ...(rollout ? { rollout: { strategy: rollout } } : {}) });
  const config = synthJson(f.platform);
  return [reviewStack("ml-test-platform", { config, notPlanned: offlineBlocker(config)! })];
}

describe("plan review: a model version change", () => {
  test("with a canary rollout: the model, the versions and the canary steps with their analysis", () => {
    const canary = RolloutStrategy.canary([{ weight: 20 }, { pause: "5m" }, { weight: 100 }]);
    const r = reviewChange(platformStack(8, canary), { base: platformStack(7, canary) });
    const objects = r.clusterDiffs.flatMap((d) => d.objects);
    expect(objects.find((o) => o.kind === "Rollout")!.model).toEqual({
      model: "ranker",
      from: "version 7",
      to: "version 8",
      delivery: "canary (20% → pause 5m → 100%) with a smoke test and SLO analysis; aborted (the old version keeps serving) if the analysis fails, in the cluster by Argo Rollouts",
    });
    expect(renderMarkdown(r)).toContain(
      "- model ranker (Rollout `serving/ranker`): version 7 → 8, rolled out by canary (20% → pause 5m → 100%) with a smoke test and SLO analysis; " +
        "aborted (the old version keeps serving) if the analysis fails, in the cluster by Argo Rollouts",
    );
  });

  test("with blue/green", () => {
    const r = reviewChange(platformStack(8, RolloutStrategy.blueGreen()), { base: platformStack(7, RolloutStrategy.blueGreen()) });
    expect(renderMarkdown(r)).toContain(
      "- model ranker (Rollout `serving/ranker`): version 7 → 8, rolled out by blue/green (preview `ranker-preview`, smoke test, automatic promotion, " +
        "SLO analysis after promotion, switched back if it fails), in the cluster by Argo Rollouts",
    );
  });

  test("without a rollout: a rolling update of the Deployment", () => {
    const r = reviewChange(platformStack(8), { base: platformStack(7) });
    expect(renderMarkdown(r)).toContain(
      "- model ranker (Deployment `serving/ranker`): version 7 → 8, rolled out by rolling update of the Deployment (no analysis; Terraform waits for the new pods to be ready)",
    );
  });

  test("an unchanged model is not reported as a model change", () => {
    const r = reviewChange(platformStack(7), { base: platformStack(7) });
    expect(renderMarkdown(r)).not.toContain("Model versions:");
  });
});
