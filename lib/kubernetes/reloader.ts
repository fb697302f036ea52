import { Construct } from "constructs";
import { ITrainingCluster } from "../gpu-cluster/cluster-interface";
import { Environment } from "../core/environment";
import { CHARTS } from "./charts";
import { HelmChart } from "./helm-chart";
import { ALLOW, NamespaceNetworkPolicies } from "./network-policy";
import { restrictedContainerSecurityContext } from "./pod-security";

/** The annotation a Deployment carries to be restarted when one of the named Secrets changes (comma-separated names). */
export const RELOAD_ON_SECRETS_ANNOTATION = "secret.reloader.stakater.com/reload";

export interface ReloaderProps {
  /** @default "reloader" */
  readonly namespace?: string;
  /** The cluster it runs on: its pod is declared in the cluster's capacity model. @default - not declared (the capacity check does not count it) */
  readonly cluster?: ITrainingCluster;
}

const RELOADER_REQUESTS = { cpu: "10m", memory: "128Mi" } as const;

/**
 * Stakater Reloader: rolls a Deployment when a Secret it names in
 * `secret.reloader.stakater.com/reload` changes. RDS rotates the registry's master password
 * every 7 days and External Secrets copies the new one into the cluster within its refresh
 * interval, but a running pod keeps the password it started with; without a restart MLflow
 * loses its database at the first rotation. Only annotated workloads are touched
 * (`autoReloadAll` stays off).
 *
 * The restart is a pod-template annotation (`reloadStrategy: annotations`), not the default
 * environment variable, so a later Helm upgrade of the workload does not see a foreign
 * container field.
 */
export class Reloader extends Construct {
  public readonly chart: HelmChart;
  public readonly namespace: string;
  public readonly networkPolicies: NamespaceNetworkPolicies;

  constructor(scope: Construct, id: string, props: ReloaderProps = {}) {
    super(scope, id);
    this.namespace = props.namespace ?? "reloader";
    this.chart = new HelmChart(this, "chart", {
      chart: CHARTS.reloader,
      namespace: this.namespace,
      createNamespace: true,
      values: {
        reloader: {
          reloadStrategy: "annotations",
          autoReloadAll: false,
          // Secrets only: the library's ConfigMaps change with a Terraform apply, which rolls the pods itself.
          ignoreConfigMaps: true,
          readOnlyRootFileSystem: true,
          deployment: {
            containerSecurityContext: restrictedContainerSecurityContext(),
            resources: { requests: { ...RELOADER_REQUESTS }, limits: { memory: "256Mi" } },
          },
        },
      },
    });
    // reloader 2.2.16 names its Deployment `<release>-reloader`; the release is named after the chart.
    props.cluster?.capacity.addWorkload(this, {
      kind: "Deployment",
      namespace: this.namespace,
      name: `${CHARTS.reloader.chart}-reloader`,
      requests: RELOADER_REQUESTS,
    });
    // Reloader only watches and patches through the API server (HTTPS, its ENIs in the VPC).
    this.networkPolicies = new NamespaceNetworkPolicies(this, "network-policies", {
      namespace: this.namespace,
      dependsOn: [this.chart.release],
      allows: [ALLOW.awsApis(Environment.of(this).vpcCidr)],
    });
  }
}
