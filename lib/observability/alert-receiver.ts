import { AlertSeverity } from "../kubernetes/monitoring";
import { Validator } from "../core/errors";
import { Shape, checkShape } from "../core/shape";
import { REDACTED, secretLiteralKind, severityProblem } from "../core/validators";

/** Where Alertmanager mounts `alertmanagerSpec.secrets`: `<dir>/<secret name>/<key>`. */
export const ALERTMANAGER_SECRETS_DIR = "/etc/alertmanager/secrets";

export interface SlackReceiverOptions {
  /** Receiver name; also the key of its webhook URL in the Alertmanager secret's JSON. @default "slack" */
  readonly name?: string;
  /** Channel to post to, e.g. "#ml-alerts". */
  readonly channel: string;
  /** Severities routed here. @default ["critical", "warning"] */
  readonly severities?: readonly AlertSeverity[];
}

export interface PagerDutyReceiverOptions {
  /** Receiver name; also the key of its Events API v2 routing key in the Alertmanager secret's JSON. @default "pagerduty" */
  readonly name?: string;
  /** Severities routed here. @default ["critical"] */
  readonly severities?: readonly AlertSeverity[];
}

/** Receiver name (an Alertmanager receiver and a JSON property of the secret) and severities. */
function checkReceiver(v: Validator, options: { name?: string; severities?: readonly string[] }): void {
  if (options.name !== undefined) {
    v.check(/^[a-z][a-z0-9_-]{0,62}$/.test(options.name), "name", options.name, "must be 1 to 63 lowercase letters, digits, _ or -, starting with a letter");
  }
  (options.severities ?? []).forEach((s, i) => v.checkProblem(`severities[${i}]`, s, severityProblem(s)));
}

export interface HeartbeatReceiverOptions {
  /** Receiver name; also the key of its credential in the Alertmanager secret's JSON. @default "heartbeat" */
  readonly name?: string;
  /**
   * The heartbeat service's ping URL (not a secret), e.g. an Opsgenie heartbeat:
   * `https://api.opsgenie.com/v2/heartbeats/<heartbeat name>/ping`.
   */
  readonly url: string;
  /** Scheme of the Authorization header that carries the credential: "GenieKey" for Opsgenie. @default "Bearer" */
  readonly authorizationType?: string;
  /**
   * How often Alertmanager re-sends the always-firing Watchdog alert to the service. The
   * service must alarm when it hears nothing for longer (Opsgenie: the heartbeat's interval).
   * @default "5m"
   */
  readonly interval?: string;
}

/**
 * Where alerts go. The credential (Slack webhook URL, PagerDuty routing key) is never in
 * code: it is the property `<name>` of the Alertmanager secret in Secrets Manager, synced
 * into the cluster and read by Alertmanager from a file.
 *
 *     AlertReceiver.pagerDuty()                       // critical pages
 *     AlertReceiver.slack({ channel: "#ml-alerts" })  // critical and warning to a channel
 */
