import { Construct } from "constructs";
import { ITerraformDependable, TerraformResource } from "cdktf";
import {
  NetworkPolicyV1Metadata,
  NetworkPolicyV1Spec,
  networkPolicyV1MetadataToHclTerraform,
  networkPolicyV1MetadataToTerraform,
  networkPolicyV1SpecToHclTerraform,
  networkPolicyV1SpecToTerraform,
} from "@cdktf/provider-kubernetes/lib/network-policy-v1";

/** What the library sets on a `kubernetes_network_policy_v1`. */
export interface NetworkPolicyResourceProps {
  readonly metadata: NetworkPolicyV1Metadata;
  readonly spec: NetworkPolicyV1Spec;
  /** @default - none */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * A typed `kubernetes_network_policy_v1` that synthesizes exactly what the provider binding's
 * `NetworkPolicyV1` does (the binding's own converters, JSON and HCL; same generator metadata),
 * without the binding's output references (metadata, spec, its ingress and egress lists, pod
 * selector and its expressions list): cdktf 0.21 captures a stack trace for each of them, seven
 * per policy, and the library never reads them. The reference app has 245 policies, so those
 * were 1,700 of its 5,300 stack traces. See private/manifest.ts for kubernetes_manifest.
 */
export class NetworkPolicyResource extends TerraformResource {
  private readonly metadata: NetworkPolicyV1Metadata;
  private readonly spec: NetworkPolicyV1Spec;

  constructor(scope: Construct, id: string, props: NetworkPolicyResourceProps) {
    super(scope, id, {
      // As the binding (@cdktf/provider-kubernetes 12.1.1, lib/network-policy-v1/index.js).
      terraformResourceType: "kubernetes_network_policy_v1",
      terraformGeneratorMetadata: { providerName: "kubernetes", providerVersion: "2.38.0", providerVersionConstraint: "~> 2.0" },
      dependsOn: props.dependsOn,
    });
    this.metadata = props.metadata;
    this.spec = props.spec;
  }

  protected synthesizeAttributes(): { [name: string]: unknown } {
    return {
      metadata: networkPolicyV1MetadataToTerraform(this.metadata),
      spec: networkPolicyV1SpecToTerraform(this.spec),
    };
  }

  protected synthesizeHclAttributes(): { [name: string]: unknown } {
    const attrs = {
      metadata: { value: networkPolicyV1MetadataToHclTerraform(this.metadata), isBlock: true, type: "list", storageClassType: "NetworkPolicyV1MetadataList" },
      spec: { value: networkPolicyV1SpecToHclTerraform(this.spec), isBlock: true, type: "list", storageClassType: "NetworkPolicyV1SpecList" },
    };
    return Object.fromEntries(Object.entries(attrs).filter(([, a]) => a.value !== undefined));
  }
}
