import { Environment } from "../../core/environment";
import { Validator } from "../../core/errors";
import { parseCidr } from "../../core/private/cidr";
import { Network } from "../../network/network";
import { SUPPORTED_KUBERNETES_VERSIONS, isSupportedKubernetesVersion } from "../kubernetes-versions";

const ADMIN_ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@\/-]{1,512}$/;

/** The cluster's settings after defaults, as validateCluster judges them. */
export interface ResolvedClusterSettings {
  readonly kubernetesVersion: string;
  readonly clusterName: string;
  readonly publicAccessCidrs: readonly string[];
  readonly adminRoleArns: readonly string[];
  readonly systemNodeCount: number;
  readonly systemInstanceType: string;
  readonly network: Network;
}

/** Throws one ConfigError listing every problem of a GpuTrainingCluster's settings. */
export function validateCluster(where: string, env: Environment, c: ResolvedClusterSettings): void {
  const v = new Validator(where);
  v.check(isSupportedKubernetesVersion(c.kubernetesVersion), "kubernetesVersion", c.kubernetesVersion,
    `must be one of ${SUPPORTED_KUBERNETES_VERSIONS.join(", ")} (versions EKS and the pinned aws provider support; see SUPPORTED_KUBERNETES_VERSIONS)`);
  v.check(/^[a-zA-Z][a-zA-Z0-9-]{0,99}$/.test(c.clusterName), "clusterName", c.clusterName,
    "must be 1 to 100 letters, digits or '-', starting with a letter");
  for (const cidr of c.publicAccessCidrs) {
    v.check(parseCidr(cidr) !== undefined, "publicAccessCidrs", cidr, "must be IPv4 CIDR blocks such as 203.0.113.0/24");
    v.check(!(env.isProduction && cidr === "0.0.0.0/0"), "publicAccessCidrs", cidr,
      "a production cluster's API must not be open to the whole internet: list your VPN or office ranges, or leave publicAccessCidrs unset for a private endpoint");
  }
  for (const arn of c.adminRoleArns) {
    v.check(ADMIN_ROLE_ARN.test(arn), "adminRoleArns", arn, "must be IAM role ARNs such as arn:aws:iam::123456789012:role/platform-admin");
  }
  v.check(Number.isInteger(c.systemNodeCount) && c.systemNodeCount >= 1, "systemNodeCount", c.systemNodeCount, "must be a whole number >= 1");
  v.check(!(env.isProduction && c.systemNodeCount < 2), "systemNodeCount", c.systemNodeCount,
    "production needs at least 2 system nodes, so that CoreDNS and the add-ons survive losing one");
  v.check(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/.test(c.systemInstanceType), "systemNodeInstanceType", c.systemInstanceType,
    "must be an EC2 instance type such as m6i.large");
  v.check(c.network.privateSubnets.length === env.availabilityZones.length, "network", c.network.node.path,
    "must be the environment's network, with one private subnet per zone");
  v.throwIfAny();
}
