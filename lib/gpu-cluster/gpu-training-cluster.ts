import { Construct } from "constructs";
import { ITerraformDependable, Token } from "cdktf";
import { EksCluster } from "@cdktf/provider-aws/lib/eks-cluster";
import { EksNodeGroup } from "@cdktf/provider-aws/lib/eks-node-group";
import { EksAddon } from "@cdktf/provider-aws/lib/eks-addon";
import { EksAccessEntry } from "@cdktf/provider-aws/lib/eks-access-entry";
import { EksAccessPolicyAssociation } from "@cdktf/provider-aws/lib/eks-access-policy-association";
import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { Environment, IEnvironmentScope } from "../core/environment";
import { IEnvironmentKey } from "../core/environment-key";
import { ConfigError, addConfigValidation, formatValue } from "../core/errors";
import { ConditionalResources, StackRecord } from "../core/stack-records";
import { policyDocument } from "../iam/policy-statement";
import { ServiceAccountRole, ServiceAccountRoleOptions, roleName } from "../iam/service-account-role";
import { INetwork } from "../network/network";
import { POOL_LABEL } from "../kubernetes/kubernetes";
import { SecureBucket } from "../storage/secure-bucket";
import { GpuPoolInfo, ITrainingCluster } from "./cluster-interface";
import { GpuWorstCase, PoolWorstCase, gpuWorstCase, overBudgetMessage, poolsWorstCase } from "./gpu-budget";
import { GpuPool } from "./gpu-pool";
import { GPU_PROVISIONERS, GpuPoolOptions, GpuProvisioner, SYSTEM_POOL_NAME } from "./gpu-pool-options";
import { KARPENTER_NAMESPACE, KARPENTER_SERVICE_ACCOUNT, KarpenterResources } from "./karpenter-resources";
import { ClusterAccessEntry, ClusterAccessPolicy } from "./cluster-access";
import { ClusterCapacity } from "./cluster-capacity";
import { EKS_ADDON_WORKLOADS } from "./private/eks-addon-workloads";
import { ImageRepository } from "./image-repository";
import { DEFAULT_KUBERNETES_VERSION } from "./kubernetes-versions";
import { validateCluster } from "./private/cluster-validation";
import { clusterAutoscalerStatements, ebsCsiKmsStatements, serviceTrustPolicy } from "./private/add-on-policies";
import { nodeLaunchTemplate } from "./private/node-launch-template";
import { PoolSpec, gpuPoolShape, poolPath, resolvePoolSpec } from "./private/pool-spec";
import { ImportedTrainingCluster } from "./private/imported-cluster";
import { LibraryShapes, Shape, checkShape } from "../core/shape";
import { claimPhysicalName } from "../core/physical-names";

/** A GPU pool declared in the cluster's props. */
export interface GpuPoolProps extends GpuPoolOptions {
  /** The pool's name: its POOL_LABEL value and part of its AWS names. */
  readonly name: string;
}

export interface GpuTrainingClusterProps {
  readonly network: INetwork;
  /** The environment key: secrets envelope encryption, node volumes, logs, ECR, datasets. */
  readonly key: IEnvironmentKey;
  /** @default - `<env prefix>-training` */
  readonly clusterName?: string;
  /** @default - DEFAULT_KUBERNETES_VERSION */
  readonly kubernetesVersion?: string;
  /**
   * IAM principals admitted to the cluster, each with its EKS access policies. The environment's
   * `deployRoleArn` (the identity that runs Terraform, also for the platform stacks' kubernetes and
   * helm providers) is admitted as cluster admin without being listed here; the identity that
   * creates the cluster gets no implicit admin.
   * @default - none besides the environment's deployRoleArn
   */
  readonly accessEntries?: readonly ClusterAccessEntry[];
  /**
   * CIDRs allowed to reach a public API endpoint. Never 0.0.0.0/0 in production.
   * @default - none: the endpoint is private only
   */
  readonly publicAccessCidrs?: readonly string[];
  /** @default "m6i.large" */
  readonly systemNodeInstanceType?: string;
  /** @default - 1 in development, 2 in staging, 3 in production */
  readonly systemNodeCount?: number;
  /** GPU pools; more can be added with `addGpuPool`. @default - none */
  readonly gpuPools?: readonly GpuPoolProps[];
  /** Namespace whose `training` service account reads and writes the datasets bucket. @default "training" */
  readonly trainingNamespace?: string;
  /** @default - `<env prefix>-datasets-<account id>` (`<clusterName>-datasets-<account id>` for a cluster with its own name) */
  readonly datasetsBucketName?: string;
  /**
   * What provisions GPU pools that do not choose for themselves: managed node groups under
   * cluster-autoscaler, or Karpenter NodePools (see the gpu-cluster README, "Karpenter").
   * The system node group is always a managed node group.
   * @default "cluster-autoscaler"
   */
  readonly provisioner?: GpuProvisioner;
}

