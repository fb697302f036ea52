import { AlertRule, AlertSeverity, RuleGroup } from "../../kubernetes/monitoring";
import { DashboardOptions } from "../../observability/dashboard";
import { DRIFT_JOB_FILE, DRIFT_METRICS } from "./drift-job-script";
import { CronJobV1Config } from "@cdktf/provider-kubernetes/lib/cron-job-v1";
import type { DeploymentV1Config } from "@cdktf/provider-kubernetes/lib/deployment-v1";
import { restrictedContainerSecurityContextV1, restrictedPodSecurityContextV1 } from "../../kubernetes/pod-security";

/**
 * The Pushgateway the drift job pushes to, one per DriftMonitor, with its facts from upstream:
 * prometheus/pushgateway v1.11.3 (the newest release tag of the snapshot read) main.go (`--web.listen-address` default ":9091",
 * `--persistence.file`, `--persistence.interval`), README.md ("About the job and instance
 * labels": scrape with honor_labels; `/-/healthy` and `/-/ready`; `push_time_seconds` and
 * `push_failure_time_seconds` per group), Dockerfile (USER nobody = 65534, EXPOSE 9091).
 */
export const PUSHGATEWAY = {
  image: "quay.io/prometheus/pushgateway:v1.11.3",
  port: 9091,
  uid: 65534,
  /** The job label the drift job pushes under (its grouping key adds `endpoint`). */
  job: "ml-drift",
} as const;

/** Requests of the Pushgateway's pod. */
export const PUSHGATEWAY_REQUESTS = { cpu: "10m", memory: "32Mi" } as const;

/** Label naming the endpoint a drift monitor's pods watch (not the endpoint's own label: its Services would select them). */
export const DRIFT_MONITOR_LABEL = "ml-platform/drift-monitor";
const JOB_UID = 10001;
const SCRIPT_DIR = "/opt/drift";

export interface DriftNames {
  readonly endpoint: string;
  readonly namespace: string;
  readonly cronJob: string;
  readonly configMap: string;
  readonly serviceAccount: string;
  readonly pushgateway: string;
}

export function driftNames(endpoint: string, namespace: string): DriftNames {
  return {
    endpoint,
    namespace,
    cronJob: `${endpoint}-drift`,
    configMap: `${endpoint}-drift-job`,
    serviceAccount: `${endpoint}-drift`,
    pushgateway: `${endpoint}-drift-pushgateway`,
  };
}

export function jobPodLabels(n: DriftNames): Record<string, string> {
  return { "app.kubernetes.io/name": "drift-job", "app.kubernetes.io/component": "drift-job", [DRIFT_MONITOR_LABEL]: n.endpoint };
}

export function pushgatewayPodLabels(n: DriftNames): Record<string, string> {
  return { "app.kubernetes.io/name": "pushgateway", "app.kubernetes.io/component": "drift-pushgateway", [DRIFT_MONITOR_LABEL]: n.endpoint };
}

export interface CronJobSpec {
  readonly names: DriftNames;
  readonly labels: Readonly<Record<string, string>>;
  readonly schedule: string;
  readonly image: string;
  readonly env: Readonly<Record<string, string>>;
  readonly cpu: string;
  readonly memory: string;
  /** Seconds between two runs at most (the schedule's longest gap). */
  readonly periodSeconds: number;
}

/**
 * The drift CronJob (`kubernetes_cron_job_v1`): one run at a time, a run that hangs is stopped before the next is due,
 * a failed run is retried once (then the "failed" alert fires), the restricted pod baseline, the script from the
 * ConfigMap, read-only.
 */
