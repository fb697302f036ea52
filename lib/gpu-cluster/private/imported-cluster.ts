import { Construct } from "constructs";
import { Environment } from "../../core/environment";
import { ConfigError, Validator, formatValue, isUnresolved } from "../../core/errors";
import { LibraryShapes, Shape, checkShape } from "../../core/shape";
import { EKS_OIDC_PROVIDER_ARN, namespaceProblem, oidcProviderArnProblem, securityGroupIdProblem } from "../../core/validators";
import { IEnvironmentKey } from "../../core/environment-key";
import { INetwork } from "../../network/network";
import { ServiceAccountRole, ServiceAccountRoleOptions } from "../../iam/service-account-role";
import { POOL_LABEL } from "../../kubernetes/kubernetes";
import { ClusterCapacity } from "../cluster-capacity";
import { GpuPoolInfo, ITrainingCluster } from "../cluster-interface";
import { GPU_PROVISIONERS, GpuProvisioner, SYSTEM_POOL_NAME } from "../gpu-pool-options";
import { systemInstanceSpec } from "../system-instances";
import type { TrainingClusterAttributes } from "../gpu-training-cluster";
import { EKS_ADDON_WORKLOADS } from "./eks-addon-workloads";
import { gpuPoolCapacity, gpuPoolInfo } from "./pool-info";
import { PoolSpec, gpuPoolShape, resolvePoolSpec } from "./pool-spec";

/** EKS cluster names (EKS API Reference, CreateCluster `name`). */
const CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/;

/** Why the capacity model of an import without declared system nodes is not checked. */
export const UNDECLARED_POOLS_REASON = "imported cluster without systemNodePool: its node pools are unknown to this app, so workloads are recorded but not checked against them";

/**
 * A cluster created by another app, known by its attributes (GpuTrainingCluster.fromAttributes).
 * It creates nothing of the cluster: IRSA roles (addServiceAccountRole) need only the OIDC
 * provider; GPU pools and system nodes are declared as created, so that endpoints and training
 * place pods on them and the capacity model can check them.
 */
export class ImportedTrainingCluster extends Construct implements ITrainingCluster {
  public readonly clusterName: string;
  public readonly oidcProviderArn: string;
  public readonly oidcIssuerUrl: string;
  public readonly resourceNamePrefix: string;
  public readonly workloadSecurityGroupId: string;
  public readonly network: INetwork;
  public readonly key: IEnvironmentKey;
  public readonly trainingNamespace: string;
  public readonly gpuPools: readonly GpuPoolInfo[];
  public readonly capacity: ClusterCapacity;

