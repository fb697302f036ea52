import { Construct } from "constructs";
import { ITerraformDependable, TerraformResource } from "cdktf";
import { configMapV1 } from "../kubernetes/private/typed-resource";
import { Validator } from "../core/errors";
import { Shape, checkShape } from "../core/shape";
import { namespaceProblem, objectNameProblem } from "../core/validators";

/** Label (and value) the Grafana dashboards sidecar watches for, in every namespace. */
export const GRAFANA_DASHBOARD_LABEL = { key: "grafana_dashboard", value: "1" } as const;

/** UID of the Prometheus datasource that kube-prometheus-stack provisions in Grafana. */
export const PROMETHEUS_DATASOURCE = { type: "prometheus", uid: "prometheus" } as const;

/** One PromQL query of a panel. */
export interface PanelQuery {
  readonly expr: string;
  /** Grafana legend template, e.g. `{{pod}}`. @default - Grafana's default legend */
  readonly legend?: string;
}

/** One time-series panel. */
export interface DashboardPanel {
  readonly title: string;
  readonly queries: readonly PanelQuery[];
  /** Grafana unit id, e.g. "reqps", "s", "percentunit", "percent", "watt", "celsius", "decmbytes". @default "short" */
  readonly unit?: string;
  /** @default - none */
  readonly description?: string;
}

export interface DashboardOptions {
  /** Stable UID: links to the dashboard survive re-provisioning. 1 to 40 characters. */
  readonly uid: string;
  readonly title: string;
  readonly panels: readonly DashboardPanel[];
  /** @default - none */
  readonly tags?: readonly string[];
  /** @default "now-6h" */
  readonly from?: string;
}

const PANEL_WIDTH = 12;
const PANEL_HEIGHT = 8;

/**
 * A Grafana dashboard model (schema of Grafana 10+): time-series panels laid out two per
 * row, every query against the provisioned Prometheus datasource.
 */
export function dashboardJson(options: DashboardOptions): Record<string, unknown> {
  return {
    uid: options.uid,
    title: options.title,
    tags: [...(options.tags ?? [])],
    editable: false,
    schemaVersion: 39,
    version: 1,
    refresh: "1m",
    timezone: "utc",
    time: { from: options.from ?? "now-6h", to: "now" },
    templating: { list: [] },
    annotations: { list: [] },
    panels: options.panels.map((p, i) => ({
      id: i + 1,
      type: "timeseries",
      title: p.title,
      ...(p.description ? { description: p.description } : {}),
      datasource: { ...PROMETHEUS_DATASOURCE },
      gridPos: { h: PANEL_HEIGHT, w: PANEL_WIDTH, x: (i % 2) * PANEL_WIDTH, y: Math.floor(i / 2) * PANEL_HEIGHT },
      fieldConfig: { defaults: { unit: p.unit ?? "short" }, overrides: [] },
      options: { legend: { displayMode: "list", placement: "bottom" }, tooltip: { mode: "multi" } },
      targets: p.queries.map((q, j) => ({
        refId: String.fromCharCode(65 + j),
        datasource: { ...PROMETHEUS_DATASOURCE },
        expr: q.expr,
        ...(q.legend ? { legendFormat: q.legend } : {}),
      })),
    })),
  };
}

export interface GrafanaDashboardProps extends DashboardOptions {
  /** Name of the ConfigMap. */
  readonly name: string;
  readonly namespace: string;
  /** @default - none */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * A dashboard provisioned through the Grafana sidecar: a ConfigMap carrying the sidecar's
 * label, in any namespace (the observability stack's sidecar searches them all). A
 * `kubernetes_config_map_v1` rather than chart values, so that Helm's template engine never
 * sees the `{{...}}` legend templates.
 */
export class GrafanaDashboard extends Construct {
  /** The `kubernetes_config_map_v1` resource. */
  public readonly configMap: TerraformResource;
  /** The dashboard model, as provisioned. */
  public readonly dashboard: Record<string, unknown>;
  /** The ConfigMap as the API server receives it. */
  public readonly object: Record<string, unknown>;

  constructor(scope: Construct, id: string, props: GrafanaDashboardProps) {
    super(scope, id);
    checkShape(this.node.path, props, {
      name: Shape.string(),
      namespace: Shape.string(),
      dependsOn: Shape.optional(Shape.array(Shape.any())),
      uid: Shape.string(),
      title: Shape.string(),
      panels: Shape.array(
        Shape.object(
          {
            title: Shape.string(),
            queries: Shape.array(Shape.object({ expr: Shape.string({ nonEmpty: true }), legend: Shape.optional(Shape.string()) }, "a query { expr, legend? }"), { minLength: 1 }),
            unit: Shape.optional(Shape.string()),
            description: Shape.optional(Shape.string()),
          },
          "a panel { title, queries, unit?, description? }",
        ),
      ),
      tags: Shape.optional(Shape.array(Shape.string())),
      from: Shape.optional(Shape.string()),
    });
    const v = new Validator(this.node.path);
    v.checkProblem("name", props.name, objectNameProblem(props.name));
    v.checkProblem("namespace", props.namespace, namespaceProblem(props.namespace));
    v.check(/^[A-Za-z0-9_-]{1,40}$/.test(props.uid), "uid", props.uid, "must be 1 to 40 letters, digits, '-' or '_' (Grafana's UID rule)");
    v.check(props.panels.length > 0, "panels", props.panels.length, "a dashboard needs at least one panel");
    v.throwIfAny();
    this.dashboard = dashboardJson(props);
    this.object = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: {
        name: props.name,
        namespace: props.namespace,
        labels: { [GRAFANA_DASHBOARD_LABEL.key]: GRAFANA_DASHBOARD_LABEL.value },
      },
      data: { [`${props.name}.json`]: JSON.stringify(this.dashboard) },
    };
    const { metadata, data } = this.object as { metadata: { name: string; namespace: string; labels: Record<string, string> }; data: Record<string, string> };
    this.configMap = configMapV1(this, "config-map", { metadata, data, ...(props.dependsOn ? { dependsOn: props.dependsOn } : {}) });
  }
}