/**
 * What `GpuTrainingCluster.fromAttributes` needs to know about a cluster another app created:
 * the values its stack outputs, and its pools as it declared them.
 */
export interface TrainingClusterAttributes {
  /** The EKS cluster's name, a plain string (platform stacks look the cluster up by it). */
  readonly clusterName: string;
  /** ARN of the cluster's IAM OIDC provider (the owner's `oidcProviderArn`), which IRSA roles made here trust. */
  readonly oidcProviderArn: string;
  /** The cluster's OIDC issuer URL. @default - https:// and the issuer that oidcProviderArn names */
  readonly oidcIssuerUrl?: string;
  /** The security group on every node of the cluster (the owner's `workloadSecurityGroupId`), which databases and caches admit. */
  readonly workloadSecurityGroupId: string;
  /** The cluster's VPC (`Network.fromAttributes(...)` or a Network of this app). */
  readonly network: INetwork;
  /** The environment key (`EnvironmentKey.fromAttributes(...)` or an EnvironmentKey of this app). */
  readonly key: IEnvironmentKey;
  /**
   * The cluster's GPU pools, as the owning app declares them (the same props): endpoints and
   * training place GPU pods on them by name. Nothing is created for them here.
   * @default - none: GPU endpoints and distributed training are refused
   */
  readonly gpuPools?: readonly GpuPoolProps[];
  /**
   * The system node group as created (the owner's `systemNodeInstanceType` and a max of twice
   * its `systemNodeCount`). With it, the capacity model checks every workload placed from this
   * app against the system pool and the GPU pools (and the EKS add-ons' pods); without it the
   * pools are unknown and the checks are skipped, with the reason in the stack's `//.capacity`.
   * @default - unknown: capacity checks skipped
   */
  readonly systemNodePool?: SystemNodePoolAttributes;
  /** The namespace of the cluster's shared `training` service account (the owner's `trainingNamespace`). @default "training" (as GpuTrainingCluster) */
  readonly trainingNamespace?: string;
  /** Prefix of the IAM role names made here for service accounts. @default - as GpuTrainingCluster: the environment's prefix for `<prefix>-training`, else the cluster name */
  readonly resourceNamePrefix?: string;
  /** The cluster's default provisioner of GPU pools that do not name one. @default "cluster-autoscaler" */
  readonly provisioner?: GpuProvisioner;
}

/** An imported cluster's system node group, for its capacity model. */
export interface SystemNodePoolAttributes {
  /** Instance types of the group (of the system node catalog, SYSTEM_INSTANCES). */
  readonly instanceTypes: readonly string[];
  /** The group's maximum node count. */
  readonly maxNodes: number;
}

/** The five EKS control-plane log types. */
const CONTROL_PLANE_LOGS = ["api", "audit", "authenticator", "controllerManager", "scheduler"];
const MANAGED = (name: string) => `arn:aws:iam::aws:policy/${name}`;

/** Every pool of the environment's clusters; pool names carry the cluster's name when there are several clusters. */
function environmentWorstCase(clusters: readonly GpuTrainingCluster[]): GpuWorstCase {
  return gpuWorstCase(
    clusters.flatMap((c) => {
      const pools = c.worstCase.pools;
      return clusters.length > 1 ? pools.map((p) => ({ ...p, name: `${c.clusterName}/${p.name}` })) : pools;
    }),
  );
}

/** Where each cluster records its pools' worst case in its stack's JSON, for the synth summary. */
export const GPU_WORST_CASE_KEY = "gpu_worst_case";

