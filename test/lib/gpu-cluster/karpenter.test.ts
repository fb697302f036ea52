import { TerraformStack } from "cdktf";
import { Capacity, GpuClusterAddons, GpuInstance, GpuPoolProps, InfraStack, KarpenterController, PlatformStack } from "../../../lib";
import { helmRelease, unknownReleaseKeys } from "../../support/chart-values";
import { errorOf, resourcesOfType } from "../../support/synth";
import { crdSchemaErrors } from "../../support/crd-schema";
import { checkRules, describeWithPromtool, testRules } from "../../support/promtool";
import { GENERAL, clusterJson, platformFor, synthApp, testCluster } from "./fixture";

/** One declaration, used with both provisioners. */
const VISION: GpuPoolProps = {
  name: "vision",
  instanceTypes: [GpuInstance.of("g5.xlarge"), GpuInstance.of("g5.2xlarge")],
  capacity: Capacity.spot(),
  maxNodes: 3,
  diskSizeGiB: 300,
  labels: { team: "vision" },
};

const ofPool = (json: any, type: string, pool: string) => Object.entries(resourcesOfType(json, type)).filter(([n]) => n.startsWith(`training_gpu-pool-${pool}_`));
const karpenterOf = (json: any, type: string): any[] =>
  Object.entries(resourcesOfType(json, type))
    .filter(([n]) => n.startsWith("training_karpenter_"))
    .map(([, r]) => r);

/** The cluster's infra JSON and the platform JSON (KarpenterController in an addons stack, GpuClusterAddons in a platform stack). */
function karpenterApp(pools: GpuPoolProps[], props: { provisioner?: "karpenter" | "cluster-autoscaler" } = {}) {
  const { cluster, stack } = testCluster({}, { gpuPools: pools, ...props });
  const infra = stack as InfraStack;
  const addons = new PlatformStack(cluster.node.root, "test-addons", { environment: infra.environment, clusterName: cluster.clusterName });
  const karpenter = new KarpenterController(addons, "karpenter", { cluster });
  const platform = platformFor(cluster);
  const gpuAddons = new GpuClusterAddons(platform, "gpu-addons", { cluster, karpenter });
  const platformJson = synthApp(platform);
  const read = (s: TerraformStack) => synthApp(s);
  return { cluster, karpenter, gpuAddons, platformJson, addonsJson: read(addons), infraJson: read(infra) };
}

