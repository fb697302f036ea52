import * as fs from "fs";
import { parse } from "yaml";
import { EnvironmentSet, environmentSet, typedToObject } from "../support/in-cluster";
import { NCCL_EXAMPLE } from "../lib/training/nccl-example";
import { crdsOf, schemaProblems } from "../support/in-cluster-schema";
import { kubernetesSchemaErrors } from "../support/kube-schema";
import { enforcedLevel, podSpecOf, restrictedViolations } from "../support/pod-security";
import { describeRendered, renderErrors } from "../support/rendering";
import { poolsFor } from "../support/wiring";

/**
 * Real rendering of every environment (stacks/: dev, staging, prod; examples/fraud-detection, examples/vision-training):
 * `helm template` of every helm_release with its synthesized values and the cluster's
 * Kubernetes version, then strict schema validation of every object that would be applied.
 */
describeRendered("in-cluster rendering", (sets) => {
  test("covers the three reference environments and the example", () => {
    expect(renderErrors()).toEqual([]);
    expect(sets.map((s) => s.name).sort()).toEqual(["ml-dev", "ml-fraud-dev", "ml-prod", "ml-staging", "ml-vision-dev"]);
  });

  describe.each(sets.map((s) => [s.name, s] as const))("%s", (_name, set) => {
    test.each(set.releases.map((r) => [`${r.name} (${r.chart} ${r.version})`, r] as const))("helm template of %s succeeds", (_n, release) => {
      expect(release.error).toBeUndefined();
      expect(release.objects.length).toBeGreaterThan(0);
    });

    test(`renders at the cluster's Kubernetes version`, () => {
      const cluster: any = Object.values(set.infra.resource.aws_eks_cluster)[0];
      expect(set.kubeVersion).toBe(`${cluster.version}.0`);
    });

    test("every object validates strictly against the Kubernetes OpenAPI of its version or the CRDs of the rendered charts", () => {
      expect(schemaProblems(set)).toEqual([]);
    });

    test("the custom resources the library creates have their CRD in the rendered charts", () => {
      const crds = crdsOf(set);
      for (const kind of [
        "monitoring.coreos.com/v1/ServiceMonitor",
        "monitoring.coreos.com/v1/PrometheusRule",
        "external-secrets.io/v1/ExternalSecret",
        "external-secrets.io/v1/SecretStore",
      ]) {
        expect(crds.kinds).toContain(kind);
      }
    });

    const delivery: Record<string, string[]> = {
      "ml-dev": ["ScaledObject"],
      "ml-staging": ["AnalysisTemplate", "AnalysisTemplate", "Rollout", "ScaledObject"],
      "ml-prod": ["AnalysisTemplate", "AnalysisTemplate", "Rollout", "ScaledObject"],
    };
    // Only the reference environments install KEDA and Argo Rollouts (the examples do not): no test elsewhere.
    if (delivery[set.name])
      test("KEDA's and Argo Rollouts' CRDs come from their rendered charts, and the endpoint's ScaledObject, Rollout and AnalysisTemplates are validated against them", () => {
        const crds = crdsOf(set);
        const fromChart = (kind: string) => set.objects.filter((o) => o.object.kind === "CustomResourceDefinition" && o.object.spec?.names?.kind === kind).map((o) => o.release);
        expect(fromChart("ScaledObject")).toEqual(["keda"]);
        expect(fromChart("Rollout")).toEqual(["argo-rollouts"]);
        expect(fromChart("AnalysisTemplate")).toEqual(["argo-rollouts"]);
        for (const kind of ["keda.sh/v1alpha1/ScaledObject", "argoproj.io/v1alpha1/Rollout", "argoproj.io/v1alpha1/AnalysisTemplate"]) expect(crds.kinds).toContain(kind);
        const library = set.objects.filter((o) => o.source.startsWith("kubernetes_manifest") && ["ScaledObject", "Rollout", "AnalysisTemplate"].includes(o.object.kind));
        expect(library.map((o) => o.object.kind).sort()).toEqual(delivery[set.name]);
        expect(schemaProblems({ ...set, objects: library }, crds)).toEqual([]);
      });
  });

  describe("Karpenter pools (examples/vision-training)", () => {
    const set = sets.find((s) => s.name === "ml-vision-dev")!;
    const crds = crdsOf(set);
    const manifests = (kind: string) => set.objects.filter((o) => o.object.kind === kind && o.source.startsWith("kubernetes_manifest"));

    test("the NodePool and EC2NodeClass CRDs come from the karpenter-crd release, the controller's release installs none", () => {
      const crdSources = set.objects.filter((o) => o.object.kind === "CustomResourceDefinition" && /karpenter/.test(o.object.spec?.group ?? "")).map((o) => o.source);
      expect(new Set(crdSources)).toEqual(new Set(["helm_release karpenter-crd (karpenter-crd 1.14.1)"]));
      expect(crds.kinds).toEqual(expect.arrayContaining(["karpenter.sh/v1/NodePool", "karpenter.k8s.aws/v1/EC2NodeClass"]));
      expect(set.releases.find((r) => r.chart === "karpenter")!.objects.filter((o) => o.kind === "Deployment")).toHaveLength(1);
    });

    test("each GPU pool has a NodePool and an EC2NodeClass, validated against the karpenter-crd schemas", () => {
      expect(
        manifests("NodePool")
          .map((o) => o.object.metadata.name)
          .sort(),
      ).toEqual(["a10g", "dist", "l4"]);
      expect(
        manifests("EC2NodeClass")
          .map((o) => o.object.metadata.name)
          .sort(),
      ).toEqual(["a10g", "dist", "l4"]);
      expect(manifests("EC2NodeClass").find((o) => o.object.metadata.name === "dist")!.object.spec.placementGroupSelector).toEqual({ name: "ml-vision-dev-training-dist" });
      expect(schemaProblems({ ...set, objects: [...manifests("NodePool"), ...manifests("EC2NodeClass")] }, crds)).toEqual([]);
      expect(set.pools.filter((p) => p.name !== "system").map((p) => [p.name, p.maxNodes])).toEqual(
        expect.arrayContaining([
          ["a10g", 4],
          ["l4", 2],
          ["dist", 2],
        ]),
      );
    });

    test("the controller runs on the system nodes only, never on a node Karpenter launched", () => {
      const controller = set.releases.find((r) => r.chart === "karpenter")!.objects.find((o) => o.kind === "Deployment");
      expect(poolsFor(set.pools, controller.spec.template.spec).map((p) => p.name)).toEqual(["system"]);
      // Without the system pool's node selector, the chart's own affinity (karpenter.sh/nodepool DoesNotExist) still keeps it off Karpenter's nodes.
      const anywhere = structuredClone(controller.spec.template.spec);
      delete anywhere.nodeSelector["ml-platform/pool"];
      anywhere.tolerations = [{ operator: "Exists" }];
      expect(poolsFor(set.pools, anywhere).map((p) => p.name)).toEqual(["system"]);
      delete anywhere.affinity;
      expect(
        poolsFor(set.pools, anywhere)
          .map((p) => p.name)
          .sort(),
      ).toEqual(["a10g", "dist", "l4", "system"]);
    });

    test("a wrong NodePool field or value is rejected by the NodePool CRD schema", () => {
      const pool = structuredClone(manifests("NodePool")[0]);
      pool.object.spec.disruption.consolidationPolicy = "WhenIdle";
      expect(schemaProblems({ ...set, objects: [pool] }, crds).join("\n")).toContain("/spec/disruption/consolidationPolicy");
      const unknown = structuredClone(manifests("NodePool")[0]);
      unknown.object.spec.template.spec.taint = unknown.object.spec.template.spec.taints;
      expect(schemaProblems({ ...set, objects: [unknown] }, crds)).toEqual([expect.stringContaining('unknown field "taint"')]);
    });

    test("a wrong EC2NodeClass field is rejected by the EC2NodeClass CRD schema", () => {
      const nodeClass = structuredClone(manifests("EC2NodeClass")[0]);
      nodeClass.object.spec.metadataOptions.httpTokens = "requried";
      expect(schemaProblems({ ...set, objects: [nodeClass] }, crds).join("\n")).toContain("/spec/metadataOptions/httpTokens");
      const placement = structuredClone(manifests("EC2NodeClass").find((o) => o.object.metadata.name === "dist")!);
      placement.object.spec.placementGroupSelector = { group: "ml-vision-dev-training-dist" };
      expect(schemaProblems({ ...set, objects: [placement] }, crds)).toEqual([expect.stringContaining('unknown field "group"')]);
    });
  });

  describe("distributed training (Kueue, Kubeflow Trainer, JobSet)", () => {
    const prod = sets.find((s) => s.name === "ml-prod")!;
    const crds = crdsOf(prod);
    const training = (set: EnvironmentSet, kind: string) => set.objects.filter((o) => o.object.kind === kind && o.source.includes("distributed-training"));
    const names = (set: EnvironmentSet) =>
      ["ResourceFlavor", "ClusterQueue", "LocalQueue", "ClusterTrainingRuntime"]
        .flatMap((k) => training(set, k))
        .map((o) => `${o.object.kind} ${o.object.metadata.namespace ? `${o.object.metadata.namespace}/` : ""}${o.object.metadata.name}`)
        .sort();

    test("the CRDs come from the rendered kueue and kubeflow-trainer charts (JobSet from its subchart's crds/)", () => {
      for (const kind of [
        "kueue.x-k8s.io/v1beta2/ResourceFlavor",
        "kueue.x-k8s.io/v1beta2/ClusterQueue",
        "kueue.x-k8s.io/v1beta2/LocalQueue",
        "trainer.kubeflow.org/v1alpha1/ClusterTrainingRuntime",
        "trainer.kubeflow.org/v1alpha1/TrainJob",
        "jobset.x-k8s.io/v1alpha2/JobSet",
      ]) {
        expect(crds.kinds).toContain(kind);
      }
    });

    test.each(sets.filter((s) => ["ml-dev", "ml-staging", "ml-prod"].includes(s.name)).map((s) => [s.name, s] as const))(
      "%s: every flavor, queue and runtime is rendered and checked against its CRD (none skipped)",
      (_n, set) => {
        const pools = set.pools.map((p) => p.name).filter((p) => p !== "system");
        expect(names(set)).toEqual(
          [
            "ClusterQueue language",
            "ClusterQueue vision",
            ...pools.map((p) => `ClusterTrainingRuntime torch-distributed-${p}`),
            "LocalQueue language/default",
            "LocalQueue vision/default",
            ...pools.map((p) => `ResourceFlavor ${p}`),
          ].sort(),
        );
        const objects = ["ResourceFlavor", "ClusterQueue", "LocalQueue", "ClusterTrainingRuntime"].flatMap((k) => training(set, k));
        const setCrds = crdsOf(set);
        for (const o of objects) expect(setCrds.has(o.object.apiVersion, o.object.kind)).toBe(true);
        expect(schemaProblems({ ...set, objects }, setCrds)).toEqual([]);
      },
    );

    test("a ClusterQueue with a misspelt field fails its CRD schema", () => {
      const o = structuredClone(training(prod, "ClusterQueue")[0]);
      o.object.spec.resourceGroups[0].flavors[0].resources[0].nominalQuote = "8";
      expect(schemaProblems({ ...prod, objects: [o] }, crds)).toEqual([expect.stringContaining('unknown field "nominalQuote"')]);
    });

    test("a runtime whose pod template has a wrong type fails the ClusterTrainingRuntime CRD schema", () => {
      const o = structuredClone(training(prod, "ClusterTrainingRuntime")[0]);
      o.object.spec.mlPolicy.numNodes = "two";
      expect(schemaProblems({ ...prod, objects: [o] }, crds).join("\n")).toContain("/spec/mlPolicy/numNodes");
    });

    test("the shipped NCCL all-reduce TrainJob validates against the rendered TrainJob CRD; its runtime and queue exist in production", () => {
      const job = parse(fs.readFileSync(NCCL_EXAMPLE, "utf8"));
      const o = { source: "examples/training/nccl-all-reduce.yaml", stack: "examples", object: job };
      expect(schemaProblems({ ...prod, objects: [o] }, crds)).toEqual([]);
      expect(names(prod)).toContain(`ClusterTrainingRuntime ${job.spec.runtimeRef.name}`);
      expect(names(prod)).toContain(`LocalQueue ${job.metadata.namespace}/${job.metadata.labels["kueue.x-k8s.io/queue-name"]}`);
      // And the CRD check is strict: a misspelt trainer field is refused.
      const broken = structuredClone(o);
      broken.object.spec.trainer.numProcsPerNode = 8;
      expect(schemaProblems({ ...prod, objects: [broken] }, crds)).toEqual([expect.stringContaining('unknown field "numProcsPerNode"')]);
    });
  });

  describe("the validators reject broken objects", () => {
    const set = sets[0];
    const crds = crdsOf(set);
    // The library's own objects: kubernetes_manifests and typed kubernetes_* resources (not a chart's).
    const find = (kind: string) => structuredClone(set.objects.find((o) => o.object.kind === kind && o.source.startsWith("kubernetes_"))!);

    test("an unknown field in a Deployment's container (Kubernetes OpenAPI, strict)", () => {
      const o = find("Deployment");
      o.object.spec.template.spec.containers[0].resource = { requests: { cpu: "1" } };
      expect(schemaProblems({ ...set, objects: [o] }, crds)).toEqual([expect.stringContaining('unknown field "resource"')]);
    });

    test("a misspelt field in a typed kubernetes_deployment_v1 (its Terraform JSON) is refused once converted to the object the provider creates", () => {
      const o = find("Deployment");
      expect(o.source).toMatch(/^kubernetes_deployment_v1 /);
      const [type, id] = o.source.split(" ");
      const resource = structuredClone(set.stacks[o.stack].resource[type][id]);
      resource.spec.template.spec.container[0].resource = { requests: { cpu: "1" } };
      const broken = { ...o, object: { ...typedToObject(type, resource), metadata: o.object.metadata } };
      expect(schemaProblems({ ...set, objects: [broken] }, crds)).toEqual([expect.stringContaining('unknown field "resource"')]);
    });

    test("a wrong type in a Service port", () => {
      const o = find("Service");
      o.object.spec.ports[0].port = "eighty";
      expect(schemaProblems({ ...set, objects: [o] }, crds).join("\n")).toContain("/spec/ports/0/port");
    });

    test("an unknown field in a ServiceMonitor endpoint (CRD schema, strict)", () => {
      const o = find("ServiceMonitor");
      o.object.spec.endpoints[0].target_port = "http";
      expect(schemaProblems({ ...set, objects: [o] }, crds)).toEqual([expect.stringContaining('unknown field "target_port"')]);
    });

    test("an unknown field in a KEDA ScaledObject trigger, a Rollout canary step and an AnalysisTemplate metric (CRD schemas of the rendered charts)", () => {
      const staging = sets.find((s) => s.name === "ml-staging")!;
      const stagingCrds = crdsOf(staging);
      const of = (kind: string) => structuredClone(staging.objects.find((o) => o.object.kind === kind && o.source.startsWith("kubernetes_manifest"))!);
      const so = of("ScaledObject");
      so.object.spec.triggers[0].treshold = "10";
      expect(schemaProblems({ ...staging, objects: [so] }, stagingCrds)).toEqual([expect.stringContaining('unknown field "treshold"')]);
      const rollout = of("Rollout");
      rollout.object.spec.strategy.canary.steps[0] = { setWieght: 20 };
      expect(schemaProblems({ ...staging, objects: [rollout] }, stagingCrds)).toEqual([expect.stringContaining('unknown field "setWieght"')]);
      const template = of("AnalysisTemplate");
      template.object.spec.metrics[0].sucessCondition = "result[0] < 1";
      expect(schemaProblems({ ...staging, objects: [template] }, stagingCrds)).toEqual([expect.stringContaining('unknown field "sucessCondition"')]);
    });

    test("a kind no CRD of the rendered charts defines", () => {
      const o = find("ServiceMonitor");
      o.object.apiVersion = "monitoring.coreos.com/v2";
      expect(schemaProblems({ ...set, objects: [o] }, crds)).toEqual([expect.stringContaining("neither a Kubernetes")]);
    });

    test("a typed resource is converted to the object the provider creates (fields renamed, IDs as integers)", () => {
      const cronJob = typedToObject("kubernetes_cron_job_v1", {
        metadata: { name: "x", namespace: "y" },
        spec: {
          schedule: "0 * * * *",
          timezone: "Etc/UTC",
          job_template: {
            metadata: {},
            spec: {
              template: {
                metadata: {},
                spec: {
                  container: [{ name: "c", image: "i:1", volume_mount: [{ name: "v", mount_path: "/v" }] }],
                  security_context: { run_as_user: "10001" },
                  volume: [{ name: "v", empty_dir: {} }],
                },
              },
            },
          },
        },
      });
      expect(kubernetesSchemaErrors(set.kubeVersion, cronJob)).toEqual([]);
      expect(cronJob.spec.timeZone).toBe("Etc/UTC");
      expect(cronJob.spec.jobTemplate.spec.template.spec.securityContext.runAsUser).toBe(10001);
      // A provider field the conversion does not know stays snake_case and is rejected.
      const unknown = typedToObject("kubernetes_limit_range_v1", { metadata: { name: "x" }, spec: { limit: [{ type: "Container", default_requests: { cpu: "1" } }] } });
      expect(kubernetesSchemaErrors(set.kubeVersion, unknown)).toEqual([expect.stringContaining('unknown field "defaultRequests"')]);
    });

    test("a typed HPA v2 is converted as the provider sends it (metric blocks are spec.metrics, a scaling rule is one object with its policies)", () => {
      const hpa = typedToObject("kubernetes_horizontal_pod_autoscaler_v2", {
        metadata: { name: "x", namespace: "y" },
        spec: {
          scale_target_ref: { api_version: "argoproj.io/v1alpha1", kind: "Rollout", name: "x" },
          min_replicas: 1,
          max_replicas: 3,
          metric: [{ type: "Pods", pods: { metric: { name: "rps" }, target: { type: "AverageValue", average_value: "10" } } }],
          behavior: { scale_down: [{ stabilization_window_seconds: 300, select_policy: "Max", policy: [{ type: "Percent", value: 100, period_seconds: 15 }] }] },
        },
      });
      expect(kubernetesSchemaErrors(set.kubeVersion, hpa)).toEqual([]);
      expect(hpa.spec.metrics[0].pods.metric).toEqual({ name: "rps" });
      expect(hpa.spec.behavior.scaleDown.policies).toEqual([{ type: "Percent", value: 100, periodSeconds: 15 }]);
      // Left as a list, the scaling rule is refused by the schema.
      const listed = structuredClone(hpa);
      listed.spec.behavior.scaleDown = [listed.spec.behavior.scaleDown];
      expect(kubernetesSchemaErrors(set.kubeVersion, listed).join("\n")).toContain("scaleDown");
    });

    test("a typed NetworkPolicy is converted as the provider sends it (a rule's `port` stays `port`, numbers as integers, named ports as names)", () => {
      const policy = typedToObject("kubernetes_network_policy_v1", {
        metadata: { name: "allow-dns", namespace: "serving" },
        spec: {
          pod_selector: {},
          policy_types: ["Egress"],
          egress: [
            {
              to: [{ namespace_selector: { match_labels: { "kubernetes.io/metadata.name": "kube-system" } }, pod_selector: { match_labels: { "k8s-app": "kube-dns" } } }],
              ports: [
                { port: "53", protocol: "UDP" },
                { port: "http", protocol: "TCP" },
              ],
            },
          ],
        },
      });
      expect(kubernetesSchemaErrors(set.kubeVersion, policy)).toEqual([]);
      expect(policy.spec.egress[0].ports).toEqual([
        { port: 53, protocol: "UDP" },
        { port: "http", protocol: "TCP" },
      ]);
      // What the conversion made of it before (the container block's `port` -> `ports` rename): rejected.
      const renamed = structuredClone(policy);
      renamed.spec.egress[0].ports = [{ ports: 53, protocol: "UDP" }];
      expect(kubernetesSchemaErrors(set.kubeVersion, renamed)).toEqual([expect.stringContaining('unknown field "ports"')]);
    });

    test("a typed resource type without a known kind is an error", () => {
      expect(() => typedToObject("kubernetes_ingress_v1", { metadata: { name: "x" } })).toThrow("no Kubernetes kind known for kubernetes_ingress_v1");
    });

    test("a values key helm cannot render fails the release", () => {
      const platform = Object.keys(set.stacks).find((s) => s.endsWith("-platform"))!;
      const stacks = structuredClone(set.stacks);
      const release: any = Object.values(stacks[platform].resource.helm_release).find((r: any) => r.chart === "mlflow");
      // The mlflow chart's values schema requires replicaCount to be an integer.
      release.values = [...release.values, JSON.stringify({ replicaCount: "three" })];
      const broken = environmentSet(set.name, { [platform]: stacks[platform], [`${set.name}-infra`]: stacks[`${set.name}-infra`] });
      expect(broken.releases.find((r) => r.chart === "mlflow")!.error).toMatch(/helm template mlflow .* failed/);
    });
  });

  describe.each(sets.map((s) => [s.name, s] as const))("%s: Pod Security", (_name, set) => {
    test("every namespace the library creates enforces the restricted level, and no Helm release creates one", () => {
      expect(namespaceProblems(set)).toEqual([]);
    });

    test("every object lives in a namespace the library creates, or in one EKS provides", () => {
      expect(unownedNamespaces(set)).toEqual([]);
    });

    test("every pod the library runs in a restricted namespace is admitted by the restricted level", () => {
      expect(podProblems(set)).toEqual([]);
    });
  });

  describe("the Pod Security checks reject broken input", () => {
    const set = sets[0];
    test("a namespace without the restricted label", () => {
      const objects = set.objects.map((o) => (o.object.kind === "Namespace" ? { ...o, object: { ...o.object, metadata: { ...o.object.metadata, labels: {} } } } : o));
      expect(namespaceProblems({ ...set, objects })).toContainEqual(expect.stringMatching(/^Namespace "mlflow" \(kubernetes_namespace_v1 .*\): enforces none, not restricted$/));
    });

    test("a Helm release that creates its namespace", () => {
      const stacks = structuredClone(set.stacks);
      const addons = Object.keys(stacks).find((s) => s.endsWith("-addons"))!;
      (Object.values(stacks[addons].resource.helm_release)[0] as any).create_namespace = true;
      expect(namespaceProblems({ ...set, stacks })).toContainEqual(expect.stringContaining("create_namespace: Helm creates a namespace without the Pod Security labels"));
    });

    test("node-exporter (host network, PID and filesystem) in a restricted namespace", () => {
      const exporter = set.objects.find((o) => o.object.kind === "DaemonSet" && o.object.metadata.name.includes("node-exporter"))!;
      const moved = { ...exporter, object: { ...exporter.object, metadata: { ...exporter.object.metadata, namespace: "monitoring" } } };
      expect(podProblems({ ...set, objects: [...set.objects, moved] })).toEqual(
        expect.arrayContaining([expect.stringMatching(/node-exporter.*: hostNetwork: true/), expect.stringMatching(/node-exporter.*: volume ".*" is hostPath/)]),
      );
    });

    test("a container that may escalate privileges, in the serving namespace", () => {
      const deployment = structuredClone(
        set.objects.find((o) => o.object.kind === "Deployment" && o.object.metadata.namespace === "serving" && o.object.spec.template.spec.containers[0].name === "server")!,
      );
      delete deployment.object.spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation;
      expect(podProblems({ ...set, objects: [...set.objects.filter((o) => o.object.kind === "Namespace"), deployment] })).toEqual([
        expect.stringMatching(/: container "server": allowPrivilegeEscalation is not false$/),
      ]);
    });
  });
});

