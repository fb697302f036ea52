import { Testing } from "cdktf";
import { DEFAULT_KUBERNETES_VERSION, GpuInstance } from "../../../lib";
import { onlyResource, resourcesOfType } from "../../support/synth";
import { GENERAL, clusterJson, testCluster } from "./fixture";

const byName = (json: any, type: string, fragment: string): any => {
  const found = Object.entries(resourcesOfType(json, type)).filter(([n]) => n.includes(fragment));
  if (found.length !== 1) throw new Error(`expected one ${type} named *${fragment}*, found ${found.length}`);
  return found[0][1];
};

describe("GpuTrainingCluster: control plane", () => {
  const json = clusterJson();
  const eks = onlyResource(json, "aws_eks_cluster");

  test("runs the default Kubernetes version, named after the environment", () => {
    expect(eks.name).toBe("ml-test-training");
    expect(eks.version).toBe(DEFAULT_KUBERNETES_VERSION);
  });

  test("takes the Kubernetes version from the kubernetesVersion prop", () => {
    const other = onlyResource(clusterJson({}, { kubernetesVersion: "1.31" }), "aws_eks_cluster");
    expect(other.version).toBe("1.31");
  });

  test("uses API authentication mode", () => {
    expect(eks.access_config.authentication_mode).toBe("API");
  });

  test("envelope-encrypts secrets with the environment key", () => {
    expect(eks.encryption_config).toEqual({ resources: ["secrets"], provider: { key_arn: "${aws_kms_key.kms_key_28C05A0F.arn}" } });
  });

  test("enables all five control-plane log types into an encrypted log group created first", () => {
    expect(eks.enabled_cluster_log_types).toEqual(["api", "audit", "authenticator", "controllerManager", "scheduler"]);
    const group = byName(json, "aws_cloudwatch_log_group", "control-plane-logs");
    expect(group.name).toBe("/aws/eks/ml-test-training/cluster");
    expect(group.kms_key_id).toBe("${aws_kms_key.kms_key_28C05A0F.arn}");
    expect(eks.depends_on).toContainEqual(expect.stringMatching(/^aws_cloudwatch_log_group\.training_control-plane-logs_/));
  });

  test("has a private endpoint only, in the private subnets, by default", () => {
    expect(eks.vpc_config.endpoint_private_access).toBe(true);
    expect(eks.vpc_config.endpoint_public_access).toBe(false);
    expect(eks.vpc_config.public_access_cidrs).toBeUndefined();
    expect(eks.vpc_config.subnet_ids).toHaveLength(3);
    expect(eks.vpc_config.subnet_ids.every((s: string) => s.includes("aws_subnet.network_private"))).toBe(true);
  });

  test("opens a public endpoint to the given CIDRs only", () => {
    const other = onlyResource(clusterJson({}, { publicAccessCidrs: ["203.0.113.0/24"] }), "aws_eks_cluster");
    expect(other.vpc_config.endpoint_public_access).toBe(true);
    expect(other.vpc_config.public_access_cidrs).toEqual(["203.0.113.0/24"]);
  });

  test("stays on standard support (no silent extended-support billing)", () => {
    expect(eks.upgrade_policy).toEqual({ support_type: "STANDARD" });
  });

  test("the cluster role may use the environment key for envelope encryption only", () => {
    const policy = JSON.parse(byName(json, "aws_iam_role_policy", "cluster-encryption").policy);
    expect(policy.Statement).toEqual([
      { Effect: "Allow", Action: ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"], Resource: ["${aws_kms_key.kms_key_28C05A0F.arn}"] },
    ]);
    expect(byName(json, "aws_iam_role_policy_attachment", "cluster-policy").policy_arn).toBe("arn:aws:iam::aws:policy/AmazonEKSClusterPolicy");
  });

  test("the IAM OIDC provider trusts the cluster's issuer for STS, without a thumbprint lookup", () => {
    const oidc = onlyResource(json, "aws_iam_openid_connect_provider");
    expect(oidc.url).toMatch(/^\$\{aws_eks_cluster\.training_cluster_[0-9A-F]+\.identity\[0\]\.oidc\[0\]\.issuer\}$/);
    expect(oidc.client_id_list).toEqual(["sts.amazonaws.com"]);
    expect(oidc.thumbprint_list).toBeUndefined();
    expect(Object.keys(json.data ?? {})).not.toContain("tls_certificate");
  });
});

describe("GpuTrainingCluster: nodes and add-ons", () => {
  const json = clusterJson({}, { gpuPools: [GENERAL] });

  test("the node role has exactly the AWS managed node policies", () => {
    const attached = Object.entries(resourcesOfType(json, "aws_iam_role_policy_attachment"))
      .filter(([n]) => n.includes("training_node-"))
      .map(([, a]: any) => a.policy_arn)
      .sort();
    expect(attached).toEqual([
      "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly",
      "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
      "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
    ]);
    expect(Object.keys(resourcesOfType(json, "aws_iam_role_policy")).filter((n) => n.includes("node"))).toEqual([]);
  });

  test("the system node group is CPU, on demand, labelled as the system pool", () => {
    const system = byName(json, "aws_eks_node_group", "system-nodes");
    expect(system).toMatchObject({ ami_type: "AL2023_x86_64_STANDARD", capacity_type: "ON_DEMAND", instance_types: ["m6i.large"], labels: { "ml-platform/pool": "system" } });
    expect(system.scaling_config).toEqual({ min_size: 1, desired_size: 1, max_size: 2 });
  });

  test("production runs at least the production default of 3 system nodes", () => {
    const prod = clusterJson({ tier: "production", name: "prod" });
    expect(byName(prod, "aws_eks_node_group", "system-nodes").scaling_config.min_size).toBe(3);
  });

  test("the workload security group admits node-to-node traffic", () => {
    const sg = Object.values(resourcesOfType(json, "aws_security_group")).find((g: any) => !/vpc-endpoints$/.test(g.name)) as any;
    expect(sg.name).toBe("ml-test-training-workloads");
    const self = byName(json, "aws_vpc_security_group_ingress_rule", "workload-sg-self");
    expect(self.ip_protocol).toBe("-1");
    expect(self.referenced_security_group_id).toMatch(/^\$\{aws_security_group\.training_workload-sg_[0-9A-F]+\.id\}$/);
    expect(self.security_group_id).toBe(self.referenced_security_group_id);
  });

  test("installs vpc-cni, kube-proxy, coredns, the EBS CSI driver and metrics-server as EKS add-ons", () => {
    const names = Object.values(resourcesOfType(json, "aws_eks_addon"))
      .map((a: any) => a.addon_name)
      .sort();
    expect(names).toEqual(["aws-ebs-csi-driver", "coredns", "kube-proxy", "metrics-server", "vpc-cni"]);
    // metrics-server runs as pods: it waits for the system nodes.
    expect(byName(json, "aws_eks_addon", "metrics-server").depends_on).toEqual([expect.stringContaining("aws_eks_node_group.training_system-nodes")]);
  });

  test("networking add-ons precede the node groups; coredns waits for the system nodes", () => {
    const gpu = byName(json, "aws_eks_node_group", "gpu-pool-general");
    expect(gpu.depends_on).toEqual(
      expect.arrayContaining([expect.stringMatching(/^aws_eks_addon\.training_addon-vpc-cni_/), expect.stringMatching(/^aws_eks_addon\.training_addon-kube-proxy_/)]),
    );
    expect(byName(json, "aws_eks_addon", "coredns").depends_on).toEqual([expect.stringContaining("aws_eks_node_group.training_system-nodes")]);
  });

  test("the EBS CSI driver runs as its own IRSA role with the managed policy and grants on the environment key", () => {
    const addon = byName(json, "aws_eks_addon", "aws-ebs-csi-driver");
    expect(addon.service_account_role_arn).toMatch(/aws_iam_role\.training_ebs-csi-role_[0-9A-F]+\.arn/);
    expect(JSON.parse(addon.configuration_values)).toEqual({ node: { tolerateAllTaints: true } });
    const policy = JSON.parse(byName(json, "aws_iam_role_policy", "ebs-csi-role").policy);
    expect(policy.Statement[0]).toEqual({
      Sid: "GrantsForEncryptedVolumes",
      Effect: "Allow",
      Action: ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
      Resource: ["${aws_kms_key.kms_key_28C05A0F.arn}"],
      Condition: { Bool: { "kms:GrantIsForAWSResource": "true" } },
    });
    expect(byName(json, "aws_iam_role_policy_attachment", "ebs-csi-managed").policy_arn).toBe("arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy");
  });

  test("the cluster-autoscaler role may only resize Auto Scaling groups this cluster owns", () => {
    const policy = JSON.parse(byName(json, "aws_iam_role_policy", "cluster-autoscaler-role").policy);
    const scale = policy.Statement.find((s: any) => s.Sid === "ScaleOwnNodeGroups");
    expect(scale).toEqual({
      Sid: "ScaleOwnNodeGroups",
      Effect: "Allow",
      Action: ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
      Resource: ["arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:*:autoScalingGroupName/eks-*"],
      Condition: { StringEquals: { "aws:ResourceTag/k8s.io/cluster-autoscaler/ml-test-training": "owned" } },
    });
    const nodegroups = policy.Statement.find((s: any) => s.Sid === "DescribeOwnNodeGroups");
    expect(nodegroups.Resource).toEqual(["arn:aws:eks:us-east-1:123456789012:nodegroup/ml-test-training/*/*"]);
  });

  test("the cluster-autoscaler role trusts only its service account", () => {
    const role = byName(json, "aws_iam_role", "cluster-autoscaler-role");
    expect(role.assume_role_policy).toContain("system:serviceaccount:kube-system:cluster-autoscaler");
  });
});

describe("GpuTrainingCluster: images and datasets", () => {
  const json = clusterJson();

  test("training and serving repositories: immutable tags, scan on push, KMS with the environment key", () => {
    const repos = Object.values(resourcesOfType(json, "aws_ecr_repository")) as any[];
    expect(repos.map((r) => r.name).sort()).toEqual(["ml-test/serving", "ml-test/training"]);
    for (const r of repos) {
      expect(r).toMatchObject({
        image_tag_mutability: "IMMUTABLE",
        image_scanning_configuration: { scan_on_push: true },
        encryption_configuration: [{ encryption_type: "KMS", kms_key: "${aws_kms_key.kms_key_28C05A0F.arn}" }],
      });
    }
  });

  test("each repository expires untagged images and caps the image count", () => {
    const policies = Object.values(resourcesOfType(json, "aws_ecr_lifecycle_policy")) as any[];
    expect(policies).toHaveLength(2);
    const rules = JSON.parse(policies[0].policy).rules;
    expect(rules.map((r: any) => [r.selection.tagStatus, r.selection.countType, r.selection.countNumber])).toEqual([
      ["untagged", "sinceImagePushed", 14],
      ["any", "imageCountMoreThan", 500],
    ]);
  });

  test("the datasets bucket is a SecureBucket encrypted with the environment key", () => {
    // (and the stack's access-log bucket, which SecureBucket adds)
    expect(
      Object.values<any>(json.resource.aws_s3_bucket)
        .map((b) => b.bucket)
        .sort(),
    ).toEqual(["ml-test-datasets-123456789012", "test-infra-access-logs-123456789012"]);
    const sse = Object.values<any>(json.resource.aws_s3_bucket_server_side_encryption_configuration).find(
      (r) => r.bucket === "${aws_s3_bucket.training_datasets_bucket_CEE0B01E.id}",
    );
    expect(sse.rule[0].apply_server_side_encryption_by_default.kms_master_key_id).toBe("${aws_kms_key.kms_key_28C05A0F.arn}");
  });

  test("the training namespace's service account reads and writes the datasets bucket", () => {
    const role = byName(json, "aws_iam_role", "training-role");
    expect(role.assume_role_policy).toContain("system:serviceaccount:training:training");
    const policy = JSON.parse(byName(json, "aws_iam_role_policy", "training-role").policy);
    const objects = policy.Statement.find((s: any) => s.Action.includes("s3:PutObject"));
    expect(objects.Resource).toEqual([expect.stringMatching(/^\$\{aws_s3_bucket\.training_datasets_bucket_[0-9A-F]+\.arn\}\/\*$/)]);
  });
});

describe("GpuTrainingCluster: contract", () => {
  test("implements ITrainingCluster with a plain-string name and the pools declared", () => {
    const { cluster } = testCluster({}, { gpuPools: [GENERAL] });
    cluster.addGpuPool("big", { instanceTypes: [GpuInstance.of("g6e.xlarge")], maxNodes: 1 });
    expect(cluster.clusterName).toBe("ml-test-training");
    expect(cluster.gpuPools).toEqual([
      {
        name: "general",
        instanceTypes: ["g5.xlarge"],
        gpuModel: "A10G",
        gpusPerNode: 1,
        nodeSelector: { "ml-platform/pool": "general" },
        provisioner: "cluster-autoscaler",
        podAnnotations: {},
        maxNodes: 2,
        efaInterfacesPerNode: 0,
      },
      {
        name: "big",
        instanceTypes: ["g6e.xlarge"],
        gpuModel: "L40S",
        gpusPerNode: 1,
        nodeSelector: { "ml-platform/pool": "big" },
        provisioner: "cluster-autoscaler",
        podAnnotations: {},
        maxNodes: 1,
        efaInterfacesPerNode: 0,
      },
    ]);
  });

  test("addServiceAccountRole trusts the cluster's OIDC provider for that service account", () => {
    const { stack, cluster } = testCluster();
    const role = cluster.addServiceAccountRole("reader", { namespace: "jobs", serviceAccount: "reader" });
    expect(role.roleArn).toBeDefined();
    const json = JSON.parse(Testing.synth(stack));
    const trust = byName(json, "aws_iam_role", "reader").assume_role_policy;
    expect(trust).toContain("aws_iam_openid_connect_provider.training_oidc-provider");
    expect(trust).toContain("system:serviceaccount:jobs:reader");
  });
});