describe("Karpenter pools: the same declaration, either provisioner", () => {
  const managed = clusterJson({}, { gpuPools: [VISION] });
  const built = karpenterApp([{ ...VISION, provisioner: "karpenter" }]);
  const manifests = (kind: string) =>
    Object.values(resourcesOfType(built.platformJson, "kubernetes_manifest"))
      .map((m: any) => m.manifest)
      .filter((m) => m.kind === kind);

  test("with cluster-autoscaler the declaration is a managed node group with autoscaler tags", () => {
    expect(ofPool(managed, "aws_eks_node_group", "vision")).toHaveLength(1);
    expect(ofPool(managed, "aws_autoscaling_group_tag", "vision").length).toBeGreaterThan(0);
    expect(karpenterOf(managed, "aws_sqs_queue")).toEqual([]);
  });

  test("with Karpenter it creates no node group, launch template or Auto Scaling group tag", () => {
    for (const type of ["aws_eks_node_group", "aws_launch_template", "aws_autoscaling_group_tag", "aws_placement_group"]) {
      expect([type, ofPool(built.infraJson, type, "vision")]).toEqual([type, []]);
    }
    expect(built.cluster.pools[0].nodeGroup).toBeUndefined();
    expect(built.cluster.gpuPools[0]).toMatchObject({ name: "vision", provisioner: "karpenter", podAnnotations: { "karpenter.sh/do-not-disrupt": "true" } });
  });

  test("the NodePool carries the pool's labels and taint, its instance types and capacity type, and limits from maxNodes", () => {
    const [pool] = manifests("NodePool");
    expect(pool.metadata.name).toBe("vision");
    expect(pool.spec.template.metadata.labels).toEqual({ team: "vision", "ml-platform/pool": "vision", "ml-platform/gpu-model": "A10G", "ml-platform/gpu": "true" });
    expect(pool.spec.template.spec.taints).toEqual([{ key: "nvidia.com/gpu", value: "true", effect: "NoSchedule" }]);
    expect(pool.spec.template.spec.requirements).toEqual([
      { key: "node.kubernetes.io/instance-type", operator: "In", values: ["g5.xlarge", "g5.2xlarge"] },
      { key: "karpenter.sh/capacity-type", operator: "In", values: ["spot"] },
    ]);
    // 3 nodes x 1 GPU; 3 x the largest type (g5.2xlarge: 8 vCPU, 32 GiB).
    expect(pool.spec.limits).toEqual({ "nvidia.com/gpu": "3", cpu: "24", memory: "96Gi" });
    expect(pool.spec.disruption).toEqual({ consolidationPolicy: "WhenEmptyOrUnderutilized", consolidateAfter: "10m" });
    expect(pool.spec.template.spec.nodeClassRef).toEqual({ group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: "vision" });
  });

  test("both provisioners give the pool's nodes the same labels, taint, instance types, capacity type and ceiling", () => {
    const [, group] = ofPool(managed, "aws_eks_node_group", "vision")[0] as [string, any];
    const [pool] = manifests("NodePool");
    const { "k8s.amazonaws.com/accelerator": autoscalerOnly, ...groupLabels } = group.labels;
    expect(autoscalerOnly).toBe("nvidia-a10g"); // cluster-autoscaler's GPU label, meaningless to Karpenter
    expect(pool.spec.template.metadata.labels).toEqual(groupLabels);
    const effect = { NO_SCHEDULE: "NoSchedule" } as Record<string, string>;
    expect(pool.spec.template.spec.taints).toEqual(group.taint.map((t: any) => ({ ...t, effect: effect[t.effect] })));
    const requirement = (key: string) => pool.spec.template.spec.requirements.find((r: any) => r.key === key).values;
    expect(requirement("node.kubernetes.io/instance-type")).toEqual(group.instance_types);
    expect(requirement("karpenter.sh/capacity-type")).toEqual([{ SPOT: "spot", ON_DEMAND: "on-demand" }[group.capacity_type as string]]);
    expect(Number(pool.spec.limits["nvidia.com/gpu"])).toBe(group.scaling_config.max_size * 1);
    const [, template] = ofPool(managed, "aws_launch_template", "vision")[0] as [string, any];
    const [nodeClass] = manifests("EC2NodeClass");
    expect(nodeClass.spec.blockDeviceMappings[0].ebs.volumeSize).toBe(`${template.block_device_mappings[0].ebs.volume_size}Gi`);
    expect(nodeClass.spec.metadataOptions.httpPutResponseHopLimit).toBe(template.metadata_options.http_put_response_hop_limit);
  });

  test("on-demand capacity becomes the on-demand capacity type", () => {
    const onDemand = karpenterApp([{ ...VISION, capacity: Capacity.onDemand(), provisioner: "karpenter" }]);
    const pool: any = Object.values(resourcesOfType(onDemand.platformJson, "kubernetes_manifest"))
      .map((m: any) => m.manifest)
      .find((m) => m.kind === "NodePool");
    expect(pool.spec.template.spec.requirements[1]).toEqual({ key: "karpenter.sh/capacity-type", operator: "In", values: ["on-demand"] });
  });

  test("the EC2NodeClass: pinned AL2023 alias, IMDSv2 with hop limit 1, encrypted gp3 with the environment key, discovery by tag, the Karpenter node role", () => {
    const [nodeClass] = manifests("EC2NodeClass");
    const discovery = [{ tags: { "karpenter.sh/discovery": "ml-test-training" } }];
    expect(nodeClass.spec).toMatchObject({
      role: "ml-test-training-karpenter-node",
      amiSelectorTerms: [{ alias: "al2023@v20260714" }],
      metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1, httpEndpoint: "enabled" },
      subnetSelectorTerms: discovery,
      securityGroupSelectorTerms: discovery,
      blockDeviceMappings: [{ deviceName: "/dev/xvda", rootVolume: true, ebs: { volumeSize: "300Gi", volumeType: "gp3", encrypted: true, deleteOnTermination: true } }],
    });
    expect(nodeClass.spec.blockDeviceMappings[0].ebs.kmsKeyID).toMatch(/cross-stack-output-aws_kms_keykms_key_[0-9A-F]+arn/);
  });

  test("the controller runs on the system nodes, with the IRSA role and the interruption queue, without the chart's crds/", () => {
    const release = helmRelease(built.addonsJson, "karpenter");
    const crds = helmRelease(built.addonsJson, "karpenter-crd");
    expect([crds.version, release.version, release.namespace]).toEqual(["1.14.1", "1.14.1", "kube-system"]);
    const raw: any = Object.values(resourcesOfType(built.addonsJson, "helm_release")).find((r: any) => r.chart === "karpenter");
    expect([raw.skip_crds, raw.repository, raw.depends_on]).toEqual([true, "oci://public.ecr.aws/karpenter", [expect.stringContaining("helm_release.karpenter_crds_release")]]);
    const values = release.values as any;
    expect(values.nodeSelector).toEqual({ "kubernetes.io/os": "linux", "ml-platform/pool": "system" });
    expect(values.settings).toEqual({ clusterName: "ml-test-training", interruptionQueue: "ml-test-training-karpenter" });
    expect(values.serviceAccount.annotations["eks.amazonaws.com/role-arn"]).toContain("cross-stack-output-aws_iam_roletraining_karpenter-controller-role_");
    // nodeSelector is a free-form map whose default is not empty (kubernetes.io/os: linux).
    expect(
      unknownReleaseKeys(release, {
        documented: { "nodeSelector.ml-platform/pool": "karpenter 1.14.1 values.yaml nodeSelector, rendered by toYaml in templates/deployment.yaml" },
      }),
    ).toEqual([]);
  });

  test("a ServiceMonitor scrapes the controller's metrics port", () => {
    const monitor = manifests("ServiceMonitor").find((m) => m.metadata.name === "karpenter");
    expect(monitor).toMatchObject({
      metadata: { namespace: "kube-system" },
      spec: { endpoints: [{ port: "http-metrics" }], selector: { matchLabels: { "app.kubernetes.io/name": "karpenter" } } },
    });
  });

  test("cluster-autoscaler stays: it scales the system node group", () => {
    expect(helmRelease(built.platformJson, "cluster-autoscaler")).toBeDefined();
  });
});

