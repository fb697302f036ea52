import { AlertRule, AlertSeverity, RuleGroup } from "../../kubernetes/monitoring";

export interface FreshnessRuleOptions {
  readonly namespace: string;
  readonly cronJob: string;
  /** Seconds since the last successful materialization after which features count as stale. */
  readonly thresholdSeconds: number;
  /** Human form of the threshold, for the alert text. */
  readonly thresholdText: string;
  readonly severity: AlertSeverity;
}

export const STALE_ALERT = "FeastFeaturesStale";
export const MISSING_ALERT = "FeastMaterializationCronJobMissing";

/**
 * Alerts on the materialization CronJob as kube-state-metrics sees it:
 *
 * - stale: the last success is older than the threshold; or the job has never
 *   succeeded (kube-state-metrics omits `kube_cronjob_status_last_successful_time`
 *   until a first success) and the CronJob was created longer ago than the threshold,
 *   so a job that fails from day one is caught too, without a false alarm right after
 *   the first deployment.
 * - missing: the CronJob itself has disappeared from kube-state-metrics (deleted, or
 *   renamed without the rule), which would otherwise silence the stale alert forever.
 *
 * `max by (namespace, cronjob)` drops scrape labels (instance, pod), so that several
 * kube-state-metrics replicas do not produce duplicate alerts.
 */
export function freshnessRuleGroup(o: FreshnessRuleOptions): RuleGroup {
  const sel = `{namespace="${o.namespace}",cronjob="${o.cronJob}"}`;
  const by = "max by (namespace, cronjob)";
  const lastSuccess = `${by} (kube_cronjob_status_last_successful_time${sel})`;
  const created = `${by} (kube_cronjob_created${sel})`;
  const t = o.thresholdSeconds;
  const stale: AlertRule = {
    alert: STALE_ALERT,
    expr: `(time() - ${lastSuccess} > ${t}) or ((time() - ${created} > ${t}) unless on (namespace, cronjob) ${lastSuccess})`,
    for: "5m",
    severity: o.severity,
    summary: `Feast online features in ${o.namespace} are stale: materialization has not succeeded for more than ${o.thresholdText}`,
    description:
      `CronJob ${o.namespace}/${o.cronJob} last succeeded {{ $value | humanizeDuration }} ago (or never, since its creation that long ago); ` +
      "models read features older than their freshness budget. Check the CronJob's last Jobs and their logs.",
  };
  const missing: AlertRule = {
    alert: MISSING_ALERT,
    expr: `absent(kube_cronjob_created${sel})`,
    for: "15m",
    severity: "warning",
    summary: `The Feast materialization CronJob ${o.namespace}/${o.cronJob} does not exist`,
    description: "Without it the online store is never refreshed, and the staleness alert cannot fire.",
  };
  return { name: "feast-freshness", rules: [stale, missing] };
}
