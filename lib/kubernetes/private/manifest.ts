import { Construct } from "constructs";
import {
  ITerraformDependable,
  TerraformResource,
  anyToHclTerraform,
  anyToTerraform,
  hashMapper,
  hashMapperHcl,
  listMapper,
  listMapperHcl,
  stringToHclTerraform,
  stringToTerraform,
} from "cdktf";
import {
  ManifestTimeouts,
  ManifestWait,
  manifestTimeoutsToHclTerraform,
  manifestTimeoutsToTerraform,
  manifestWaitToHclTerraform,
  manifestWaitToTerraform,
} from "@cdktf/provider-kubernetes/lib/manifest";

/** What the library sets on a `kubernetes_manifest` (a subset of the provider binding's ManifestConfig). */
export interface KubernetesManifestProps {
  /** The object applied. */
  readonly manifest: Record<string, unknown>;
  /** @default - none */
  readonly dependsOn?: ITerraformDependable[];
  /** What Terraform waits for after apply (conditions, fields, rollout). @default - nothing */
  readonly wait?: ManifestWait;
  /** @default - the provider's */
  readonly timeouts?: ManifestTimeouts;
  /** Fields a controller changes after apply, which Terraform must not revert. @default - the provider's (metadata.labels, metadata.annotations) */
  readonly computedFields?: string[];
}

/**
 * A `kubernetes_manifest` resource that synthesizes exactly what the provider binding's
 * `Manifest` does (same attributes through the binding's own converters, JSON and HCL), without
 * building the binding's output references (wait_for, field_manager, timeouts, wait and its
 * condition list), which the library never reads. cdktf 0.21 captures and formats a full stack
 * trace for each of those five (no switch turns it off), which was most of the time a
 * `kubernetes_manifest` took to construct: about 0.35 ms each, 0.6 ms with a deep construct tree.
 */
export class KubernetesManifest extends TerraformResource {
  /** The object applied (the binding's `manifest` getter returns a token instead). */
  public readonly object: Record<string, unknown>;
  private readonly wait?: ManifestWait;
  private readonly timeouts?: ManifestTimeouts;
  private readonly computedFields?: string[];

  constructor(scope: Construct, id: string, props: KubernetesManifestProps) {
    super(scope, id, {
      // As the binding (@cdktf/provider-kubernetes 12.1.1, lib/manifest/index.js).
      terraformResourceType: "kubernetes_manifest",
      terraformGeneratorMetadata: { providerName: "kubernetes", providerVersion: "2.38.0", providerVersionConstraint: "~> 2.0" },
      dependsOn: props.dependsOn,
    });
    this.object = props.manifest;
    this.wait = props.wait;
    this.timeouts = props.timeouts;
    this.computedFields = props.computedFields;
  }

  protected synthesizeAttributes(): { [name: string]: unknown } {
    return {
      computed_fields: listMapper(stringToTerraform, false)(this.computedFields),
      manifest: hashMapper(anyToTerraform)(this.object),
      timeouts: manifestTimeoutsToTerraform(this.timeouts),
      wait: manifestWaitToTerraform(this.wait),
    };
  }

  protected synthesizeHclAttributes(): { [name: string]: unknown } {
    const attrs = {
      computed_fields: { value: listMapperHcl(stringToHclTerraform, false)(this.computedFields), isBlock: false, type: "list", storageClassType: "stringList" },
      manifest: { value: hashMapperHcl(anyToHclTerraform)(this.object), isBlock: false, type: "map", storageClassType: "anyMap" },
      timeouts: { value: manifestTimeoutsToHclTerraform(this.timeouts), isBlock: true, type: "list", storageClassType: "ManifestTimeoutsList" },
      wait: { value: manifestWaitToHclTerraform(this.wait), isBlock: true, type: "list", storageClassType: "ManifestWaitList" },
    };
    return Object.fromEntries(Object.entries(attrs).filter(([, a]) => a.value !== undefined));
  }
}