describe("Karpenter's AWS side", () => {
  const built = karpenterApp([{ ...VISION, provisioner: "karpenter" }]);
  const json = built.infraJson;
  const statements = () => {
    const policy = Object.entries(resourcesOfType(json, "aws_iam_role_policy")).find(([n]) => n.includes("karpenter-controller-role"))![1] as any;
    return JSON.parse(policy.policy).Statement as any[];
  };

  test("the controller role is trusted by kube-system/karpenter only", () => {
    const role = Object.entries(resourcesOfType(json, "aws_iam_role")).find(([n]) => n.includes("karpenter-controller-role"))![1] as any;
    expect(role.assume_role_policy).toContain("system:serviceaccount:kube-system:karpenter");
  });

  test("instance launch, tagging and deletion are conditioned on this cluster's ownership tags", () => {
    const byId = Object.fromEntries(statements().map((s) => [s.Sid, s]));
    for (const sid of ["AllowScopedEC2LaunchTemplateAccessActions", "AllowScopedResourceTagging", "AllowScopedDeletion", "AllowScopedInstanceProfileActions"]) {
      expect([sid, byId[sid].Condition.StringEquals["aws:ResourceTag/kubernetes.io/cluster/ml-test-training"]]).toEqual([sid, "owned"]);
    }
    expect(byId.AllowScopedEC2InstanceActionsWithTags.Condition.StringEquals["aws:RequestTag/eks:eks-cluster-name"]).toBe("ml-test-training");
    expect(byId.AllowPassingInstanceRole.Resource).toEqual([expect.stringContaining("aws_iam_role.training_karpenter_node-role")]);
    expect(byId.AllowAPIServerEndpointDiscovery.Resource).toEqual(["arn:aws:eks:us-east-1:123456789012:cluster/ml-test-training"]);
    // The queue is encrypted with the environment key: reading it needs kms:Decrypt, through SQS, for this queue.
    expect(byId.DecryptInterruptionQueueMessages).toMatchObject({
      Action: ["kms:Decrypt"],
      Condition: {
        StringEquals: { "kms:ViaService": "sqs.us-east-1.amazonaws.com", "kms:EncryptionContext:aws:sqs:arn": "arn:aws:sqs:us-east-1:123456789012:ml-test-training-karpenter" },
      },
    });
    // Every "*" resource is a read with no resource-level permissions.
    const wildcard = statements()
      .filter((s) => s.Resource.includes("*"))
      .flatMap((s) => s.Action);
    expect(wildcard.every((a: string) => /:(Describe|Get|List)/.test(a))).toBe(true);
  });

  test("the node role has the worker node policies and an EC2_LINUX access entry", () => {
    const attachments = karpenterOf(json, "aws_iam_role_policy_attachment")
      .map((a) => a.policy_arn.split("/").pop())
      .sort();
    expect(attachments).toEqual(["AmazonEC2ContainerRegistryPullOnly", "AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy"]);
    expect(karpenterOf(json, "aws_eks_access_entry")).toEqual([
      expect.objectContaining({ type: "EC2_LINUX", principal_arn: expect.stringContaining("training_karpenter_node-role") }),
    ]);
  });

  test("the interruption queue is encrypted with the environment key and fed by the five interruption rules only", () => {
    const [queue] = karpenterOf(json, "aws_sqs_queue");
    expect(queue).toMatchObject({ name: "ml-test-training-karpenter", message_retention_seconds: 300, kms_master_key_id: expect.stringContaining("aws_kms_key.kms_key") });
    const rules = karpenterOf(json, "aws_cloudwatch_event_rule")
      .map((r) => JSON.parse(r.event_pattern)["detail-type"][0])
      .sort();
    expect(rules).toEqual([
      "AWS Health Event",
      "EC2 Capacity Reservation Instance Interruption Warning",
      "EC2 Instance Rebalance Recommendation",
      "EC2 Instance State-change Notification",
      "EC2 Spot Instance Interruption Warning",
    ]);
    expect(karpenterOf(json, "aws_cloudwatch_event_target")).toHaveLength(5);
    const policy = JSON.parse(karpenterOf(json, "aws_sqs_queue_policy")[0].policy);
    expect(policy.Statement[0].Condition.ArnEquals["aws:SourceArn"]).toHaveLength(5);
    expect(policy.Statement[1]).toMatchObject({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } });
  });

  test("the key policy lets EventBridge use the key for this queue only", () => {
    const doc: any = Object.values(json.data.aws_iam_policy_document)[0];
    const statement = doc.statement.find((s: any) => s.sid.startsWith("EventBridgeToKarpenterQueue"));
    expect(statement).toMatchObject({
      principals: [{ type: "Service", identifiers: ["events.amazonaws.com"] }],
      condition: [{ variable: "kms:EncryptionContext:aws:sqs:arn", values: ["arn:aws:sqs:us-east-1:123456789012:ml-test-training-karpenter"] }],
    });
  });

  test("private subnets, the workload group and the EKS cluster group carry the discovery tag", () => {
    const subnets = Object.entries(resourcesOfType(json, "aws_subnet"));
    for (const [name, subnet] of subnets) {
      expect([name, (subnet as any).tags["karpenter.sh/discovery"]]).toEqual([name, name.includes("private") ? "ml-test-training" : undefined]);
    }
    const groups = Object.entries(resourcesOfType(json, "aws_security_group"));
    // The workload group carries it; the VPC endpoints' group (network) does not: nodes are not launched into it.
    expect(groups.map(([name, g]: [string, any]) => [name.replace(/_[0-9A-F]{8}$/, ""), g.tags["karpenter.sh/discovery"]])).toEqual(
      expect.arrayContaining([
        ["training_workload-sg", "ml-test-training"],
        ["network_endpoints-sg", undefined],
      ]),
    );
    expect(karpenterOf(json, "aws_ec2_tag")).toEqual([
      expect.objectContaining({ key: "karpenter.sh/discovery", value: "ml-test-training", resource_id: expect.stringContaining("cluster_security_group_id") }),
    ]);
  });

  test("a long cluster name keeps the queue and rule names within their limits, distinct and stable", () => {
    const name = `ml-${"x".repeat(70)}`;
    const long = clusterJson({}, { clusterName: name, provisioner: "karpenter", datasetsBucketName: "ml-test-datasets" });
    const rules = karpenterOf(long, "aws_cloudwatch_event_rule").map((r) => r.name);
    expect(rules.every((n: string) => n.length <= 64 && /^[A-Za-z0-9._-]+$/.test(n))).toBe(true);
    expect(new Set(rules).size).toBe(5);
    const [queue] = karpenterOf(long, "aws_sqs_queue");
    expect(queue.name.length).toBeLessThanOrEqual(80);
    expect(karpenterOf(clusterJson({}, { clusterName: name, provisioner: "karpenter", datasetsBucketName: "ml-test-datasets" }), "aws_sqs_queue")[0].name).toBe(queue.name);
  });

  test("no Karpenter pool, no Karpenter resources or discovery tags", () => {
    const plain = clusterJson({}, { gpuPools: [GENERAL] });
    expect(karpenterOf(plain, "aws_iam_role")).toEqual([]);
    expect(JSON.stringify(resourcesOfType(plain, "aws_subnet"))).not.toContain("karpenter.sh/discovery");
  });

  test("the cluster's provisioner applies to pools that do not choose, a pool may choose the other", () => {
    const { cluster } = testCluster({}, { provisioner: "karpenter", gpuPools: [VISION, { ...GENERAL, provisioner: "cluster-autoscaler" }] });
    expect(cluster.gpuPools.map((p) => [p.name, p.provisioner])).toEqual([
      ["vision", "karpenter"],
      ["general", "cluster-autoscaler"],
    ]);
    expect(cluster.karpenter).toBeDefined();
  });
});