  constructor(scope: Construct, id: string, attrs: TrainingClusterAttributes) {
    super(scope, id);
    checkShape(this.node.path, attrs, {
      clusterName: Shape.string({ nonEmpty: true }),
      oidcProviderArn: Shape.string({ nonEmpty: true }),
      oidcIssuerUrl: Shape.optional(Shape.string()),
      workloadSecurityGroupId: Shape.string({ nonEmpty: true }),
      network: LibraryShapes.network,
      key: LibraryShapes.key,
      gpuPools: Shape.optional(Shape.array(gpuPoolShape("required"))),
      // One problem for the whole object when it lacks its fields; the fields' values are checked below.
      systemNodePool: Shape.optional(Shape.like('{ instanceTypes: ["m6i.xlarge"], maxNodes: 2 }', ["instanceTypes", "maxNodes"])),
      trainingNamespace: Shape.optional(Shape.string()),
      resourceNamePrefix: Shape.optional(Shape.string()),
      provisioner: Shape.optional(Shape.string()),
    });
    const env = Environment.of(this);
    const v = new Validator(this.node.path);
    // A plain string: platform stacks look the cluster up by name, and pool names embed it.
    if (isUnresolved(attrs.clusterName)) {
      v.fail("clusterName is a reference (a token); must be the EKS cluster's name as a plain string: platform stacks look the cluster up by it");
    } else {
      v.check(
        CLUSTER_NAME.test(attrs.clusterName),
        "clusterName",
        attrs.clusterName,
        "must be the EKS cluster's name: 1 to 100 letters, digits, '-' or '_', starting with a letter or digit",
      );
    }
    const providerProblem = oidcProviderArnProblem(attrs.oidcProviderArn, env.region);
    v.checkProblem("oidcProviderArn", attrs.oidcProviderArn, providerProblem);
    // A token (another stack's output in the same app) cannot be parsed: the issuer must then be given.
    v.check(
      !(isUnresolved(attrs.oidcProviderArn) && attrs.oidcIssuerUrl === undefined),
      "oidcIssuerUrl",
      attrs.oidcIssuerUrl,
      "is required when oidcProviderArn is not a literal ARN: the issuer cannot be read from a reference",
    );
    const issuer = EKS_OIDC_PROVIDER_ARN.exec(attrs.oidcProviderArn);
    const derivedIssuer = issuer ? `https://${issuer[1]}` : undefined;
    if (attrs.oidcIssuerUrl !== undefined && derivedIssuer !== undefined) {
      // IRSA trust policies name the issuer: one that is not the provider's would let no pod assume its role.
      v.check(attrs.oidcIssuerUrl === derivedIssuer, "oidcIssuerUrl", attrs.oidcIssuerUrl, `must be the issuer of oidcProviderArn, ${derivedIssuer} (or omitted)`);
    }
    const sgProblem = securityGroupIdProblem(attrs.workloadSecurityGroupId);
    v.checkProblem("workloadSecurityGroupId", attrs.workloadSecurityGroupId, sgProblem);
    if (attrs.trainingNamespace !== undefined) {
      v.checkProblem("trainingNamespace", attrs.trainingNamespace, namespaceProblem(attrs.trainingNamespace));
    }
    const provisioner = (attrs.provisioner ?? "cluster-autoscaler") as GpuProvisioner;
    v.check(GPU_PROVISIONERS.includes(provisioner), "provisioner", provisioner, `must be one of ${GPU_PROVISIONERS.map((p) => formatValue(p)).join(", ")}`);
    const system = attrs.systemNodePool;
    if (system !== undefined) {
      v.check(
        Array.isArray(system.instanceTypes) && system.instanceTypes.length > 0 && system.instanceTypes.every((t) => typeof t === "string"),
        "systemNodePool.instanceTypes",
        system.instanceTypes,
        "must be a list of at least one instance type",
      );
      v.check(Number.isInteger(system.maxNodes) && system.maxNodes >= 1, "systemNodePool.maxNodes", system.maxNodes, "must be a whole number >= 1");
    }
    if (!v.hasProblem("systemNodePool.instanceTypes"))
      system?.instanceTypes.forEach((type, i) => {
        v.check(
          systemInstanceSpec(type) !== undefined,
          `systemNodePool.instanceTypes[${i}]`,
          type,
          "must be an instance type of the system node catalog (SYSTEM_INSTANCES), whose capacity is known",
        );
      });
    // The pools as the owning app declared them (the same props): their options are checked as there.
    const specs: PoolSpec[] = [];
    const names = new Set<string>();
    for (const pool of attrs.gpuPools ?? []) {
      if (names.has(pool.name)) {
        v.fail(`gpuPools: pool ${formatValue(pool.name)} is declared twice; every pool needs its own name`);
        continue;
      }
      names.add(pool.name);
      try {
        specs.push(resolvePoolSpec(this.node.path, pool.name, pool, env, provisioner));
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        v.addProblems(err.problems);
      }
    }
    v.throwIfAny();

    this.clusterName = attrs.clusterName;
    this.oidcProviderArn = attrs.oidcProviderArn;
    this.oidcIssuerUrl = attrs.oidcIssuerUrl ?? derivedIssuer!;
    // As GpuTrainingCluster names them, so that roles made here follow the owning app's names.
    this.resourceNamePrefix = attrs.resourceNamePrefix ?? (this.clusterName === `${env.prefix}-training` ? env.prefix : this.clusterName);
    this.workloadSecurityGroupId = attrs.workloadSecurityGroupId;
    this.network = attrs.network;
    this.key = attrs.key;
    // Every GpuTrainingCluster has one (default "training"): its training alerts and dashboards cover it.
    this.trainingNamespace = attrs.trainingNamespace ?? "training";
    this.gpuPools = specs.map(gpuPoolInfo);

    this.capacity = new ClusterCapacity(this, "capacity");
    if (attrs.systemNodePool) {
      this.capacity.addPool({
        name: SYSTEM_POOL_NAME,
        instanceTypes: [...attrs.systemNodePool.instanceTypes],
        maxNodes: attrs.systemNodePool.maxNodes,
        labels: { [POOL_LABEL]: SYSTEM_POOL_NAME, "eks.amazonaws.com/capacityType": "ON_DEMAND" },
      });
      for (const spec of specs) this.capacity.addPool(gpuPoolCapacity(spec));
      // The EKS add-ons' pods run on every cluster GpuTrainingCluster makes; their DaemonSets take room on every node.
      for (const workload of EKS_ADDON_WORKLOADS) this.capacity.addWorkload(this, workload);
    } else {
      this.capacity.skipChecks(UNDECLARED_POOLS_REASON);
    }
  }

  public addServiceAccountRole(id: string, options: ServiceAccountRoleOptions): ServiceAccountRole {
    return new ServiceAccountRole(this, id, { ...options, identity: this });
  }
}
