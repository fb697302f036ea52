import { Environment } from "../../core/environment";
import { Validator } from "../../core/errors";
import { parseCidr } from "../../core/private/cidr";
import { INetwork } from "../../network/network";
import { namespaceProblem, principalArnProblem } from "../../core/validators";
import { SUPPORTED_KUBERNETES_VERSIONS, isSupportedKubernetesVersion } from "../kubernetes-versions";
import { SYSTEM_INSTANCES, systemInstanceSpec } from "../system-instances";
import { ClusterAccessEntry, ClusterAccessPolicy } from "../cluster-access";

/** The cluster's settings after defaults, as validateCluster judges them. */
export interface ResolvedClusterSettings {
  readonly kubernetesVersion: string;
  readonly clusterName: string;
  readonly publicAccessCidrs: readonly string[];
  readonly accessEntries: readonly ClusterAccessEntry[];
  readonly systemNodeCount: number;
  readonly systemInstanceType: string;
  readonly trainingNamespace: string;
  readonly network: INetwork;
}

/** Throws one ConfigError listing every problem of a GpuTrainingCluster's settings. */
export function validateCluster(where: string, env: Environment, c: ResolvedClusterSettings): void {
  const v = new Validator(where);
  v.check(
    isSupportedKubernetesVersion(c.kubernetesVersion),
    "kubernetesVersion",
    c.kubernetesVersion,
    `must be one of ${SUPPORTED_KUBERNETES_VERSIONS.join(", ")} (versions EKS and the pinned aws provider support; see SUPPORTED_KUBERNETES_VERSIONS)`,
  );
  v.check(/^[a-zA-Z][a-zA-Z0-9-]{0,99}$/.test(c.clusterName), "clusterName", c.clusterName, "must be 1 to 100 letters, digits or '-', starting with a letter");
  const blocks = c.publicAccessCidrs.map(parseCidr);
  c.publicAccessCidrs.forEach((cidr, i) => {
    v.check(blocks[i] !== undefined, `publicAccessCidrs[${i}]`, cidr, "must be an IPv4 CIDR block with no host bits set and no leading zeros, such as 203.0.113.0/24");
  });
  // Open to the internet in disguise: 0.0.0.0/1 + 128.0.0.0/1, or any wide block. Production
  // admits at most a /16 per entry and a /12's worth of addresses in all; outside production
  // an open endpoint stays the user's choice.
  const valid = blocks.filter((b): b is NonNullable<typeof b> => b !== undefined);
  const addresses = valid.reduce((sum, b) => sum + 2 ** (32 - b.prefix), 0);
  if (env.isProduction && valid.length === c.publicAccessCidrs.length) {
    const wide = c.publicAccessCidrs.filter((_, i) => blocks[i]!.prefix < 16);
    const ok = wide.length === 0 && addresses <= 2 ** 20;
    // The message only when it is needed: the first toLocaleString of a process loads ICU (about 10 ms of every production synth).
    v.check(
      ok,
      "publicAccessCidrs",
      c.publicAccessCidrs,
      ok
        ? ""
        : `opens a production cluster's API to ${addresses === 2 ** 32 ? "the whole internet" : `${addresses.toLocaleString("en-US")} addresses`}: ` +
            "list your VPN or office ranges (each at most a /16), or leave publicAccessCidrs unset for a private endpoint",
    );
  }
  const principals = [...(env.deployRoleArn ? [env.deployRoleArn] : []), ...c.accessEntries.map((e) => e.principalArn)];
  c.accessEntries.forEach((e, i) => {
    const problem = principalArnProblem(e.principalArn);
    v.checkProblem(`accessEntries[${i}].principalArn`, e.principalArn, problem);
    v.check(
      principals.indexOf(e.principalArn) === principals.lastIndexOf(e.principalArn),
      `accessEntries[${i}].principalArn`,
      e.principalArn,
      e.principalArn === env.deployRoleArn
        ? "is the environment's deployRoleArn, which is admitted as cluster admin already; remove this entry"
        : "appears twice; EKS admits one access entry per principal: merge their accessPolicies",
    );
    v.check(e.accessPolicies.length > 0, `accessEntries[${i}].accessPolicies`, [], "must list at least one ClusterAccessPolicy");
    for (const [j, ns] of (e.namespaces ?? []).entries()) v.checkProblem(`accessEntries[${i}].namespaces[${j}]`, ns, namespaceProblem(ns));
    v.check(
      !(e.namespaces && e.accessPolicies.includes(ClusterAccessPolicy.CLUSTER_ADMIN)),
      `accessEntries[${i}].namespaces`,
      e.namespaces,
      "ClusterAccessPolicy.CLUSTER_ADMIN applies to the whole cluster; use ADMIN, EDIT or VIEW for namespaces",
    );
  });
  const admins = env.deployRoleArn !== undefined || c.accessEntries.some((e) => !e.namespaces && e.accessPolicies.includes(ClusterAccessPolicy.CLUSTER_ADMIN));
  v.check(
    admins,
    "accessEntries",
    c.accessEntries.map((e) => e.principalArn),
    "no principal could administer the cluster (its creator gets no implicit admin): set deployRoleArn in the environment config " +
      "(the role that runs Terraform, also for the platform stacks), or add an entry with ClusterAccessPolicy.CLUSTER_ADMIN",
  );
  v.check(Number.isInteger(c.systemNodeCount) && c.systemNodeCount >= 1, "systemNodeCount", c.systemNodeCount, "must be a whole number >= 1");
  v.check(
    !(env.isProduction && c.systemNodeCount < 2),
    "systemNodeCount",
    c.systemNodeCount,
    "production needs at least 2 system nodes, so that CoreDNS and the add-ons survive losing one",
  );
  v.check(
    systemInstanceSpec(c.systemInstanceType) !== undefined,
    "systemNodeInstanceType",
    c.systemInstanceType,
    `must be an x86_64 instance type of the system node catalog (SYSTEM_INSTANCES): families ${[...new Set(SYSTEM_INSTANCES.map((s) => s.instanceType.split(".")[0]))].join(", ")}, sizes large to 8xlarge`,
  );
  v.checkProblem("trainingNamespace", c.trainingNamespace, namespaceProblem(c.trainingNamespace));
  v.check(
    c.network.privateSubnetIds.length === env.availabilityZones.length,
    "network",
    c.network.node.path,
    "must be the environment's network, with one private subnet per zone",
  );
  v.throwIfAny();
}