describe("Karpenter: bad input", () => {
  const path = 'test-infra/training/gpu-pool "vision"';

  test("minNodes above 0 on a Karpenter pool (Karpenter keeps no minimum)", () => {
    expect(errorOf(() => testCluster({}, { gpuPools: [{ ...VISION, provisioner: "karpenter", minNodes: 1 }] }))).toBe(
      `${path}: minNodes is 1; must be 0 for a Karpenter pool: Karpenter keeps no minimum (it launches nodes for pending pods and removes empty ones); ` +
        'for warm nodes use provisioner "cluster-autoscaler" (a managed node group)',
    );
  });

  test("an unknown provisioner on a pool", () => {
    expect(errorOf(() => testCluster({}, { gpuPools: [{ ...VISION, provisioner: "karpentr" as any }] }))).toBe(
      `${path}: provisioner is "karpentr"; must be one of "cluster-autoscaler", "karpenter"`,
    );
  });

  test("an unknown provisioner on the cluster", () => {
    expect(errorOf(() => testCluster({}, { provisioner: "auto" as any }))).toBe('test-infra/training: provisioner is "auto"; must be one of "cluster-autoscaler", "karpenter"');
  });

  test("GpuClusterAddons without the KarpenterController of a cluster with Karpenter pools", () => {
    const { cluster } = testCluster({}, { gpuPools: [{ ...VISION, provisioner: "karpenter" }] });
    expect(errorOf(() => new GpuClusterAddons(platformFor(cluster), "gpu-addons", { cluster }))).toBe(
      'test-platform/gpu-addons: karpenter is undefined; the cluster\'s pools "vision" use Karpenter: pass the KarpenterController ' +
        '(new KarpenterController(addonsStack, "karpenter", { cluster })) so that their NodePools have a controller and CRDs',
    );
  });

  test("a Karpenter pool added after GpuClusterAddons (it would get no NodePool)", () => {
    const { cluster } = testCluster({}, { gpuPools: [{ ...VISION, provisioner: "karpenter" }] });
    const infra = TerraformStack.of(cluster) as InfraStack;
    const addons = new PlatformStack(cluster.node.root, "test-addons", { environment: infra.environment, clusterName: cluster.clusterName });
    const karpenter = new KarpenterController(addons, "karpenter", { cluster });
    const platform = platformFor(cluster);
    new GpuClusterAddons(platform, "gpu-addons", { cluster, karpenter });
    cluster.addGpuPool("late", { instanceTypes: [GpuInstance.of("g6.xlarge")], maxNodes: 1, provisioner: "karpenter" });
    expect(errorOf(() => synthApp(platform))).toContain(
      'test-platform/gpu-addons: Karpenter pool "late" was added to test-infra/training after GpuClusterAddons was created, so it has no NodePool; add every GPU pool before creating GpuClusterAddons',
    );
  });

  test("a KarpenterController for a cluster without Karpenter pools", () => {
    const { cluster } = testCluster({}, { gpuPools: [GENERAL] });
    expect(errorOf(() => new KarpenterController(platformFor(cluster), "karpenter", { cluster }))).toBe(
      'test-platform/karpenter: cluster is test-infra/training, which has no Karpenter pool; declare a pool with provisioner "karpenter" ' +
        '(or the cluster\'s provisioner "karpenter") so that its AWS side (controller role, interruption queue) exists',
    );
  });
});