export function cronJobV1Config(s: CronJobSpec): CronJobV1Config {
  const podLabels = jobPodLabels(s.names);
  return {
    metadata: { name: s.names.cronJob, namespace: s.names.namespace, labels: { ...s.labels, ...podLabels } },
    spec: {
      schedule: s.schedule,
      timezone: "Etc/UTC",
      concurrencyPolicy: "Forbid",
      startingDeadlineSeconds: Math.min(600, s.periodSeconds),
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
      jobTemplate: {
        metadata: { labels: { ...podLabels } },
        spec: {
          backoffLimit: 1,
          activeDeadlineSeconds: Math.max(600, Math.min(s.periodSeconds, 3 * 3600)),
          template: {
            metadata: { labels: { ...podLabels } },
            spec: {
              serviceAccountName: s.names.serviceAccount,
              restartPolicy: "Never",
              securityContext: restrictedPodSecurityContextV1(JOB_UID),
              container: [
                {
                  name: "drift",
                  image: s.image,
                  imagePullPolicy: "IfNotPresent",
                  command: ["python", `${SCRIPT_DIR}/${DRIFT_JOB_FILE}`],
                  env: Object.entries(s.env).map(([name, value]) => ({ name, value })),
                  resources: { requests: { cpu: s.cpu, memory: s.memory }, limits: { memory: s.memory } },
                  securityContext: restrictedContainerSecurityContextV1(),
                  volumeMount: [
                    { name: "script", mountPath: SCRIPT_DIR, readOnly: true },
                    { name: "tmp", mountPath: "/tmp" },
                  ],
                },
              ],
              volume: [
                { name: "script", configMap: { name: s.names.configMap } },
                { name: "tmp", emptyDir: { sizeLimit: "1Gi" } },
              ],
            },
          },
        },
      },
    },
  };
}

/**
 * The Pushgateway keeping the last pushed scores between runs (`kubernetes_deployment_v1`): one replica (a restart
 * loses nothing older than the persistence interval: the file is on an emptyDir, which outlives container restarts
 * but not a rescheduled pod; the next run pushes again). Terraform waits for its rollout.
 */
export function pushgatewayV1Config(n: DriftNames, labels: Readonly<Record<string, string>>): DeploymentV1Config {
  const podLabels = pushgatewayPodLabels(n);
  const probe = (path: string) => ({ httpGet: { path, port: "metrics" }, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 });
  return {
    metadata: { name: n.pushgateway, namespace: n.namespace, labels: { ...labels, ...podLabels } },
    spec: {
      replicas: "1",
      revisionHistoryLimit: 3,
      selector: { matchLabels: { ...podLabels } },
      // Recreate: two Pushgateways would split the pushes between them.
      strategy: { type: "Recreate" },
      template: {
        metadata: { labels: { ...podLabels } },
        spec: {
          automountServiceAccountToken: false,
          securityContext: restrictedPodSecurityContextV1(PUSHGATEWAY.uid),
          container: [
            {
              name: "pushgateway",
              image: PUSHGATEWAY.image,
              imagePullPolicy: "IfNotPresent",
              args: ["--persistence.file=/data/metrics", "--persistence.interval=1m"],
              port: [{ name: "metrics", containerPort: PUSHGATEWAY.port, protocol: "TCP" }],
              resources: { requests: { ...PUSHGATEWAY_REQUESTS }, limits: { memory: "64Mi" } },
              securityContext: restrictedContainerSecurityContextV1(),
              readinessProbe: probe("/-/ready"),
              livenessProbe: probe("/-/healthy"),
              volumeMount: [{ name: "data", mountPath: "/data" }],
            },
          ],
          volume: [{ name: "data", emptyDir: { sizeLimit: "64Mi" } }],
        },
      },
    },
    waitForRollout: true,
  };
}

export interface DriftAlertOptions {
  readonly names: DriftNames;
  readonly threshold: number;
  readonly thresholdFor: string;
  readonly severity: AlertSeverity;
  /** Seconds without a successful run after which the job counts as not running. */
  readonly notRunSeconds: number;
  readonly notRunText: string;
}

export const DRIFT_ALERTS = {
  high: "ModelInputDriftHigh",
  failed: "ModelDriftJobFailed",
  notRun: "ModelDriftJobNotRun",
  missing: "ModelDriftCronJobMissing",
} as const;

/**
 * - high: the endpoint's drift score (largest feature PSI, pushed by the job) above the threshold;
 * - failed: the last scheduled run did not succeed and none is running (kube-state-metrics'
 *   CronJob status: last schedule after the last success, or no success at all, and no active Job);
 * - not run: no success for longer than the threshold (also when the CronJob is suspended, or has
 *   never succeeded since it was created that long ago);
 * - missing: the CronJob has disappeared, which would silence the two above.
 * `max by` drops scrape labels, so that several kube-state-metrics replicas alert once.
 */
