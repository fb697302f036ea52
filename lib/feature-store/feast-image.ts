import { CHARTS } from "../kubernetes/charts";
import { Validator } from "../core/errors";

/** Feast's public feature-server image (feast-feature-server chart 0.66.0 values.yaml `image.repository`). */
export const FEAST_PUBLIC_REPOSITORY = "quay.io/feastdev/feature-server";

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const REPOSITORY = /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/;

/**
 * The image of the Feast feature server and of the materialization CronJob (both run the same
 * image, so that they run the same Feast). Prefer `FeastImage.fromDigest(...)`: a tag on a public
 * registry can be moved by its publisher to other content, a digest cannot. The library cannot
 * resolve a digest itself (that needs the registry at synth time): resolve it once, e.g.
 * `crane digest quay.io/feastdev/feature-server:0.66.0`, and write it where the FeatureServer is
 * created. A tag without a digest is accepted, with a synth-time warning in production.
 */
export class FeastImage {
  /**
   * Pinned by content: `<repository>:<version>@<digest>` (the tag stays for readers; the runtime pulls the digest).
   * @param options.repository @default "quay.io/feastdev/feature-server"
   * @param options.version the tag shown next to the digest. @default - the chart's appVersion
   */
  public static fromDigest(digest: string, options: { readonly repository?: string; readonly version?: string } = {}): FeastImage {
    return new FeastImage(options.repository ?? FEAST_PUBLIC_REPOSITORY, options.version ?? CHARTS.feastFeatureServer.version, digest);
  }

  /** Pinned by a tag only (mutable unless the registry's tags are immutable, as in the environment's ECR). */
  public static fromTag(repository: string, tag: string): FeastImage {
    return new FeastImage(repository, tag, undefined);
  }

  /** The public image at the chart's appVersion, by tag: the default, and a synth-time warning in production. */
  public static publicTag(): FeastImage {
    return new FeastImage(FEAST_PUBLIC_REPOSITORY, CHARTS.feastFeatureServer.version, undefined);
  }

  private constructor(
    public readonly repository: string,
    public readonly tag: string,
    public readonly digest: string | undefined,
  ) {
    const v = new Validator("FeastImage");
    v.check(
      REPOSITORY.test(repository),
      "repository",
      repository,
      "must be an image repository such as quay.io/feastdev/feature-server or <account>.dkr.ecr.<region>.amazonaws.com/feast",
    );
    v.check(TAG.test(tag) && tag !== "latest", "tag", tag, "must be an image tag other than latest (up to 128 of [A-Za-z0-9_.-])");
    if (digest !== undefined) v.check(DIGEST.test(digest), "digest", digest, "must be sha256: followed by 64 lowercase hex digits");
    v.throwIfAny();
  }

  /** True when the image is pinned by its content (a digest). */
  public get pinnedByDigest(): boolean {
    return this.digest !== undefined;
  }

  /** The chart's `image.tag`: the chart renders `<repository>:<tag>`, so a digest rides on the tag (`<tag>@sha256:...`). */
  public get chartTag(): string {
    return this.digest ? `${this.tag}@${this.digest}` : this.tag;
  }

  /** The full reference, `<repository>:<tag>[@<digest>]`. */
  public get reference(): string {
    return `${this.repository}:${this.chartTag}`;
  }
}