/**
 * The EKS cluster ML teams train on. Private API endpoint, API authentication mode with
 * access entries, secrets envelope-encrypted with the environment key, every control-plane
 * log; an OIDC provider for IRSA; a CPU system node group for add-ons; GPU pools that scale
 * to zero; the EKS add-ons (VPC CNI, CoreDNS, kube-proxy, EBS CSI); ECR repositories for
 * training and serving images; a datasets bucket; and the IRSA role of cluster-autoscaler,
 * which `GpuClusterAddons` installs in a platform stack.
 *
 * The GPU budget guard runs at synth, over every cluster of the environment: the pools'
 * worst case (every pool at maxNodes, on demand, 730 hours) must stay within the
 * environment's gpuMonthlyBudgetUsd.
 */
export class GpuTrainingCluster extends Construct implements ITrainingCluster {
  /**
   * A cluster created by another app, for the constructs of this one that run on a cluster
   * (MonitoredEndpoint, MlflowServer, FeatureServer, Observability, DistributedTraining, IRSA
   * roles through `addServiceAccountRole`, a ModelRegistry or FeatureStore placed in its VPC).
   * Nothing of the cluster is created or changed. It cannot take GPU pools (`addGpuPool`),
   * GpuClusterAddons or a KarpenterController: those belong to the app that owns the cluster;
   * its pools join this app's GPU budget there, not here. Each attribute is checked: a
   * malformed ARN or ID, or a pool its owner could not have declared, is a ConfigError.
   */
  public static fromAttributes(scope: Construct, id: string, attrs: TrainingClusterAttributes): ITrainingCluster {
    return new ImportedTrainingCluster(scope, id, attrs);
  }

  public readonly clusterName: string;
  /** Prefix of the names of the cluster's IAM roles, ECR repositories and datasets bucket: the environment's prefix for its default cluster, else the cluster name. */
  public readonly resourceNamePrefix: string;
  public readonly network: INetwork;
  public readonly key: IEnvironmentKey;
  public readonly kubernetesVersion: string;
  public readonly eksCluster: EksCluster;
  public readonly oidcProvider: IamOpenidConnectProvider;
  public readonly clusterRole: IamRole;
  public readonly nodeRole: IamRole;
  public readonly workloadSecurityGroup: SecurityGroup;
  public readonly systemNodeGroup: EksNodeGroup;
  public readonly pools: GpuPool[] = [];
  public readonly clusterAutoscalerRole: ServiceAccountRole;
  public readonly ebsCsiRole: ServiceAccountRole;
  public readonly datasets: SecureBucket;
  /** IRSA role of `<trainingNamespace>/training`: read/write on the datasets bucket. */
  public readonly trainingRole: ServiceAccountRole;
  public readonly trainingNamespace: string;
  public readonly trainingImages: ImageRepository;
  public readonly servingImages: ImageRepository;
  /** Every principal admitted to the cluster: the environment's deployRoleArn (cluster admin) first, then `accessEntries`. */
  public readonly accessEntries: readonly ClusterAccessEntry[];
  public readonly publicAccessCidrs: readonly string[];
  public readonly systemNodeCount: number;
  /** Provisioner of pools that do not name one. */
  public readonly provisioner: GpuProvisioner;
  private karpenterResources?: KarpenterResources;
  private readonly workloadSecurityGroupTags: Record<string, string>;
  /** The system node group's instance type. */
  public readonly systemNodeInstanceType: string;
  /** The capacity model: pools and workloads, checked at synth (see ClusterCapacity). */
  public readonly capacity: ClusterCapacity;
  private readonly env: Environment;
  private readonly nodeDependencies: ITerraformDependable[];
  private readonly subnetIdsByZone: Map<string, string>;