/** Namespaces EKS creates, where the library installs node agents (device plugins, exporters) but creates nothing. */
const PROVIDED_NAMESPACES = ["kube-system", "default"];

function namespacesOf(set: Pick<EnvironmentSet, "objects">): Map<string, { level?: string; source: string }> {
  return new Map(set.objects.filter((o) => o.object.kind === "Namespace").map((o) => [o.object.metadata.name, { level: enforcedLevel(o.object), source: o.source }]));
}

/** Namespaces the set creates that do not enforce restricted, and Helm releases that create a namespace. */
function namespaceProblems(set: Pick<EnvironmentSet, "objects" | "stacks">): string[] {
  const problems = [...namespacesOf(set)]
    .filter(([, ns]) => ns.level !== "restricted")
    .map(([name, ns]) => `Namespace "${name}" (${ns.source}): enforces ${ns.level ?? "none"}, not restricted`);
  for (const [stack, json] of Object.entries<any>(set.stacks)) {
    for (const [id, r] of Object.entries<any>(json.resource?.helm_release ?? {})) {
      if (r.create_namespace) problems.push(`${stack} helm_release ${id}: create_namespace: Helm creates a namespace without the Pod Security labels`);
    }
  }
  return problems;
}

/** Namespaces objects live in that the set neither creates nor EKS provides. */
function unownedNamespaces(set: EnvironmentSet): string[] {
  const created = namespacesOf(set);
  const used = new Set(set.objects.map((o) => o.object.metadata?.namespace).filter((n): n is string => typeof n === "string"));
  return [...used].filter((n) => !created.has(n) && !PROVIDED_NAMESPACES.includes(n)).sort();
}

/** Pods in a namespace the set creates with the restricted level that the level would refuse. */
function podProblems(set: Pick<EnvironmentSet, "objects">): string[] {
  const namespaces = namespacesOf(set);
  return set.objects.flatMap((o) => {
    const spec = podSpecOf(o.object);
    const ns = namespaces.get(o.object.metadata?.namespace);
    if (!spec || ns?.level !== "restricted") return [];
    return restrictedViolations(spec).map((p) => `${o.object.kind} ${o.object.metadata.namespace}/${o.object.metadata.name} (${o.source}): ${p}`);
  });
}
