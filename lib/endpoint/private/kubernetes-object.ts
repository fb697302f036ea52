import { Construct } from "constructs";
import { TerraformResource } from "cdktf";

/**
 * A `kubernetes_manifest` resource with only what endpoints use (the manifest, and
 * waiting for a rollout). It synthesizes exactly what the provider binding's `Manifest`
 * does, without building the binding's unused output references: each of those captures
 * a stack trace, which made them a large share of the synth time of a stack with many
 * endpoints.
 */
export class KubernetesObject extends TerraformResource {
  constructor(
    scope: Construct,
    id: string,
    private readonly object: Record<string, unknown>,
    private readonly waitForRollout = false,
    /** Create/update timeout, e.g. "30m". @default - the provider's (10m) */
    private readonly timeout?: string,
    /**
     * Fields a controller changes after apply, which Terraform must not revert (the provider's
     * `computed_fields`; its default is metadata.labels and metadata.annotations, kept here).
     * @default - the provider's default
     */
    private readonly computedFields?: readonly string[],
  ) {
    super(scope, id, {
      terraformResourceType: "kubernetes_manifest",
      terraformGeneratorMetadata: { providerName: "kubernetes", providerVersion: "2.38.0", providerVersionConstraint: "~> 2.0" },
    });
  }

  /** The exact manifest applied. */
  public get manifest(): Record<string, unknown> {
    return this.object;
  }

  protected synthesizeAttributes(): Record<string, unknown> {
    return {
      manifest: this.object,
      ...(this.waitForRollout ? { wait: { rollout: true } } : {}),
      ...(this.timeout ? { timeouts: { create: this.timeout, update: this.timeout } } : {}),
      ...(this.computedFields ? { computed_fields: ["metadata.labels", "metadata.annotations", ...this.computedFields] } : {}),
    };
  }
}
