import { Testing } from "cdktf";
import { ConfigError, FeastImage } from "../../../lib";
import { helmRelease } from "../../support/chart-values";
import { onlyResource, synthJson } from "../../support/synth";
import { featureStoreApp } from "./fixtures";

// A made-up digest, for the tests only: the library ships no digest it could not verify.
const DIGEST = `sha256:${"0123456789abcdef".repeat(4)}`;

function warnings(server: { node: { metadata: readonly { type: string; data: unknown }[] } }): string[] {
  return server.node.metadata.filter((m) => m.type === "@cdktf/warn").map((m) => String(m.data));
}

function images(platform: any): { chart: string; cronJob: string } {
  const json = synthJson(platform);
  const values = helmRelease(json, "feast-feature-server").values as any;
  return {
    chart: `${values.image.repository}:${values.image.tag}`,
    cronJob: onlyResource(json, "kubernetes_cron_job_v1").spec.job_template.spec.template.spec.container[0].image,
  };
}

describe("FeatureServer image (issue 12: the Feast image on a mutable tag)", () => {
  test("a digest-pinned image reaches the server (the chart renders <repository>:<tag>) and the CronJob alike", () => {
    const { platform } = featureStoreApp({ tier: "production" }, {}, { image: FeastImage.fromDigest(DIGEST) });
    const expected = `quay.io/feastdev/feature-server:0.66.0@${DIGEST}`;
    expect(images(platform)).toEqual({ chart: expected, cronJob: expected });
  });

  test("production with a digest: no warning", () => {
    const { server } = featureStoreApp({ tier: "production" }, {}, { image: FeastImage.fromDigest(DIGEST, { repository: "123456789012.dkr.ecr.us-east-1.amazonaws.com/feast" }) });
    expect(warnings(server)).toEqual([]);
  });

  test("production on the default mutable tag: a synth-time warning naming the image and the fix", () => {
    const { server, platform } = featureStoreApp({ tier: "production" });
    expect(images(platform).cronJob).toBe("quay.io/feastdev/feature-server:0.66.0");
    expect(warnings(server)).toEqual([expect.stringContaining("image quay.io/feastdev/feature-server:0.66.0 is a mutable tag in production")]);
    expect(warnings(server)[0]).toContain("FeastImage.fromDigest");
    // cdktf reports it at synth.
    expect(Testing.synth(platform)).toBeDefined();
  });

  test("a tag in development or staging: no warning", () => {
    expect(warnings(featureStoreApp().server)).toEqual([]);
    expect(warnings(featureStoreApp({ tier: "staging" }, {}, { image: FeastImage.fromTag("quay.io/feastdev/feature-server", "0.66.0") }).server)).toEqual([]);
  });

  test.each([
    ["a digest that is not sha256 hex", () => FeastImage.fromDigest("sha256:abc"), 'FeastImage: digest is "sha256:abc"; must be sha256: followed by 64 lowercase hex digits'],
    [
      "latest",
      () => FeastImage.fromTag("quay.io/feastdev/feature-server", "latest"),
      'FeastImage: tag is "latest"; must be an image tag other than latest (up to 128 of [A-Za-z0-9_.-])',
    ],
    ["a repository with a tag in it", () => FeastImage.fromTag("quay.io/feastdev/feature-server:0.66.0", "x"), "FeastImage: repository is"],
  ])("refuses %s", (_, make, message) => {
    expect(make).toThrow(ConfigError);
    expect(make).toThrow(message);
  });
});
