import { Construct } from "constructs";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { ClusterCapacity, EnvironmentKey, GpuPoolInfo, ITrainingCluster, Network, ServiceAccountRole, ServiceAccountRoleOptions } from "../../lib";

/**
 * A small ITrainingCluster made of real resources (network, key, security group, OIDC
 * provider) for unit tests of constructs that need a cluster but not its node groups.
 * Reference stacks and Terraform plans use the real GpuTrainingCluster.
 */
export class TestCluster extends Construct implements ITrainingCluster {
  public readonly clusterName: string;
  public readonly network: Network;
  public readonly key: EnvironmentKey;
  public readonly workloadSecurityGroupId: string;
  public readonly oidcProviderArn: string;
  public readonly oidcIssuerUrl = "https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
  public readonly gpuPools: GpuPoolInfo[];
  /** No pools declared: workloads register, the capacity check does not run (as for a cluster whose nodes are unknown). */
  public readonly capacity: ClusterCapacity;

  constructor(scope: Construct, id: string, opts: { gpuPools?: GpuPoolInfo[]; clusterName?: string } = {}) {
    super(scope, id);
    this.clusterName = opts.clusterName ?? "ml-test-training";
    this.key = new EnvironmentKey(this, "kms");
    this.network = new Network(this, "network", { key: this.key });
    this.workloadSecurityGroupId = new SecurityGroup(this, "nodes", { vpcId: this.network.vpcId, name: "test-nodes" }).id;
    this.oidcProviderArn = new IamOpenidConnectProvider(this, "oidc", { url: this.oidcIssuerUrl, clientIdList: ["sts.amazonaws.com"] }).arn;
    this.gpuPools = opts.gpuPools ?? [];
    this.capacity = new ClusterCapacity(this, "capacity");
  }

  public addServiceAccountRole(id: string, options: ServiceAccountRoleOptions): ServiceAccountRole {
    return new ServiceAccountRole(this, id, { ...options, identity: this });
  }
}

export const A10G_POOL: GpuPoolInfo = {
  name: "general",
  instanceTypes: ["g5.xlarge"],
  gpuModel: "A10G",
  gpusPerNode: 1,
  nodeSelector: { "ml-platform/pool": "general" },
  maxNodes: 4,
  efaInterfacesPerNode: 0,
};