describe("Karpenter: a multi-node (EFA) pool", () => {
  const multi: GpuPoolProps = { name: "dist", instanceTypes: [GpuInstance.of("g6.8xlarge")], maxNodes: 2, multiNode: true, provisioner: "karpenter" };
  const built = karpenterApp([multi]);
  const manifest = (kind: string): any =>
    Object.values(resourcesOfType(built.platformJson, "kubernetes_manifest"))
      .map((m: any) => m.manifest)
      .find((m) => m.kind === kind);

  test("keeps its cluster placement group, and no node group", () => {
    expect(ofPool(built.infraJson, "aws_placement_group", "dist").map(([, g]) => g)).toEqual([expect.objectContaining({ name: "ml-test-training-dist", strategy: "cluster" })]);
    expect(ofPool(built.infraJson, "aws_eks_node_group", "dist")).toEqual([]);
  });

  test("its EC2NodeClass selects the placement group by name, its NodePool is pinned to the group's zone", () => {
    expect(manifest("EC2NodeClass").spec.placementGroupSelector).toEqual({ name: "ml-test-training-dist" });
    expect(manifest("EC2NodeClass").spec.networkInterfaces).toBeUndefined();
    expect(manifest("NodePool").spec.template.spec.requirements).toContainEqual({ key: "topology.kubernetes.io/zone", operator: "In", values: ["us-east-1a"] });
  });

  test("the EFA device plugin runs, so that pods can request vpc.amazonaws.com/efa (which makes Karpenter attach the EFA interfaces)", () => {
    expect(helmRelease(built.platformJson, "aws-efa-k8s-device-plugin")).toBeDefined();
  });

  test("pools that are not multi-node get neither a placement group selector nor a zone requirement", () => {
    const plain = karpenterApp([{ ...VISION, provisioner: "karpenter" }]);
    const nodeClass: any = Object.values(resourcesOfType(plain.platformJson, "kubernetes_manifest"))
      .map((m: any) => m.manifest)
      .find((m) => m.kind === "EC2NodeClass");
    expect(nodeClass.spec.placementGroupSelector).toBeUndefined();
  });
});

