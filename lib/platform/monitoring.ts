import { Construct } from "constructs";
import { Manifest } from "@cdktf/provider-kubernetes/lib/manifest";
import { Validator } from "../core/errors";

/** Alert severities, routed by Alertmanager: critical pages, warning goes to a channel. */
export type AlertSeverity = "critical" | "warning" | "info";

/** One Prometheus alerting rule, typed. */
export interface AlertRule {
  /** CamelCase alert name, e.g. `EndpointLatencyHigh`. */
  readonly alert: string;
  /** PromQL expression; the alert fires for every series it returns. */
  readonly expr: string;
  /** How long the expression must hold before firing, e.g. "5m". @default - fires at once */
  readonly for?: string;
  readonly severity: AlertSeverity;
  /** One line for the notification title. */
  readonly summary: string;
  /** @default - none */
  readonly description?: string;
  /** @default - none */
  readonly runbookUrl?: string;
  /** Extra labels. @default - none */
  readonly labels?: Readonly<Record<string, string>>;
}

export interface RuleGroup {
  readonly name: string;
  /** @default - Prometheus's global evaluation interval */
  readonly interval?: string;
  readonly rules: readonly AlertRule[];
}

/** A Prometheus rule group in the file format promtool and the operator share. */
export function renderRuleGroups(groups: readonly RuleGroup[]): { groups: Record<string, unknown>[] } {
  return {
    groups: groups.map((g) => ({
      name: g.name,
      ...(g.interval ? { interval: g.interval } : {}),
      rules: g.rules.map((r) => ({
        alert: r.alert,
        expr: r.expr,
        ...(r.for ? { for: r.for } : {}),
        labels: { severity: r.severity, ...(r.labels ?? {}) },
        annotations: {
          summary: r.summary,
          ...(r.description ? { description: r.description } : {}),
          ...(r.runbookUrl ? { runbook_url: r.runbookUrl } : {}),
        },
      })),
    })),
  };
}

export interface PrometheusRuleProps {
  readonly name: string;
  readonly namespace: string;
  readonly groups: readonly RuleGroup[];
  /** @default - none */
  readonly labels?: Readonly<Record<string, string>>;
}

const DURATION = /^(\d+(ms|s|m|h|d|w|y))+$/;

/**
 * A `monitoring.coreos.com/v1` PrometheusRule. The observability stack selects rules in
 * every namespace, so no release label is needed. `object` is the exact manifest, for
 * schema validation and promtool in tests.
 */
export class PrometheusRule extends Construct {
  public readonly manifest: Manifest;
  public readonly object: Record<string, unknown>;

  constructor(scope: Construct, id: string, props: PrometheusRuleProps) {
    super(scope, id);
    const v = new Validator(this.node.path);
    for (const g of props.groups) {
      for (const r of g.rules) {
        v.check(/^[A-Za-z_][A-Za-z0-9_]*$/.test(r.alert), "alert", r.alert, "must be a valid Prometheus alert name (letters, digits, _)");
        if (r.for !== undefined) v.check(DURATION.test(r.for), `${r.alert}.for`, r.for, "must be a Prometheus duration such as 5m");
      }
    }
    v.throwIfAny();
    this.object = {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "PrometheusRule",
      metadata: { name: props.name, namespace: props.namespace, labels: { ...(props.labels ?? {}) } },
      spec: renderRuleGroups(props.groups),
    };
    this.manifest = new Manifest(this, "manifest", { manifest: this.object });
  }
}

export interface ServiceMonitorProps {
  readonly name: string;
  readonly namespace: string;
  /** Labels of the Service(s) to scrape. */
  readonly selector: Readonly<Record<string, string>>;
  /** Name of the Service port that serves metrics. */
  readonly port: string;
  /** @default "/metrics" */
  readonly path?: string;
  /** @default "30s" */
  readonly interval?: string;
  /** @default - none */
  readonly labels?: Readonly<Record<string, string>>;
  /** Pod labels copied onto the scraped series (e.g. a blue/green colour). @default - none */
  readonly podTargetLabels?: readonly string[];
  /** @default - Prometheus's scrape timeout */
  readonly scrapeTimeout?: string;
  /**
   * HTTP basic auth for targets whose metrics need a login: a Secret in the ServiceMonitor's
   * namespace (the only place the operator reads it from). @default - no authentication
   */
  readonly basicAuth?: { readonly secret: string; readonly usernameKey: string; readonly passwordKey: string };
}

/** A `monitoring.coreos.com/v1` ServiceMonitor scraping one port of the selected Services. */
export class ServiceMonitor extends Construct {
  public readonly manifest: Manifest;
  public readonly object: Record<string, unknown>;

  constructor(scope: Construct, id: string, props: ServiceMonitorProps) {
    super(scope, id);
    this.object = {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "ServiceMonitor",
      metadata: { name: props.name, namespace: props.namespace, labels: { ...(props.labels ?? {}) } },
      spec: {
        selector: { matchLabels: { ...props.selector } },
        namespaceSelector: { matchNames: [props.namespace] },
        endpoints: [{
          port: props.port,
          path: props.path ?? "/metrics",
          interval: props.interval ?? "30s",
          ...(props.scrapeTimeout ? { scrapeTimeout: props.scrapeTimeout } : {}),
          ...(props.basicAuth ? {
            basicAuth: {
              username: { name: props.basicAuth.secret, key: props.basicAuth.usernameKey },
              password: { name: props.basicAuth.secret, key: props.basicAuth.passwordKey },
            },
          } : {}),
        }],
        ...(props.podTargetLabels?.length ? { podTargetLabels: [...props.podTargetLabels] } : {}),
      },
    };
    this.manifest = new Manifest(this, "manifest", { manifest: this.object });
  }
}