  constructor(scope: Construct, id: string, props: GpuTrainingClusterProps) {
    super(scope, id);
    checkShape(this.node.path, props, {
      network: LibraryShapes.network,
      key: LibraryShapes.key,
      clusterName: Shape.optional(Shape.string()),
      kubernetesVersion: Shape.optional(Shape.string()),
      accessEntries: Shape.optional(
        Shape.array(
          Shape.object(
            {
              principalArn: Shape.string(),
              accessPolicies: Shape.array(Shape.instanceOf(ClusterAccessPolicy, "ClusterAccessPolicy.CLUSTER_ADMIN, ADMIN, EDIT or VIEW")),
              namespaces: Shape.optional(Shape.array(Shape.string())),
            },
            "an access entry ({ principalArn, accessPolicies })",
          ),
        ),
      ),
      publicAccessCidrs: Shape.optional(Shape.array(Shape.string())),
      systemNodeInstanceType: Shape.optional(Shape.string()),
      systemNodeCount: Shape.optional(Shape.number()),
      gpuPools: Shape.optional(Shape.array(gpuPoolShape("required"))),
      trainingNamespace: Shape.optional(Shape.string()),
      datasetsBucketName: Shape.optional(Shape.string()),
      provisioner: Shape.optional(Shape.string()),
    });
    const env = Environment.of(this);
    this.env = env;
    if (typeof props.clusterName === "string" || props.clusterName === undefined) {
      claimPhysicalName(this, "EKS cluster", "clusterName", props.clusterName ?? `${env.prefix}-training`, "region");
    }
    this.clusterName = props.clusterName ?? `${env.prefix}-training`;
    // The environment's default cluster names its AWS resources after the environment; another
    // cluster in the same account names them after itself, so that their names never collide.
    this.resourceNamePrefix = this.clusterName === `${env.prefix}-training` ? env.prefix : this.clusterName;
    this.network = props.network;
    this.key = props.key;
    this.kubernetesVersion = props.kubernetesVersion ?? DEFAULT_KUBERNETES_VERSION;
    this.accessEntries = [...(env.deployRoleArn ? [{ principalArn: env.deployRoleArn, accessPolicies: [ClusterAccessPolicy.CLUSTER_ADMIN] }] : []), ...(props.accessEntries ?? [])];
    this.publicAccessCidrs = props.publicAccessCidrs ?? [];
    const systemInstanceType = props.systemNodeInstanceType ?? "m6i.large";
    this.systemNodeCount = props.systemNodeCount ?? env.byTier({ development: 1, staging: 2, production: 3 });
    this.systemNodeInstanceType = systemInstanceType;
    this.trainingNamespace = props.trainingNamespace ?? "training";
    this.provisioner = props.provisioner ?? "cluster-autoscaler";
    if (!GPU_PROVISIONERS.includes(this.provisioner)) {
      throw new ConfigError([`${this.node.path}: provisioner is ${formatValue(this.provisioner)}; must be one of ${GPU_PROVISIONERS.map((p) => `"${p}"`).join(", ")}`]);
    }
    validateCluster(this.node.path, env, {
      kubernetesVersion: this.kubernetesVersion,
      clusterName: this.clusterName,
      publicAccessCidrs: this.publicAccessCidrs,
      accessEntries: props.accessEntries ?? [],
      systemNodeCount: this.systemNodeCount,
      systemInstanceType,
      trainingNamespace: this.trainingNamespace,
      network: props.network,
    });

    // ---- control plane ----
    this.clusterRole = new IamRole(this, "cluster-role", {
      name: roleName(`${this.clusterName}-cluster`),
      assumeRolePolicy: serviceTrustPolicy("eks.amazonaws.com"),
    });
    const clusterPolicy = new IamRolePolicyAttachment(this, "cluster-policy", { role: this.clusterRole.name, policyArn: MANAGED("AmazonEKSClusterPolicy") });
    const clusterKms = new IamRolePolicy(this, "cluster-encryption", {
      role: this.clusterRole.id,
      name: "secrets-envelope-encryption",
      policy: policyDocument([{ actions: ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"], resources: [props.key.keyArn] }]),
    });
    // Created before the cluster, so that EKS does not create it unencrypted and without retention.
    const logGroup = new CloudwatchLogGroup(this, "control-plane-logs", {
      name: `/aws/eks/${this.clusterName}/cluster`,
      retentionInDays: env.byTier({ development: 30, staging: 365, production: 365 }),
      kmsKeyId: props.key.keyArn,
    });
    this.eksCluster = new EksCluster(this, "cluster", {
      name: this.clusterName,
      version: this.kubernetesVersion,
      roleArn: this.clusterRole.arn,
      vpcConfig: {
        subnetIds: [...props.network.privateSubnetIds],
        endpointPrivateAccess: true,
        endpointPublicAccess: this.publicAccessCidrs.length > 0,
        ...(this.publicAccessCidrs.length > 0 ? { publicAccessCidrs: [...this.publicAccessCidrs] } : {}),
      },
      accessConfig: {
        authenticationMode: "API",
        // No implicit admin for whoever happens to create the cluster (a one-time setting: changing it
        // replaces the cluster). Admins are the access entries below, declared and reviewable.
        bootstrapClusterCreatorAdminPermissions: false,
      },
      encryptionConfig: { resources: ["secrets"], provider: { keyArn: props.key.keyArn } },
      enabledClusterLogTypes: CONTROL_PLANE_LOGS,
      // Extended support costs six times standard support: an unplanned upgrade gap should fail loudly, not bill quietly.
      upgradePolicy: { supportType: "STANDARD" },
      // The add-ons below are EKS-managed; no unmanaged copies to take over.
      bootstrapSelfManagedAddons: false,
      dependsOn: [clusterPolicy, clusterKms, logGroup],
    });
    this.oidcProvider = new IamOpenidConnectProvider(this, "oidc-provider", {
      url: this.oidcIssuerUrl,
      clientIdList: ["sts.amazonaws.com"],
      // No thumbprint (optional in the pinned aws provider 5.100.0): IAM trusts the EKS OIDC issuer through its own CA library.
      tags: { Name: `${this.clusterName}-irsa` },
    });
    this.accessEntries.forEach((access, i) => {
      // IDs by role name: adding or removing one entry leaves the others' addresses alone.
      const name =
        i === 0 && env.deployRoleArn
          ? "deploy-role"
          : access.principalArn
              .split("/")
              .pop()!
              .replace(/[^A-Za-z0-9-]+/g, "-");
      const entry = new EksAccessEntry(this, `access-${name}`, { clusterName: this.eksCluster.name, principalArn: access.principalArn, type: "STANDARD" });
      for (const policy of access.accessPolicies) {
        new EksAccessPolicyAssociation(this, `access-${name}-${policy.name}`, {
          clusterName: this.eksCluster.name,
          principalArn: entry.principalArn,
          policyArn: policy.policyArn,
          accessScope: access.namespaces ? { type: "namespace", namespaces: [...access.namespaces] } : { type: "cluster" },
        });
      }
    });

    // ---- nodes ----
    this.nodeRole = new IamRole(this, "node-role", { name: roleName(`${this.clusterName}-node`), assumeRolePolicy: serviceTrustPolicy("ec2.amazonaws.com") });
    // The AWS managed node policies, nothing more: pods cannot use the node role (IMDS hop limit 1) and get AWS access through IRSA.
    const nodePolicies = ["AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryPullOnly"].map(
      (p) => new IamRolePolicyAttachment(this, `node-${p}`, { role: this.nodeRole.name, policyArn: MANAGED(p) }),
    );
    this.workloadSecurityGroupTags = { Name: `${this.clusterName}-workloads` };
    this.workloadSecurityGroup = new SecurityGroup(this, "workload-sg", {
      name: `${this.clusterName}-workloads`,
      description: `Every node (and pod) of ${this.clusterName}; databases and caches admit this group`,
      vpcId: props.network.vpcId,
      tags: { ...this.workloadSecurityGroupTags },
    });
    // Node-to-node traffic of any kind: EFA requires it, and pods talk across nodes.
    new VpcSecurityGroupIngressRule(this, "workload-sg-self", {
      securityGroupId: this.workloadSecurityGroup.id,
      referencedSecurityGroupId: this.workloadSecurityGroup.id,
      ipProtocol: "-1",
      description: "node to node",
    });
    new VpcSecurityGroupEgressRule(this, "workload-sg-self-egress", {
      securityGroupId: this.workloadSecurityGroup.id,
      referencedSecurityGroupId: this.workloadSecurityGroup.id,
      ipProtocol: "-1",
      description: "node to node (EFA requires it explicitly)",
    });
    new VpcSecurityGroupEgressRule(this, "workload-sg-egress", {
      securityGroupId: this.workloadSecurityGroup.id,
      cidrIpv4: "0.0.0.0/0",
      ipProtocol: "-1",
      description: "images, AWS APIs and datasets through NAT and the S3 endpoint",
    });

    this.subnetIdsByZone = new Map(env.availabilityZones.map((az, i) => [az, props.network.privateSubnetIds[i]]));
    const networking = [
      // The VPC CNI enforces NetworkPolicies only with enableNetworkPolicy (off by default; its node
      // agent runs in aws-node, nodeAgent.enabled defaults to true: aws/amazon-vpc-cni-k8s v1.23.0
      // charts/aws-vpc-cni/values.yaml; EKS user guide "Configure your cluster for Kubernetes network
      // policies"). The policy controller runs in the EKS control plane.
      this.addon("vpc-cni", { before: "nodes", configurationValues: { enableNetworkPolicy: "true" } }),
      this.addon("kube-proxy", { before: "nodes" }),
    ];
    this.nodeDependencies = [...nodePolicies, ...networking];
    const systemName = `${this.clusterName}-system`;
    const systemTemplate = nodeLaunchTemplate(this, "system-launch-template", {
      name: systemName,
      keyArn: props.key.keyArn,
      rootVolumeGiB: 50,
      securityGroupIds: this.nodeSecurityGroupIds,
      efaInterfaces: 0,
      tags: { Name: systemName },
    });
    this.systemNodeGroup = new EksNodeGroup(this, "system-nodes", {
      clusterName: this.eksCluster.name,
      // Nodes follow the control plane: a Kubernetes upgrade rolls them in place, after it.
      version: this.eksCluster.version,
      nodeGroupNamePrefix: "system-",
      nodeRoleArn: this.nodeRole.arn,
      subnetIds: [...props.network.privateSubnetIds],
      amiType: "AL2023_x86_64_STANDARD",
      capacityType: "ON_DEMAND",
      instanceTypes: [systemInstanceType],
      scalingConfig: { minSize: this.systemNodeCount, desiredSize: this.systemNodeCount, maxSize: this.systemNodeCount * 2 },
      labels: { [POOL_LABEL]: SYSTEM_POOL_NAME },
      launchTemplate: { id: systemTemplate.id, version: Token.asString(systemTemplate.latestVersion) },
      updateConfig: { maxUnavailable: 1 },
      nodeRepairConfig: { enabled: true },
      tags: { Name: systemName },
      dependsOn: this.nodeDependencies,
      lifecycle: { createBeforeDestroy: true, ignoreChanges: ["scaling_config[0].desired_size"] },
    });

    // ---- add-ons that need running nodes, and IRSA roles of cluster components ----
    this.ebsCsiRole = this.addServiceAccountRole("ebs-csi-role", {
      namespace: "kube-system",
      serviceAccount: "ebs-csi-controller-sa",
      statements: ebsCsiKmsStatements(props.key.keyArn),
    });
    new IamRolePolicyAttachment(this, "ebs-csi-managed-policy", { role: this.ebsCsiRole.role.name, policyArn: MANAGED("service-role/AmazonEBSCSIDriverPolicy") });
    this.addon("coredns", { before: "workloads" });
    // The resource metrics API (metrics.k8s.io) that every HorizontalPodAutoscaler on CPU or
    // memory reads; without it HPAs never scale. The EKS community add-on of kubernetes-sigs/metrics-server.
    this.addon("metrics-server", { before: "workloads" });
    this.addon("aws-ebs-csi-driver", {
      before: "workloads",
      serviceAccountRoleArn: this.ebsCsiRole.roleArn,
      // The node plugin must run on tainted GPU nodes too, or pods there cannot mount volumes.
      configurationValues: { node: { tolerateAllTaints: true } },
    });
    this.clusterAutoscalerRole = this.addServiceAccountRole("cluster-autoscaler-role", {
      namespace: "kube-system",
      serviceAccount: "cluster-autoscaler",
      statements: clusterAutoscalerStatements(env, this.clusterName),
    });

    // ---- images and datasets ----
    this.trainingImages = new ImageRepository(this, "training-images", { repositoryName: `${this.resourceNamePrefix}/training`, key: props.key });
    this.servingImages = new ImageRepository(this, "serving-images", { repositoryName: `${this.resourceNamePrefix}/serving`, key: props.key });
    this.datasets = new SecureBucket(this, "datasets", {
      bucketName: props.datasetsBucketName ?? `${this.resourceNamePrefix}-datasets-${env.accountId}`,
      key: props.key,
    });
    this.trainingRole = this.addServiceAccountRole("training-role", { namespace: this.trainingNamespace, serviceAccount: "training" });
    this.datasets.grantReadWrite(this.trainingRole);

    // ---- capacity model: the system pool, the EKS add-ons' pods; GPU pools join in addPools ----
    this.capacity = new ClusterCapacity(this, "capacity");
    this.capacity.addPool({
      name: SYSTEM_POOL_NAME,
      instanceTypes: [systemInstanceType],
      maxNodes: this.systemNodeCount * 2,
      labels: { [POOL_LABEL]: SYSTEM_POOL_NAME, "eks.amazonaws.com/capacityType": "ON_DEMAND" },
    });
    for (const workload of EKS_ADDON_WORKLOADS) this.capacity.addWorkload(this, workload);

    if (this.provisioner === "karpenter") this.ensureKarpenter();
    this.addPools(props.gpuPools ?? []);
    ConditionalResources.of(this).record("gpuPools", () => this.pools.map((p) => p.spec.name).join(", ") || "none", {
      creates: () => this.pools.map((p) => p.node.id),
      reason: "GPU pools are declared per environment",
    });
    // The budget covers every cluster of the environment, whatever the order they and their
    // pools are declared in: judged once the tree is complete, reported by the environment's first cluster.
    addConfigValidation(this, () => this.budgetProblems());
    // Read by the synth summary from the synthesized stack (computed at synth: pools may be added later).
    StackRecord.of<{ cluster: string; pools: readonly PoolWorstCase[] }>(this, GPU_WORST_CASE_KEY).addLazy(() => ({ cluster: this.clusterName, pools: this.worstCase.pools }));
  }

  /**
   * Karpenter's AWS resources (controller role, node role, interruption queue): created with
   * the cluster when its provisioner is "karpenter", else with its first Karpenter pool;
   * undefined while no pool uses Karpenter.
   */
  public get karpenter(): KarpenterResources | undefined {
    return this.karpenterResources;
  }

  private ensureKarpenter(): KarpenterResources {
    this.karpenterResources ??= new KarpenterResources(this, "karpenter", {
      clusterName: this.clusterName,
      eksClusterName: this.eksCluster.name,
      clusterSecurityGroupId: this.eksCluster.vpcConfig.clusterSecurityGroupId,
      // The group is this cluster's own resource: the tag goes into its tags (an aws_ec2_tag on it would fight them).
      tagWorkloadSecurityGroup: (tags) => {
        Object.assign(this.workloadSecurityGroupTags, tags);
        this.workloadSecurityGroup.tags = { ...this.workloadSecurityGroupTags };
      },
      network: this.network,
      key: this.key,
      addControllerRole: (id) => this.addServiceAccountRole(id, { namespace: KARPENTER_NAMESPACE, serviceAccount: KARPENTER_SERVICE_ACCOUNT }),
    });
    return this.karpenterResources;
  }

  // Made once: every read of a resource attribute is a new cdktf token, and cdktf records a stack trace for each (README.md, Performance).
  private oidcIssuerUrlToken?: string;
  private oidcProviderArnToken?: string;

  public get oidcIssuerUrl(): string {
    return (this.oidcIssuerUrlToken ??= this.eksCluster.identity.get(0).oidc.get(0).issuer);
  }

  public get oidcProviderArn(): string {
    return (this.oidcProviderArnToken ??= this.oidcProvider.arn);
  }

  public get workloadSecurityGroupId(): string {
    return this.workloadSecurityGroup.id;
  }

  public get gpuPools(): readonly GpuPoolInfo[] {
    return this.pools.map((p) => p.info);
  }

  /** The environment's GPU budget against every pool of its clusters; reported by the first cluster only. */
  private budgetProblems(): string[] {
    // The app's top-level scopes of this environment only (a stack of another environment holds none of its
    // clusters): walking the whole app once per cluster was 3-4 ms each for the reference app's three.
    const scopes = this.node.root.node.children.filter((c) => {
      const env = (c as Partial<IEnvironmentScope>).environment;
      return !(env instanceof Environment) || env === this.env;
    });
    const clusters = scopes.flatMap((s) => s.node.findAll()).filter((c): c is GpuTrainingCluster => c instanceof GpuTrainingCluster && c.env === this.env);
    if (clusters[0] !== this) return [];
    const over = overBudgetMessage(this.node.path, this.env, environmentWorstCase(clusters));
    return over ? [over] : [];
  }

  /** Every pool at maxNodes on demand for a month. */
  public get worstCase(): GpuWorstCase {
    return poolsWorstCase(this.pools.map((p) => p.spec));
  }

  public addServiceAccountRole(id: string, options: ServiceAccountRoleOptions): ServiceAccountRole {
    return new ServiceAccountRole(this, id, { ...options, identity: this });
  }

  /**
   * Adds a GPU pool. Throws a ConfigError for invalid options or a name already taken; the
   * GPU budget (every pool of the environment's clusters) is judged at synth.
   */
  public addGpuPool(name: string, options: GpuPoolOptions): GpuPool {
    checkShape(
      poolPath(this.node.path, String(name)),
      { name, options },
      {
        name: Shape.string(),
        options: gpuPoolShape("optional"),
      },
    );
    return this.addPools([{ ...options, name }])[0];
  }

  /** Validates pools together (names, budget) before creating any of them. */
  private addPools(pools: readonly GpuPoolProps[]): GpuPool[] {
    const problems: string[] = [];
    const specs: PoolSpec[] = [];
    const taken = new Set(this.pools.map((p) => p.spec.name));
    for (const pool of pools) {
      if (taken.has(pool.name)) {
        problems.push(`${poolPath(this.node.path, pool.name)}: name is ${formatValue(pool.name)}; a pool of that name already exists: every pool needs its own name`);
        continue;
      }
      taken.add(pool.name);
      try {
        specs.push(resolvePoolSpec(this.node.path, pool.name, pool, this.env, this.provisioner));
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        problems.push(...err.problems);
      }
    }
    if (problems.length > 0) throw new ConfigError(problems);
    if (specs.some((s) => s.provisioner === "karpenter")) this.ensureKarpenter();
    return specs.map((spec) => {
      const pool = new GpuPool(this, `gpu-pool-${spec.name}`, spec, {
        clusterName: this.clusterName,
        eksClusterName: this.eksCluster.name,
        eksClusterVersion: this.eksCluster.version,
        nodeRoleArn: this.nodeRole.arn,
        keyArn: this.key.keyArn,
        subnetIdsByZone: this.subnetIdsByZone,
        securityGroupIds: this.nodeSecurityGroupIds,
        dependsOn: this.nodeDependencies,
      });
      this.pools.push(pool);
      this.capacity.addPool(pool.capacity);
      return pool;
    });
  }

  /** The EKS-created cluster security group (control plane <-> nodes) and the workload group. */
  private get nodeSecurityGroupIds(): string[] {
    return [this.eksCluster.vpcConfig.clusterSecurityGroupId, this.workloadSecurityGroup.id];
  }

  private addon(name: string, opts: { before: "nodes" | "workloads"; serviceAccountRoleArn?: string; configurationValues?: object }): EksAddon {
    return new EksAddon(this, `addon-${name}`, {
      clusterName: this.eksCluster.name,
      addonName: name,
      // No addon_version: EKS picks the default version for the cluster's Kubernetes version, and
      // a cluster upgrade moves it along. Pin here if an add-on release must be held back.
      resolveConflictsOnCreate: "OVERWRITE",
      resolveConflictsOnUpdate: "PRESERVE",
      ...(opts.serviceAccountRoleArn ? { serviceAccountRoleArn: opts.serviceAccountRoleArn } : {}),
      ...(opts.configurationValues ? { configurationValues: JSON.stringify(opts.configurationValues) } : {}),
      // Networking add-ons go in before nodes join (nodes stay NotReady without a CNI); the others need nodes to run on.
      ...(opts.before === "workloads" ? { dependsOn: [this.systemNodeGroup] } : {}),
    });
  }
}