describe("Karpenter alerts", () => {
  const built = karpenterApp([{ ...VISION, provisioner: "karpenter" }]);
  const ruleFile = built.gpuAddons.karpenterAlerts!.object.spec as any;
  const rule = (name: string) => ruleFile.groups[0].rules.find((r: any) => r.alert === name);
  /** Series as Karpenter 1.14.1 exports them, with the target labels Prometheus adds (job = the metrics Service). */
  const TARGET = 'job="karpenter",namespace="kube-system",pod="karpenter-0"';
  const pool = (metric: string, resource: string) => `${metric}{${TARGET},nodepool="vision",resource_type="${resource}"}`;

  test("the rules are a valid PrometheusRule in kube-system", () => {
    expect(crdSchemaErrors(built.gpuAddons.karpenterAlerts!.object)).toEqual([]);
    expect(ruleFile.groups[0].rules.map((r: any) => r.alert)).toEqual(["KarpenterControllerDown", "KarpenterGpuPoolAtLimit"]);
  });

  describeWithPromtool("under promtool", () => {
    test("promtool check rules accepts them", () => {
      expect(checkRules(ruleFile).output).toContain("SUCCESS");
    });

    test("KarpenterGpuPoolAtLimit fires after 30 minutes with every GPU of the pool in use, not below it, and not for CPUs at their limit", () => {
      const atLimit = (gpus: string) =>
        testRules(ruleFile, [
          {
            interval: "1m",
            input_series: [
              { series: pool("karpenter_nodepools_limit", "nvidia.com/gpu"), values: "3x60" },
              { series: pool("karpenter_nodepools_usage", "nvidia.com/gpu"), values: `${gpus}x60` },
              { series: pool("karpenter_nodepools_limit", "cpu"), values: "24x60" },
              { series: pool("karpenter_nodepools_usage", "cpu"), values: "24x60" },
              { series: `up{${TARGET}}`, values: "1x60" },
            ],
            alert_rule_test: [
              { eval_time: "20m", alertname: "KarpenterGpuPoolAtLimit", exp_alerts: [] },
              {
                eval_time: "40m",
                alertname: "KarpenterGpuPoolAtLimit",
                exp_alerts:
                  gpus === "3"
                    ? [
                        {
                          exp_labels: { severity: "warning", nodepool: "vision" },
                          exp_annotations: {
                            ...rule("KarpenterGpuPoolAtLimit").annotations,
                            summary: "Karpenter GPU pool vision has used all its GPUs for 30 minutes",
                          },
                        },
                      ]
                    : [],
              },
            ],
          },
        ]);
      expect(atLimit("3").output).toContain("SUCCESS");
      expect(atLimit("2").output).toContain("SUCCESS");
    });

    test("KarpenterControllerDown fires 10 minutes after the controller stops being up, and when its target vanishes", () => {
      const down = { exp_labels: { severity: "warning" }, exp_annotations: rule("KarpenterControllerDown").annotations };
      expect(
        testRules(ruleFile, [
          {
            interval: "1m",
            input_series: [{ series: `up{${TARGET}}`, values: "1x10 0x30" }],
            alert_rule_test: [
              { eval_time: "15m", alertname: "KarpenterControllerDown", exp_alerts: [] },
              { eval_time: "25m", alertname: "KarpenterControllerDown", exp_alerts: [down] },
            ],
          },
        ]).output,
      ).toContain("SUCCESS");
      expect(
        testRules(ruleFile, [
          {
            interval: "1m",
            input_series: [{ series: `up{${TARGET}}`, values: "1x5" }],
            alert_rule_test: [{ eval_time: "30m", alertname: "KarpenterControllerDown", exp_alerts: [down] }],
          },
        ]).output,
      ).toContain("SUCCESS");
    });
  });
});
