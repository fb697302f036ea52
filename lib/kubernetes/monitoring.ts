import { Construct } from "constructs";
import { TerraformResource } from "cdktf";
import { KubernetesManifest } from "./private/manifest";
import { Validator } from "../core/errors";
import { Shape, checkShape } from "../core/shape";
import { labelProblems, namespaceProblem, objectNameProblem, prometheusDurationProblem, severityProblem } from "../core/validators";

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

/**
 * A `monitoring.coreos.com/v1` PrometheusRule. The observability stack selects rules in
 * every namespace, so no release label is needed. `object` is the exact manifest, for
 * schema validation and promtool in tests.
 */
export class PrometheusRule extends Construct {
  public readonly manifest: TerraformResource;
  public readonly object: Record<string, unknown>;

  constructor(scope: Construct, id: string, props: PrometheusRuleProps) {
    super(scope, id);
    checkShape(this.node.path, props, {
      name: Shape.string(),
      namespace: Shape.string(),
      groups: Shape.array(
        Shape.object(
          {
            name: Shape.string(),
            interval: Shape.optional(Shape.string()),
            rules: Shape.array(
              Shape.object(
                {
                  alert: Shape.string(),
                  expr: Shape.string({ nonEmpty: true }),
                  for: Shape.optional(Shape.string()),
                  severity: Shape.string(),
                  summary: Shape.string(),
                  description: Shape.optional(Shape.string()),
                  runbookUrl: Shape.optional(Shape.string()),
                  labels: Shape.optional(Shape.record(Shape.string())),
                },
                "an alert rule { alert, expr, severity, summary, for?, ... }",
              ),
              { minLength: 1 },
            ),
          },
          "a rule group { name, rules }",
        ),
        { minLength: 1 },
      ),
      labels: Shape.optional(Shape.record(Shape.string())),
    });
    const v = new Validator(this.node.path);
    v.checkProblem("name", props.name, objectNameProblem(props.name));
    v.checkProblem("namespace", props.namespace, namespaceProblem(props.namespace));
    props.groups.forEach((g, gi) => {
      if (g.interval !== undefined) v.checkProblem(`groups[${gi}].interval`, g.interval, prometheusDurationProblem(g.interval));
      for (const r of g.rules) {
        v.check(/^[A-Za-z_][A-Za-z0-9_]*$/.test(r.alert), "alert", r.alert, "must be a valid Prometheus alert name (letters, digits, _)");
        if (r.for !== undefined) v.checkProblem(`${r.alert}.for`, r.for, prometheusDurationProblem(r.for));
        v.checkProblem(`${r.alert}.severity`, r.severity, severityProblem(r.severity));
      }
    });
    for (const [field, value, allowed] of labelProblems("labels", props.labels ?? {})) v.check(false, field, value, allowed);
    v.throwIfAny();
    this.object = {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "PrometheusRule",
      metadata: { name: props.name, namespace: props.namespace, labels: { ...(props.labels ?? {}) } },
      spec: renderRuleGroups(props.groups),
    };
    this.manifest = new KubernetesManifest(this, "manifest", { manifest: this.object });
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
  /**
   * Keep the target's own `job` and `instance` labels (a Pushgateway's: the pushing job's, as
   * prometheus/pushgateway README.md "Configure the Pushgateway as a target to scrape" requires).
   * @default false
   */
  readonly honorLabels?: boolean;
  /** @default "http" */
  readonly scheme?: "http" | "https";
  /**
   * Accept the target's certificate without verifying it: only for targets that serve a
   * self-signed certificate no CA in the cluster signs (Kueue's internal one). @default false
   */
  readonly tlsInsecureSkipVerify?: boolean;
  /**
   * Send Prometheus's own service account token (targets that authorise scrapes through a
   * SubjectAccessReview, such as controller-runtime's secure metrics). @default false
   */
  readonly bearerTokenFromServiceAccount?: boolean;
}

/** A `monitoring.coreos.com/v1` ServiceMonitor scraping one port of the selected Services. */
export class ServiceMonitor extends Construct {
  public readonly manifest: TerraformResource;
  public readonly object: Record<string, unknown>;

