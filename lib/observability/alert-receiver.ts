import { AlertSeverity } from "../platform/monitoring";

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
    return new AlertReceiver("slack", options.name ?? "slack", options.severities ?? ["critical", "warning"], options.channel);
  }

  public static pagerDuty(options: PagerDutyReceiverOptions = {}): AlertReceiver {
    return new AlertReceiver("pagerduty", options.name ?? "pagerduty", options.severities ?? ["critical"]);
  }

  private constructor(
    public readonly kind: "slack" | "pagerduty",
    public readonly name: string,
    public readonly severities: readonly AlertSeverity[],
    public readonly channel?: string,
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
    return { name: this.name, pagerduty_configs: [{ routing_key_file: file, send_resolved: true }] };
  }
}

/**
 * The Alertmanager configuration's route and receivers: every receiver gets the alerts of
 * its severities (`continue`, so a critical alert both pages and posts); Watchdog (the
 * always-firing heartbeat) and anything unmatched go nowhere.
 */
export function alertmanagerRouting(receivers: readonly AlertReceiver[], secretName: string): Record<string, unknown> {
  return {
    route: {
      receiver: "null",
      group_by: ["namespace", "alertname"],
      group_wait: "30s",
      group_interval: "5m",
      repeat_interval: "4h",
      routes: [
        { receiver: "null", matchers: ['alertname = "Watchdog"'] },
        ...receivers.map((r) => ({ receiver: r.name, matchers: [`severity =~ "${r.severities.join("|")}"`], continue: true })),
      ],
    },
    receivers: [{ name: "null" }, ...receivers.map((r) => r.render(secretName))],
  };
}
