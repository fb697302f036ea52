import { Construct } from "constructs";
import { ITerraformDependable, TerraformResource } from "cdktf";

/** One argument of a typed resource: its value and the provider binding's converters for it. */
export interface TypedAttribute {
  readonly value: unknown;
  /** The binding's converter, e.g. deploymentV1SpecToTerraform or cdktf's stringToTerraform. */
  readonly toTerraform: (value: never) => unknown;
  /** The binding's HCL converter, e.g. deploymentV1SpecToHclTerraform. */
  readonly toHclTerraform: (value: never) => unknown;
  /** As in the binding's synthesizeHclAttributes, e.g. { isBlock: true, type: "list", storageClassType: "DeploymentV1SpecList" }. */
  readonly hcl: { readonly isBlock: boolean; readonly type: string; readonly storageClassType: string };
}

export interface TypedResourceProps {
  /** e.g. "kubernetes_deployment_v1". */
  readonly terraformResourceType: string;
  /** The binding constructor's terraformGeneratorMetadata (provider name, version, constraint). */
  readonly providerName: string;
  readonly providerVersion: string;
  readonly providerVersionConstraint: string;
  /** Terraform argument name -> value and converters, in the binding's order (HCL keeps it). */
  readonly attributes: Readonly<Record<string, TypedAttribute>>;
  /** @default - none */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * A typed provider resource that synthesizes what its generated binding class does (JSON and
 * HCL), from the binding's own exported converters, without constructing the binding: a binding
 * constructor builds an output reference for every nested block, and cdktf 0.21 captures a full
 * stack trace for each (a DeploymentV1: 37 per object, about 3 ms to construct under load; a
 * ServiceV1: 7). The library reads none of them. private/manifest.ts, network-policy-v1.ts and
 * helm-release.ts are the same idea written out for the resources the library makes most.
 *
 *     new TypedResource(scope, "deployment", {
 *       terraformResourceType: "kubernetes_deployment_v1",
 *       providerName: "kubernetes", providerVersion: "2.38.0", providerVersionConstraint: "~> 2.0",
 *       attributes: {
 *         metadata: { value: metadata, toTerraform: deploymentV1MetadataToTerraform, toHclTerraform: deploymentV1MetadataToHclTerraform,
 *                     hcl: { isBlock: true, type: "list", storageClassType: "DeploymentV1MetadataList" } },
 *         spec: { ... deploymentV1SpecToTerraform ... "DeploymentV1SpecList" },
 *       },
 *     });
 *
 * Check a new use with a synth of the binding and of this, JSON and SYNTH_HCL_OUTPUT=true:
 * test/lib/kubernetes/typed-resource.test.ts does it for a Deployment.
 */
export class TypedResource extends TerraformResource {
  private readonly attributes: Readonly<Record<string, TypedAttribute>>;

  constructor(scope: Construct, id: string, props: TypedResourceProps) {
    super(scope, id, {
      terraformResourceType: props.terraformResourceType,
      terraformGeneratorMetadata: { providerName: props.providerName, providerVersion: props.providerVersion, providerVersionConstraint: props.providerVersionConstraint },
      dependsOn: props.dependsOn,
    });
    this.attributes = props.attributes;
  }

  protected synthesizeAttributes(): { [name: string]: unknown } {
    return Object.fromEntries(Object.entries(this.attributes).map(([name, a]) => [name, a.toTerraform(a.value as never)]));
  }

  protected synthesizeHclAttributes(): { [name: string]: unknown } {
    return Object.fromEntries(
      Object.entries(this.attributes)
        .map(([name, a]) => [name, { value: a.toHclTerraform(a.value as never), ...a.hcl }] as const)
        .filter(([, a]) => a.value !== undefined),
    );
  }
}