export class AlertReceiver {
  public static slack(options: SlackReceiverOptions): AlertReceiver {
    const where = "AlertReceiver.slack";
    checkShape(where, options, {
      name: Shape.optional(Shape.string()),
      channel: Shape.string(),
      severities: Shape.optional(Shape.array(Shape.string(), { minLength: 1 })),
    });
    const v = new Validator(where);
    const secret = secretLiteralKind(options.channel);
    if (secret) {
      v.check(
        false,
        "channel",
        REDACTED,
        `looks like ${secret}: channel is the channel's name ("#ml-alerts"); the webhook URL is a secret, set as property "${options.name ?? "slack"}" of the Alertmanager secret in Secrets Manager (lib/observability/README.md)`,
      );
    } else {
      v.check(
        /^[#@]?[a-z0-9][a-z0-9._-]{0,79}$/.test(options.channel),
        "channel",
        options.channel,
        'must be a Slack channel name such as "#ml-alerts" (lowercase letters, digits, ., _ or -, at most 80 characters)',
      );
    }
    checkReceiver(v, options);
    v.throwIfAny();
    return new AlertReceiver("slack", options.name ?? "slack", options.severities ?? ["critical", "warning"], options.channel);
  }

  public static pagerDuty(options: PagerDutyReceiverOptions = {}): AlertReceiver {
    const where = "AlertReceiver.pagerDuty";
    checkShape(where, options, {
      name: Shape.optional(Shape.string()),
      severities: Shape.optional(Shape.array(Shape.string(), { minLength: 1 })),
    });
    const v = new Validator(where);
    checkReceiver(v, options);
    v.throwIfAny();
    return new AlertReceiver("pagerduty", options.name ?? "pagerduty", options.severities ?? ["critical"]);
  }

  /**
   * A dead man's switch: kube-prometheus-stack's Watchdog alert fires as long as Prometheus
   * and Alertmanager work; this receiver gets it every `interval`, and the external service
   * alarms when the pings stop (monitoring down, or unable to notify). Only Watchdog goes here.
   *
   *     AlertReceiver.heartbeat({ url: "https://api.opsgenie.com/v2/heartbeats/ml-prod/ping", authorizationType: "GenieKey" })
   */
  public static heartbeat(options: HeartbeatReceiverOptions): AlertReceiver {
    const v = new Validator("AlertReceiver.heartbeat");
    v.check(
      typeof options?.url === "string" && /^https:\/\/[^\s/]+\/\S*$/.test(options.url),
      "url",
      options?.url,
      "must be the heartbeat service's https ping URL (its credential goes in the Alertmanager secret, not in the URL)",
    );
    if (options?.name !== undefined) {
      v.check(/^[a-z][a-z0-9_-]{0,62}$/.test(options.name), "name", options.name, "must be 1 to 63 lowercase letters, digits, _ or -, starting with a letter");
    }
    if (options?.authorizationType !== undefined) {
      v.check(
        /^[A-Za-z][A-Za-z0-9-]*$/.test(options.authorizationType),
        "authorizationType",
        options.authorizationType,
        'must be an HTTP authorization scheme such as "Bearer" or "GenieKey"',
      );
    }
    if (options?.interval !== undefined) {
      v.check(/^([0-9]+(ms|s|m|h))+$/.test(options.interval), "interval", options.interval, 'must be a Prometheus duration such as "1m" or "5m"');
    }
    v.throwIfAny();
    return new AlertReceiver("heartbeat", options.name ?? "heartbeat", [], undefined, {
      url: options.url,
      authorizationType: options.authorizationType ?? "Bearer",
      interval: options.interval ?? "5m",
    });
  }

  private constructor(
    public readonly kind: "slack" | "pagerduty" | "heartbeat",
    public readonly name: string,
    public readonly severities: readonly AlertSeverity[],
    public readonly channel?: string,
    public readonly heartbeatSettings?: { readonly url: string; readonly authorizationType: string; readonly interval: string },
  ) {}

  /** Key of the credential in the Kubernetes Secret (and property in the Secrets Manager JSON). */
  public get secretKey(): string {
    return this.name;
  }

  /** The receiver entry of the Alertmanager configuration, reading the credential from `secretName`. */
  public render(secretName: string): Record<string, unknown> {
    const file = `${ALERTMANAGER_SECRETS_DIR}/${secretName}/${this.secretKey}`;
    if (this.kind === "slack") {
      return { name: this.name, slack_configs: [{ api_url_file: file, channel: this.channel, send_resolved: true }] };
    }
    if (this.kind === "heartbeat") {
      const hb = this.heartbeatSettings!;
      return { name: this.name, webhook_configs: [{ url: hb.url, send_resolved: false, http_config: { authorization: { type: hb.authorizationType, credentials_file: file } } }] };
    }
    return { name: this.name, pagerduty_configs: [{ routing_key_file: file, send_resolved: true }] };
  }
}

/**
 * The Alertmanager configuration's route and receivers: every receiver gets the alerts of
 * its severities (`continue`, so a critical alert both pages and posts); Watchdog (the
 * always-firing heartbeat) goes to the heartbeat receiver, re-sent every interval, or
 * nowhere without one; anything unmatched goes nowhere.
 */
export function alertmanagerRouting(receivers: readonly AlertReceiver[], secretName: string): Record<string, unknown> {
  const heartbeat = receivers.find((r) => r.kind === "heartbeat");
  const watchdog = heartbeat
    ? {
        receiver: heartbeat.name,
        matchers: ['alertname = "Watchdog"'],
        group_wait: "0s",
        group_interval: heartbeat.heartbeatSettings!.interval,
        repeat_interval: heartbeat.heartbeatSettings!.interval,
      }
    : { receiver: "null", matchers: ['alertname = "Watchdog"'] };
  return {
    route: {
      receiver: "null",
      group_by: ["namespace", "alertname"],
      group_wait: "30s",
      group_interval: "5m",
      repeat_interval: "4h",
      routes: [
        watchdog,
        ...receivers.filter((r) => r.kind !== "heartbeat").map((r) => ({ receiver: r.name, matchers: [`severity =~ "${r.severities.join("|")}"`], continue: true })),
      ],
    },
    receivers: [{ name: "null" }, ...receivers.map((r) => r.render(secretName))],
  };
}
