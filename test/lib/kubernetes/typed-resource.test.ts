import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { App, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import { CronJobV1 } from "@cdktf/provider-kubernetes/lib/cron-job-v1";
import { DeploymentV1 } from "@cdktf/provider-kubernetes/lib/deployment-v1";
import { HorizontalPodAutoscalerV2 } from "@cdktf/provider-kubernetes/lib/horizontal-pod-autoscaler-v2";
import { NetworkPolicyV1 } from "@cdktf/provider-kubernetes/lib/network-policy-v1";
import { PodDisruptionBudgetV1 } from "@cdktf/provider-kubernetes/lib/pod-disruption-budget-v1";
import { ServiceAccountV1 } from "@cdktf/provider-kubernetes/lib/service-account-v1";
import { ServiceV1 } from "@cdktf/provider-kubernetes/lib/service-v1";
import * as typed from "../../../lib/kubernetes/private/typed-resource";
import { WorkloadSpec, autoscalerV2Config, deploymentV1Config, disruptionBudgetV1Config, serviceAccountV1Config, serviceV1Config } from "../../../lib/endpoint/private/workload";
import { cronJobV1Config, driftNames, pushgatewayV1Config } from "../../../lib/endpoint/private/drift-objects";

/**
 * The light typed resources (lib/kubernetes/private/typed-resource.ts) synthesize exactly what the provider
 * binding classes do, JSON and HCL, for every configuration the library builds with them.
 */
const workload: WorkloadSpec = {
  name: "fraud",
  namespace: "serving",
  podLabels: { "ml-platform/endpoint": "fraud" },
  image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/serve:1.0.0",
  model: { uri: "models:/fraud/1" },
  port: 8080,
  metricsPort: 9090,
  cpu: "1",
  memory: "2Gi",
  memoryLimit: "2Gi",
  gpu: { count: 1, nodeSelector: { "ml-platform/pool": "a10g" } },
  serviceAccount: "fraud",
  env: { A: "b" },
  secretEnv: [{ name: "DB", secret: "fraud-env-0", key: "value" }],
  readinessPath: "/health",
  livenessPath: "/health",
};
const drift = driftNames("fraud", "serving");
type Make = (scope: Construct, id: string, config: any) => unknown;
const CASES: [string, new (scope: Construct, id: string, config: any) => unknown, Make, object][] = [
  [
    "endpoint Deployment (GPU, timeouts, lifecycle)",
    DeploymentV1,
    typed.deploymentV1,
    { ...deploymentV1Config(workload, { timeout: "30m" }), lifecycle: { ignoreChanges: ["spec[0].replicas"] } },
  ],
  ["Pushgateway Deployment", DeploymentV1, typed.deploymentV1, pushgatewayV1Config(drift, { a: "b" })],
  [
    "headless Service ignoring its selector",
    ServiceV1,
    typed.serviceV1,
    {
      ...serviceV1Config({ name: "x", namespace: "n", labels: {}, selector: { a: "b" }, port: 80, targetPort: "http", portName: "http", headless: true }),
      lifecycle: { ignoreChanges: ["spec[0].selector"] },
    },
  ],
  ["ServiceAccount", ServiceAccountV1, typed.serviceAccountV1, serviceAccountV1Config("fraud", "serving", "arn:aws:iam::123456789012:role/fraud", { a: "b" })],
  [
    "HPA v2 on a Rollout, CPU and a Pods metric",
    HorizontalPodAutoscalerV2,
    typed.horizontalPodAutoscalerV2,
    autoscalerV2Config({
      name: "fraud",
      namespace: "serving",
      labels: {},
      minReplicas: 2,
      maxReplicas: 4,
      targetCpuUtilization: 70,
      target: { apiVersion: "argoproj.io/v1alpha1", kind: "Rollout" },
      requestsPerSecond: { metric: "model_requests_per_second", target: 10 },
    }),
  ],
  [
    "NetworkPolicy (egress to a CIDR and a namespace's pods, depending on another resource)",
    NetworkPolicyV1,
    typed.networkPolicyV1,
    {
      metadata: { name: "allow-x", namespace: "n", labels: { "app.kubernetes.io/managed-by": "cdktf-ml-platform" } },
      spec: {
        podSelector: { matchLabels: { app: "x" } },
        policyTypes: ["Egress"],
        egress: [
          { to: [{ ipBlock: { cidr: "10.0.0.0/16" } }], ports: [{ port: "443", protocol: "TCP" }] },
          {
            to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "m" } }, podSelector: { matchExpressions: [{ key: "k", operator: "In", values: ["v"] }] } }],
          },
        ],
      },
      dependsOn: ["kubernetes_namespace_v1.n"],
    },
  ],
  ["PodDisruptionBudget", PodDisruptionBudgetV1, typed.podDisruptionBudgetV1, disruptionBudgetV1Config("fraud", "serving", { a: "b" })],
  ["ConfigMap", ConfigMapV1, typed.configMapV1, { metadata: { name: "d", namespace: "n", labels: { grafana_dashboard: "1" } }, data: { "d.json": '{"a":"{{x}}"}' } }],
  [
    "drift CronJob",
    CronJobV1,
    typed.cronJobV1,
    cronJobV1Config({ names: drift, labels: {}, schedule: "0 3 * * *", image: "python:3.12", env: { A: "b" }, cpu: "500m", memory: "1Gi", periodSeconds: 86400 }),
  ],
];

function synth(hcl: boolean, make: (stack: TerraformStack) => void): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "typed-resource-"));
  try {
    const app = new App({ outdir, skipValidation: true, hclOutput: hcl });
    make(new TerraformStack(app, "s"));
    app.synth();
    return fs.readFileSync(path.join(outdir, "stacks", "s", hcl ? "cdk.tf" : "cdk.tf.json"), "utf8");
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

describe("typed Kubernetes resources without the binding classes", () => {
  test.each(CASES)("%s: the same JSON and HCL as the binding class", (_name, Binding, light, config) => {
    for (const hcl of [false, true]) {
      const expected = synth(hcl, (s) => new Binding(s, "r", config));
      expect(synth(hcl, (s) => light(s, "r", config))).toBe(expected);
    }
  });
});