export function driftRuleGroup(o: DriftAlertOptions): RuleGroup {
  const n = o.names;
  const who = `endpoint ${n.namespace}/${n.endpoint}`;
  const labels = { endpoint: n.endpoint, namespace: n.namespace };
  const cron = `{namespace="${n.namespace}",cronjob="${n.cronJob}"}`;
  const by = "max by (namespace, cronjob)";
  const lastSchedule = `${by} (kube_cronjob_status_last_schedule_time${cron})`;
  const lastSuccess = `${by} (kube_cronjob_status_last_successful_time${cron})`;
  const created = `${by} (kube_cronjob_created${cron})`;
  const rules: AlertRule[] = [
    {
      alert: DRIFT_ALERTS.high,
      expr: `max by (namespace, endpoint) (${DRIFT_METRICS.score}{namespace="${n.namespace}",endpoint="${n.endpoint}"}) > ${o.threshold}`,
      for: o.thresholdFor,
      severity: o.severity,
      summary: `inputs of ${who} have drifted from the reference (score above ${o.threshold})`,
      description: "Largest feature PSI {{ $value }}: see the drift dashboard for the features that moved; compare with the training data and consider retraining.",
      labels,
    },
    {
      alert: DRIFT_ALERTS.failed,
      expr:
        `((${lastSchedule} > ${lastSuccess}) or (${lastSchedule} unless on (namespace, cronjob) ${lastSuccess}))` +
        ` and on (namespace, cronjob) (${by} (kube_cronjob_status_active${cron}) == 0)`,
      for: "5m",
      severity: "warning",
      summary: `the drift job of ${who} failed its last run`,
      description: `CronJob ${n.namespace}/${n.cronJob}: the last scheduled run did not succeed. Read the failed Job's log (kubectl logs job/<name>): one line starting "drift: failed:" says why.`,
      labels,
    },
    {
      alert: DRIFT_ALERTS.notRun,
      expr: `(time() - ${lastSuccess} > ${o.notRunSeconds}) or ((time() - ${created} > ${o.notRunSeconds}) unless on (namespace, cronjob) ${lastSuccess})`,
      for: "5m",
      severity: "warning",
      summary: `the drift job of ${who} has not succeeded for more than ${o.notRunText}`,
      description: `CronJob ${n.namespace}/${n.cronJob} last succeeded {{ $value | humanizeDuration }} ago (or never since its creation that long ago): drift is not measured. Check whether it is suspended, and its last Jobs.`,
      labels,
    },
    {
      alert: DRIFT_ALERTS.missing,
      expr: `absent(kube_cronjob_created${cron})`,
      for: "15m",
      severity: "warning",
      summary: `the drift CronJob ${n.namespace}/${n.cronJob} does not exist`,
      description: "Without it drift is not measured, and the drift job alerts cannot fire.",
      labels,
    },
  ];
  return { name: `model-drift-${n.endpoint}`, rules };
}

/** The drift dashboard: score against the threshold, PSI and KS per feature, records compared, time since the last success. */
export function driftDashboard(n: DriftNames, threshold: number): DashboardOptions {
  const sel = `namespace="${n.namespace}",endpoint="${n.endpoint}"`;
  return {
    uid: shortUid(`drift-${n.namespace}-${n.endpoint}`),
    title: `Input drift ${n.namespace}/${n.endpoint}`,
    tags: ["ml-platform", "model-endpoint", "drift"],
    from: "now-7d",
    panels: [
      {
        title: "Drift score (largest feature PSI)",
        unit: "short",
        queries: [
          { expr: `max by (endpoint) (${DRIFT_METRICS.score}{${sel}})`, legend: "score" },
          { expr: `vector(${threshold})`, legend: "threshold" },
        ],
      },
      { title: "PSI by feature", unit: "short", queries: [{ expr: `max by (feature) (${DRIFT_METRICS.featurePsi}{${sel}})`, legend: "{{feature}}" }] },
      { title: "KS statistic by feature", unit: "short", queries: [{ expr: `max by (feature) (${DRIFT_METRICS.featureKsStatistic}{${sel}})`, legend: "{{feature}}" }] },
      { title: "Records compared", unit: "short", queries: [{ expr: `max by (dataset) (${DRIFT_METRICS.samples}{${sel}})`, legend: "{{dataset}}" }] },
      {
        title: "Time since the last successful run",
        unit: "s",
        queries: [{ expr: `time() - max(kube_cronjob_status_last_successful_time{namespace="${n.namespace}",cronjob="${n.cronJob}"})`, legend: "since last success" }],
      },
    ],
  };
}

/** Grafana UIDs are at most 40 characters: longer ones keep a stable hash suffix. */
function shortUid(uid: string): string {
  if (uid.length <= 40) return uid;
  let h = 0;
  for (const c of uid) h = (Math.imul(h, 31) + c.charCodeAt(0)) >>> 0;
  return `${uid.slice(0, 31)}-${h.toString(16).padStart(8, "0")}`;
}
