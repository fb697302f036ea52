import { Construct } from "constructs";
import { ITerraformDependable, TerraformResource } from "cdktf";
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { ChartRef } from "./charts";
import { restrictedNamespace } from "./pod-security";
import { HelmRelease } from "./private/helm-release";

export interface HelmChartProps {
  readonly chart: ChartRef;
  /** @default - the chart's name */
  readonly releaseName?: string;
  readonly namespace: string;
  /**
   * Create the namespace, as a `kubernetes_namespace_v1` (`<id>/namespace`) with the restricted
   * Pod Security labels, before the release. Never Helm's own `create_namespace`, which makes a
   * namespace without labels.
   * @default false
   */
  readonly createNamespace?: boolean;
  /** Chart values. Plain data; strings may carry tokens (ARNs, endpoints) resolved at synth. */
  readonly values: Readonly<Record<string, unknown>>;
  /** @default 600 */
  readonly timeoutSeconds?: number;
  /** @default - none */
  readonly dependsOn?: ITerraformDependable[];
  /**
   * Leave out the chart's crds/ folder: another release owns those CRDs (karpenter's,
   * installed by the karpenter-crd chart so that they are upgraded with it).
   * @default false
   */
  readonly skipCrds?: boolean;
}

/**
 * A pinned Helm release. Values are rendered as JSON (valid YAML) so that the tests can
 * read back exactly what Helm receives and check every key against the chart's
 * defaults. Releases are atomic: a failed upgrade rolls back instead of leaving a
 * half-upgraded platform.
 */
export class HelmChart extends Construct {
  public readonly release: TerraformResource;
  public readonly values: Readonly<Record<string, unknown>>;
  public readonly chart: ChartRef;
  /** The namespace this release created (`createNamespace`). */
  public readonly namespace?: NamespaceV1;

  constructor(scope: Construct, id: string, props: HelmChartProps) {
    super(scope, id);
    this.values = props.values;
    this.chart = props.chart;
    this.namespace = props.createNamespace ? restrictedNamespace(this, "namespace", { name: props.namespace }) : undefined;
    this.release = new HelmRelease(this, "release", {
      name: props.releaseName ?? props.chart.chart,
      repository: props.chart.repository,
      chart: props.chart.chart,
      version: props.chart.version,
      // The literal name (readers of the synthesized stack see it); the dependency orders the namespace first.
      namespace: props.namespace,
      createNamespace: false,
      values: [JSON.stringify(props.values, null, 2)],
      atomic: true,
      cleanupOnFail: true,
      timeout: props.timeoutSeconds ?? 600,
      dependsOn: this.namespace ? [this.namespace, ...(props.dependsOn ?? [])] : props.dependsOn,
      ...(props.skipCrds ? { skipCrds: true } : {}),
    });
  }
}
