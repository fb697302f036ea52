import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { AlertReceiver } from "../../../lib";
import { chartDefaults, helmRelease } from "../../support/chart-values";
import { synthJson } from "../../support/synth";
import { observabilityFixture } from "./fixture";

/**
 * The Alertmanager configuration Helm renders (the chart's default `alertmanager.config`
 * merged with the library's values, maps deeply and lists replaced, as Helm merges) is
 * checked by amtool (Debian's `prometheus-alertmanager` package), and its routing tree
 * is exercised: which receivers an alert of each severity reaches.
 */
function amtoolAvailable(): boolean {
  try {
    execFileSync("amtool", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
if (!amtoolAvailable()) process.stderr.write("\n*** SKIPPING AMTOOL TESTS: amtool is not on the PATH (apt-get install prometheus-alertmanager) ***\n\n");
const describeWithAmtool = amtoolAvailable() ? describe : describe.skip;

function helmMerge(defaults: any, values: any): any {
  if (typeof defaults !== "object" || defaults === null || Array.isArray(defaults)) return values;
  if (typeof values !== "object" || values === null || Array.isArray(values)) return values;
  const out: any = { ...defaults };
  for (const [k, v] of Object.entries(values)) out[k] = k in defaults ? helmMerge(defaults[k], v) : v;
  return out;
}

describeWithAmtool("Alertmanager configuration under amtool", () => {
  const { addons } = observabilityFixture({ tier: "production" });
  const values = helmRelease(synthJson(addons), "kube-prometheus-stack").values as any;
  const config = helmMerge((chartDefaults("kube-prometheus-stack", "88.5.3") as any).alertmanager.config, values.alertmanager.config);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "amtool-"));
  const file = path.join(dir, "alertmanager.yaml");
  fs.writeFileSync(file, stringify(config));

  const routes = (labels: string) => {
    const res = spawnSync("amtool", ["config", "routes", "test", `--config.file=${file}`, ...labels.split(" ")], { encoding: "utf8" });
    return res.stdout.trim();
  };

  test("amtool accepts the configuration (every receiver field is one Alertmanager 0.25 knows)", () => {
    const res = spawnSync("amtool", ["check-config", file], { encoding: "utf8" });
    expect(`${res.stdout}${res.stderr}`).toContain("SUCCESS");
    expect(res.status).toBe(0);
  });

  test("a critical alert pages and posts", () => {
    expect(routes("alertname=ModelEndpointLatencyHigh severity=critical namespace=serving")).toBe("pagerduty,slack");
  });

  test("a warning alert only posts", () => {
    expect(routes("alertname=ModelEndpointPredictionDrift severity=warning namespace=serving")).toBe("slack");
  });

  test("without a heartbeat receiver, the Watchdog heartbeat notifies nobody", () => {
    expect(routes("alertname=Watchdog severity=none")).toBe("null");
  });
});

describeWithAmtool("Alertmanager configuration with a dead man's switch, under amtool", () => {
  const heartbeat = AlertReceiver.heartbeat({ url: "https://api.opsgenie.com/v2/heartbeats/ml-prod-watchdog/ping", authorizationType: "GenieKey", interval: "2m" });
  const { addons } = observabilityFixture({ tier: "production" }, { receivers: [AlertReceiver.pagerDuty(), AlertReceiver.slack({ channel: "#ml-alerts" }), heartbeat] });
  const values = helmRelease(synthJson(addons), "kube-prometheus-stack").values as any;
  const config = helmMerge((chartDefaults("kube-prometheus-stack", "88.5.3") as any).alertmanager.config, values.alertmanager.config);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "amtool-"));
  const file = path.join(dir, "alertmanager.yaml");
  fs.writeFileSync(file, stringify(config));
  const routes = (labels: string) => spawnSync("amtool", ["config", "routes", "test", `--config.file=${file}`, ...labels.split(" ")], { encoding: "utf8" }).stdout.trim();

  test("amtool accepts it: a webhook with the credential read from the mounted secret", () => {
    const res = spawnSync("amtool", ["check-config", file], { encoding: "utf8" });
    expect(`${res.stdout}${res.stderr}`).toContain("SUCCESS");
    expect(config.receivers).toContainEqual({
      name: "heartbeat",
      webhook_configs: [
        {
          url: "https://api.opsgenie.com/v2/heartbeats/ml-prod-watchdog/ping",
          send_resolved: false,
          http_config: { authorization: { type: "GenieKey", credentials_file: "/etc/alertmanager/secrets/alertmanager-receivers/heartbeat" } },
        },
      ],
    });
  });

  test("Watchdog reaches the heartbeat, re-sent every interval; nothing else does", () => {
    expect(routes("alertname=Watchdog severity=none")).toBe("heartbeat");
    expect(config.route.routes[0]).toMatchObject({ receiver: "heartbeat", repeat_interval: "2m", group_interval: "2m", group_wait: "0s" });
    expect(routes("alertname=ModelEndpointLatencyHigh severity=critical namespace=serving")).toBe("pagerduty,slack");
  });
});
