import { TerraformStack, Testing, booleanToHclTerraform, booleanToTerraform } from "cdktf";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { DeploymentV1, DeploymentV1Config } from "@cdktf/provider-kubernetes/lib/deployment-v1";
import {
  deploymentV1MetadataToHclTerraform,
  deploymentV1MetadataToTerraform,
  deploymentV1SpecToHclTerraform,
  deploymentV1SpecToTerraform,
} from "@cdktf/provider-kubernetes/lib/deployment-v1/index-structs";
import { TypedResource, TypedAttribute } from "../../../lib/kubernetes/private/typed-resource";

/**
 * TypedResource (lib/kubernetes/private/typed-resource.ts) must synthesize what the provider
 * binding synthesizes, so that moving a resource to it changes nothing in Terraform: checked here
 * for a Deployment with the nested blocks an endpoint uses, in JSON and in HCL.
 */
const config: DeploymentV1Config = {
  metadata: { name: "ranker", namespace: "serving", labels: { app: "ranker" }, annotations: { "secret.reloader.stakater.com/reload": "ranker-db" } },
  waitForRollout: true,
  spec: {
    replicas: "2",
    selector: { matchLabels: { app: "ranker" } },
    strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "1", maxUnavailable: "0" } },
    template: {
      metadata: { labels: { app: "ranker" } },
      spec: {
        serviceAccountName: "ranker",
        automountServiceAccountToken: false,
        securityContext: { runAsNonRoot: true, runAsUser: "1000", seccompProfile: { type: "RuntimeDefault" } },
        container: [
          {
            name: "server",
            image: "ghcr.io/mlflow/mlflow:v2.17.0",
            args: ["mlflow", "models", "serve"],
            port: [{ name: "http", containerPort: 8080 }],
            env: [
              { name: "A", value: "1" },
              { name: "B", valueFrom: { secretKeyRef: { name: "s", key: "k" } } },
            ],
            resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { memory: "1Gi" } },
            readinessProbe: { httpGet: { path: "/ping", port: "8080" }, periodSeconds: 5 },
            securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
            volumeMount: [{ name: "tmp", mountPath: "/tmp" }],
          },
        ],
        volume: [{ name: "tmp", emptyDir: { sizeLimit: "1Gi" } }],
      },
    },
  },
};

const attributes: Record<string, TypedAttribute> = {
  wait_for_rollout: {
    value: config.waitForRollout,
    toTerraform: booleanToTerraform,
    toHclTerraform: booleanToHclTerraform,
    hcl: { isBlock: false, type: "simple", storageClassType: "boolean" },
  },
  metadata: {
    value: config.metadata,
    toTerraform: deploymentV1MetadataToTerraform,
    toHclTerraform: deploymentV1MetadataToHclTerraform,
    hcl: { isBlock: true, type: "list", storageClassType: "DeploymentV1MetadataList" },
  },
  spec: {
    value: config.spec,
    toTerraform: deploymentV1SpecToTerraform,
    toHclTerraform: deploymentV1SpecToHclTerraform,
    hcl: { isBlock: true, type: "list", storageClassType: "DeploymentV1SpecList" },
  },
};

function stack(make: (s: TerraformStack) => void): TerraformStack {
  const s = new TerraformStack(Testing.app(), "s");
  new KubernetesProvider(s, "kubernetes", {});
  make(s);
  return s;
}
const binding = () => stack((s) => new DeploymentV1(s, "deployment", config));
const typed = () =>
  stack(
    (s) =>
      new TypedResource(s, "deployment", {
        terraformResourceType: "kubernetes_deployment_v1",
        providerName: "kubernetes",
        providerVersion: "2.38.0",
        providerVersionConstraint: "~> 2.0",
        attributes,
      }),
  );

describe("TypedResource synthesizes what the provider binding does", () => {
  test("JSON: a Deployment with nested blocks is identical", () => {
    expect(JSON.parse(Testing.synth(typed()))).toEqual(JSON.parse(Testing.synth(binding())));
  });

  test("HCL: the same Deployment renders the same", () => {
    expect(Testing.synthHcl(typed())).toEqual(Testing.synthHcl(binding()));
  });
});