  constructor(scope: Construct, id: string, props: ServiceMonitorProps) {
    super(scope, id);
    checkShape(this.node.path, props, {
      name: Shape.string(),
      namespace: Shape.string(),
      selector: Shape.record(Shape.string()),
      port: Shape.string(),
      path: Shape.optional(Shape.string()),
      interval: Shape.optional(Shape.string()),
      labels: Shape.optional(Shape.record(Shape.string())),
      podTargetLabels: Shape.optional(Shape.array(Shape.string())),
      scrapeTimeout: Shape.optional(Shape.string()),
      basicAuth: Shape.optional(Shape.object({ secret: Shape.string(), usernameKey: Shape.string(), passwordKey: Shape.string() })),
      honorLabels: Shape.optional(Shape.boolean()),
      scheme: Shape.optional(Shape.string()),
      tlsInsecureSkipVerify: Shape.optional(Shape.boolean()),
      bearerTokenFromServiceAccount: Shape.optional(Shape.boolean()),
    });
    const v = new Validator(this.node.path);
    v.checkProblem("name", props.name, objectNameProblem(props.name));
    v.checkProblem("namespace", props.namespace, namespaceProblem(props.namespace));
    v.check(
      Object.keys(props.selector).length > 0,
      "selector",
      props.selector,
      "must select the Service by at least one label (an empty selector scrapes every Service of the namespace)",
    );
    v.check(
      /^[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?$/.test(props.port),
      "port",
      props.port,
      "must be the name of a Service port (IANA_SVC_NAME: at most 15 lowercase letters, digits or '-')",
    );
    for (const field of ["interval", "scrapeTimeout"] as const) {
      const value = props[field];
      if (value !== undefined) v.checkProblem(field, value, prometheusDurationProblem(value));
    }
    if (props.path !== undefined) v.check(props.path.startsWith("/"), "path", props.path, 'must be an HTTP path starting with "/"');
    if (props.scheme !== undefined) v.check(props.scheme === "http" || props.scheme === "https", "scheme", props.scheme, 'must be "http" or "https"');
    v.check(!props.tlsInsecureSkipVerify || props.scheme === "https", "tlsInsecureSkipVerify", props.tlsInsecureSkipVerify, 'applies only to scheme "https"');
    // A token sent in clear text can be replayed by anyone on the path.
    v.check(
      !props.bearerTokenFromServiceAccount || props.scheme === "https",
      "bearerTokenFromServiceAccount",
      props.bearerTokenFromServiceAccount,
      'needs scheme "https": the token must not travel in clear text',
    );
    for (const [field, value, allowed] of [...labelProblems("labels", props.labels ?? {}), ...labelProblems("selector", props.selector)]) v.check(false, field, value, allowed);
    v.throwIfAny();
    this.object = {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "ServiceMonitor",
      metadata: { name: props.name, namespace: props.namespace, labels: { ...(props.labels ?? {}) } },
      spec: {
        selector: { matchLabels: { ...props.selector } },
        namespaceSelector: { matchNames: [props.namespace] },
        endpoints: [
          {
            port: props.port,
            path: props.path ?? "/metrics",
            interval: props.interval ?? "30s",
            ...(props.scrapeTimeout ? { scrapeTimeout: props.scrapeTimeout } : {}),
            ...(props.honorLabels ? { honorLabels: true } : {}),
            ...(props.scheme ? { scheme: props.scheme } : {}),
            ...(props.tlsInsecureSkipVerify ? { tlsConfig: { insecureSkipVerify: true } } : {}),
            // The token file Prometheus's pod mounts (prometheus-operator ServiceMonitor endpoint bearerTokenFile).
            ...(props.bearerTokenFromServiceAccount ? { bearerTokenFile: "/var/run/secrets/kubernetes.io/serviceaccount/token" } : {}),
            ...(props.basicAuth
              ? {
                  basicAuth: {
                    username: { name: props.basicAuth.secret, key: props.basicAuth.usernameKey },
                    password: { name: props.basicAuth.secret, key: props.basicAuth.passwordKey },
                  },
                }
              : {}),
          },
        ],
        ...(props.podTargetLabels?.length ? { podTargetLabels: [...props.podTargetLabels] } : {}),
      },
    };
    this.manifest = new KubernetesManifest(this, "manifest", { manifest: this.object });
  }
}
