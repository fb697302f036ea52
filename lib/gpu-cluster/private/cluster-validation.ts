import { Environment } from "../../core/environment";
import { Validator } from "../../core/errors";
import { parseCidr } from "../../core/private/cidr";
import { Network } from "../../network/network";
import { namespaceProblem } from "../../core/validators";
import { SUPPORTED_KUBERNETES_VERSIONS, isSupportedKubernetesVersion } from "../kubernetes-versions";
import { SYSTEM_INSTANCES, systemInstanceSpec } from "../system-instances";

const ADMIN_ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@\/-]{1,512}$/;

/** The cluster's settings after defaults, as validateCluster judges them. */
export interface ResolvedClusterSettings {
  readonly kubernetesVersion: string;
  readonly clusterName: string;
  readonly publicAccessCidrs: readonly string[];
  readonly adminRoleArns: readonly string[];
  readonly systemNodeCount: number;
  readonly systemInstanceType: string;
  readonly trainingNamespace: string;
  readonly network: Network;
}

/** Throws one ConfigError listing every problem of a GpuTrainingCluster's settings. */
export function validateCluster(where: string, env: Environment, c: ResolvedClusterSettings): void {
  const v = new Validator(where);
  v.check(isSupportedKubernetesVersion(c.kubernetesVersion), "kubernetesVersion", c.kubernetesVersion,
    `must be one of ${SUPPORTED_KUBERNETES_VERSIONS.join(", ")} (versions EKS and the pinned aws provider support; see SUPPORTED_KUBERNETES_VERSIONS)`);
  v.check(/^[a-zA-Z][a-zA-Z0-9-]{0,99}$/.test(c.clusterName), "clusterName", c.clusterName,
    "must be 1 to 100 letters, digits or '-', starting with a letter");
  const blocks = c.publicAccessCidrs.map(parseCidr);
  c.publicAccessCidrs.forEach((cidr, i) => {
    v.check(blocks[i] !== undefined, `publicAccessCidrs[${i}]`, cidr,
      "must be an IPv4 CIDR block with no host bits set and no leading zeros, such as 203.0.113.0/24");
  });
  // Open to the internet in disguise: 0.0.0.0/1 + 128.0.0.0/1, or any wide block. Production
  // admits at most a /16 per entry and a /12's worth of addresses in all; outside production
  // an open endpoint stays the user's choice.
  const valid = blocks.filter((b): b is NonNullable<typeof b> => b !== undefined);
  const addresses = valid.reduce((sum, b) => sum + 2 ** (32 - b.prefix), 0);
  if (env.isProduction && valid.length === c.publicAccessCidrs.length) {
    const wide = c.publicAccessCidrs.filter((_, i) => blocks[i]!.prefix < 16);
    v.check(wide.length === 0 && addresses <= 2 ** 20, "publicAccessCidrs", c.publicAccessCidrs,
      `opens a production cluster's API to ${addresses === 2 ** 32 ? "the whole internet" : `${addresses.toLocaleString("en-US")} addresses`}: ` +
      "list your VPN or office ranges (each at most a /16), or leave publicAccessCidrs unset for a private endpoint");
  }
  for (const arn of c.adminRoleArns) {
    v.check(ADMIN_ROLE_ARN.test(arn), "adminRoleArns", arn, "must be IAM role ARNs such as arn:aws:iam::123456789012:role/platform-admin");
  }
  v.check(Number.isInteger(c.systemNodeCount) && c.systemNodeCount >= 1, "systemNodeCount", c.systemNodeCount, "must be a whole number >= 1");
  v.check(!(env.isProduction && c.systemNodeCount < 2), "systemNodeCount", c.systemNodeCount,
    "production needs at least 2 system nodes, so that CoreDNS and the add-ons survive losing one");
  v.check(systemInstanceSpec(c.systemInstanceType) !== undefined, "systemNodeInstanceType", c.systemInstanceType,
    `must be an x86_64 instance type of the system node catalog (SYSTEM_INSTANCES): families ${[...new Set(SYSTEM_INSTANCES.map((s) => s.instanceType.split(".")[0]))].join(", ")}, sizes large to 8xlarge`);
  v.check(namespaceProblem(c.trainingNamespace) === undefined, "trainingNamespace", c.trainingNamespace, namespaceProblem(c.trainingNamespace) ?? "");
  v.check(c.network.privateSubnets.length === env.availabilityZones.length, "network", c.network.node.path,
    "must be the environment's network, with one private subnet per zone");
  v.throwIfAny();
}
