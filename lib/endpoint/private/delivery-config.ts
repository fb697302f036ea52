import { Environment } from "../../core/environment";
import { Validator } from "../../core/errors";
import { prometheusDurationProblem } from "../../core/validators";
import { CanaryStep, EndpointDemandScaling, EndpointGaugeTrigger, EndpointRolloutOptions, QualityCheck } from "../delivery-options";
import { EndpointMetricNames, METRIC_NAME, exportedMetrics } from "../endpoint-metrics";
import { ResolvedSlo } from "../slo";

/** KEDA settings with every default resolved. */
export interface ResolvedDemand {
  readonly requestsPerSecond?: number;
  readonly gauge?: EndpointGaugeTrigger;
  readonly gpuUtilization?: number;
  /** 0 when scaling to zero, else minReplicas. */
  readonly minReplicas: number;
  readonly cooldownSeconds: number;
  readonly scaleDownStabilizationSeconds: number;
  readonly pollingSeconds: number;
}

/** Rollout settings with every default resolved. */
export interface ResolvedRollout {
  readonly strategy: "canary" | "blueGreen";
  readonly steps: readonly CanaryStep[];
  readonly maxErrorRatio: number;
  readonly latencyQuantile: number;
  readonly maxLatencySeconds: number;
  readonly quality?: QualityCheck;
  readonly interval: string;
  readonly failureLimit: number;
  readonly smokeTestPath: string;
}

export interface ResolvedDelivery {
  readonly demand?: ResolvedDemand;
  readonly rollout?: ResolvedRollout;
  readonly prometheusUrl: string;
}

const MATCHERS = /^\s*[a-zA-Z_][a-zA-Z0-9_]*\s*(=|!=|=~|!~)\s*"[^"]*"(\s*,\s*[a-zA-Z_][a-zA-Z0-9_]*\s*(=|!=|=~|!~)\s*"[^"]*")*\s*$/;

function wholeSeconds(v: Validator, field: string, value: number, min: number): void {
  v.check(Number.isInteger(value) && value >= min, field, value, `must be a whole number of seconds >= ${min}`);
}

/** What the delivery settings are resolved from: the props, and the endpoint's resolved settings. */
export interface DeliveryInput {
  readonly demand?: EndpointDemandScaling;
  readonly rollout?: EndpointRolloutOptions;
  readonly blueGreen: boolean;
  readonly prometheusUrl: string;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly gpu: boolean;
  readonly metrics: EndpointMetricNames;
  readonly slo: ResolvedSlo;
  readonly readinessPath: string;
}

/** Resolves the defaults of `autoscaling.demand` and `rollout` (checked by validateDelivery). */
export function resolveDelivery(env: Environment, input: DeliveryInput): ResolvedDelivery {
  let demand: ResolvedDemand | undefined;
  const d = input.demand;
  if (d) {
    demand = {
      ...(d.requestsPerSecond !== undefined ? { requestsPerSecond: d.requestsPerSecond } : {}),
      ...(d.gauge ? { gauge: d.gauge } : {}),
      ...(d.gpuUtilization !== undefined ? { gpuUtilization: d.gpuUtilization } : {}),
      minReplicas: d.scaleToZero && !env.isProduction ? 0 : input.minReplicas,
      cooldownSeconds: d.cooldownSeconds ?? env.byTier({ development: 300, staging: 600, production: 600 }),
      scaleDownStabilizationSeconds: d.scaleDownStabilizationSeconds ?? env.byTier({ development: 60, staging: 300, production: 600 }),
      pollingSeconds: d.pollingSeconds ?? 30,
    };
  }
  let rollout: ResolvedRollout | undefined;
  const r = input.rollout;
  if (r) {
    const kind = r.strategy?.kind;
    const a = r.analysis ?? {};
    rollout = {
      strategy: kind === "blueGreen" ? "blueGreen" : "canary",
      steps: kind === "canary" && Array.isArray(r.strategy.steps) ? r.strategy.steps : [],
      maxErrorRatio: a.maxErrorRatio ?? input.slo.errorRatioObjective,
      latencyQuantile: a.latencyQuantile ?? 0.95,
      maxLatencySeconds: a.maxLatencySeconds ?? input.slo.latencyObjectiveSeconds,
      ...(a.quality ? { quality: a.quality } : {}),
      interval: a.interval ?? "1m",
      failureLimit: a.failureLimit ?? 1,
      smokeTestPath: r.smokeTestPath ?? input.readinessPath,
    };
  }
  return { demand, rollout, prometheusUrl: input.prometheusUrl };
}

/** Checks `autoscaling.demand` and `rollout` as given (`input`) and resolved, one problem per field. */
export function validateDelivery(v: Validator, env: Environment, input: DeliveryInput, resolved: ResolvedDelivery): void {
  const exported = new Set(exportedMetrics(input.metrics));
  const exportsIt = (field: string, metric: string) => {
    v.check(METRIC_NAME.test(metric), field, metric, "must be a Prometheus metric name (letters, digits, _ and :)");
    v.check(exported.has(metric), field, metric, `is not a metric the endpoint exports; declare it in metrics.gauges (the endpoint exports ${[...exported].join(", ")})`);
  };
  for (const [i, g] of input.metrics.gauges.entries()) {
    v.check(METRIC_NAME.test(g), `metrics.gauges[${i}]`, g, "must be a Prometheus metric name (letters, digits, _ and :)");
  }
  v.check(
    /^https?:\/\/[^\s/]+(:\d+)?(\/\S*)?$/.test(input.prometheusUrl),
    "prometheusUrl",
    input.prometheusUrl,
    "must be an http(s) URL of Prometheus, e.g. http://prometheus.monitoring.svc:9090",
  );

  const d = input.demand;
  const demand = resolved.demand;
  if (d && demand) {
    v.check(
      d.requestsPerSecond !== undefined || d.gauge !== undefined || d.gpuUtilization !== undefined,
      "autoscaling.demand",
      d,
      "must give at least one trigger: requestsPerSecond, gauge or gpuUtilization",
    );
    if (d.requestsPerSecond !== undefined)
      v.check(d.requestsPerSecond > 0 && Number.isFinite(d.requestsPerSecond), "autoscaling.demand.requestsPerSecond", d.requestsPerSecond, "must be a number > 0");
    if (d.gauge) {
      if (d.gauge.selector === undefined) exportsIt("autoscaling.demand.gauge.metric", d.gauge.metric);
      else {
        v.check(METRIC_NAME.test(d.gauge.metric), "autoscaling.demand.gauge.metric", d.gauge.metric, "must be a Prometheus metric name (letters, digits, _ and :)");
        v.check(
          MATCHERS.test(d.gauge.selector),
          "autoscaling.demand.gauge.selector",
          d.gauge.selector,
          'must be PromQL label matchers without braces, e.g. job="rabbitmq",queue="ranker"',
        );
      }
      v.check(
        d.gauge.targetPerReplica > 0 && Number.isFinite(d.gauge.targetPerReplica),
        "autoscaling.demand.gauge.targetPerReplica",
        d.gauge.targetPerReplica,
        "must be a number > 0",
      );
      if (d.gauge.activation !== undefined)
        v.check(d.gauge.activation >= 0 && Number.isFinite(d.gauge.activation), "autoscaling.demand.gauge.activation", d.gauge.activation, "must be a number >= 0");
    }
    if (d.gpuUtilization !== undefined) {
      v.check(input.gpu, "autoscaling.demand.gpuUtilization", d.gpuUtilization, "needs a GPU endpoint (gpu): a CPU endpoint has no DCGM utilisation");
      v.check(
        Number.isInteger(d.gpuUtilization) && d.gpuUtilization >= 1 && d.gpuUtilization <= 100,
        "autoscaling.demand.gpuUtilization",
        d.gpuUtilization,
        "must be a whole percent from 1 to 100",
      );
    }
    if (d.scaleToZero) {
      v.check(
        !env.isProduction,
        "autoscaling.demand.scaleToZero",
        true,
        `scale to zero in production is not allowed: environment "${env.name}" keeps at least minReplicas (${input.minReplicas}) replicas; scale to zero in development and staging only`,
      );
      v.check(
        d.gauge?.selector !== undefined,
        "autoscaling.demand.scaleToZero",
        true,
        "needs a gauge exported outside the endpoint's pods (autoscaling.demand.gauge with a selector, e.g. a queue's depth): the endpoint's own series vanish with its last pod, so nothing would scale it back up",
      );
    }
    wholeSeconds(v, "autoscaling.demand.cooldownSeconds", demand.cooldownSeconds, 0);
    wholeSeconds(v, "autoscaling.demand.scaleDownStabilizationSeconds", demand.scaleDownStabilizationSeconds, 0);
    wholeSeconds(v, "autoscaling.demand.pollingSeconds", demand.pollingSeconds, 5);
  }

  const r = input.rollout;
  const rollout = resolved.rollout;
  if (r && rollout) {
    v.check(
      !input.blueGreen,
      "rollout",
      r.strategy?.kind,
      "give either rollout (Argo Rollouts, in the cluster) or blueGreen (the Service's selector, switched by Terraform), not both",
    );
    const kind = r.strategy?.kind;
    v.check(kind === "canary" || kind === "blueGreen", "rollout.strategy", r.strategy, "must be RolloutStrategy.canary([...]) or RolloutStrategy.blueGreen()");
    const steps = rollout.steps;
    if (kind === "canary") {
      v.check(steps.length > 0, "rollout.strategy.steps", steps, 'a canary needs at least one step, e.g. [{ weight: 20 }, { pause: "5m" }, { weight: 50 }, { pause: "5m" }]');
      steps.forEach((step, i) => {
        const field = `rollout.strategy.steps[${i}]`;
        if (step === null || typeof step !== "object") {
          v.check(false, field, step, "each step is either { weight } or { pause }");
          return;
        }
        v.check((step.weight === undefined) !== (step.pause === undefined), field, step, "each step is either { weight } or { pause }");
        if (step.weight !== undefined) {
          v.check(Number.isInteger(step.weight) && step.weight >= 0 && step.weight <= 100, `${field}.weight`, step.weight, "must be a whole percent from 0 to 100");
        }
        if (step.pause !== undefined) {
          const problem = typeof step.pause === "string" ? prometheusDurationProblem(step.pause) : "must be a duration string";
          v.check(
            problem === undefined && /^\d+[smh]$/.test(String(step.pause)),
            `${field}.pause`,
            step.pause,
            problem ?? 'must be a duration in seconds, minutes or hours, e.g. "30s", "5m", "1h"',
          );
        }
      });
      v.check(
        steps.some((s) => s.weight !== undefined && s.weight > 0),
        "rollout.strategy.steps",
        steps,
        "must shift some weight (a step with weight > 0), or the new version never starts",
      );
    }
    const a = r.analysis ?? {};
    const { maxErrorRatio, latencyQuantile, maxLatencySeconds, interval, failureLimit, smokeTestPath } = rollout;
    // Defaults come from the SLO, whose own checks report a bad objective once.
    if (a.maxErrorRatio !== undefined) v.check(maxErrorRatio > 0 && maxErrorRatio < 1, "rollout.analysis.maxErrorRatio", maxErrorRatio, "must be a ratio strictly between 0 and 1");
    v.check(latencyQuantile > 0 && latencyQuantile < 1, "rollout.analysis.latencyQuantile", latencyQuantile, "must be strictly between 0 and 1, e.g. 0.95");
    if (a.maxLatencySeconds !== undefined) v.check(maxLatencySeconds > 0, "rollout.analysis.maxLatencySeconds", maxLatencySeconds, "must be a number of seconds > 0");
    v.check(/^\d+[smh]$/.test(interval), "rollout.analysis.interval", interval, 'must be a duration in seconds, minutes or hours, e.g. "1m"');
    v.check(Number.isInteger(failureLimit) && failureLimit >= 0, "rollout.analysis.failureLimit", failureLimit, "must be a whole number >= 0");
    if (a.quality) {
      exportsIt("rollout.analysis.quality.metric", a.quality.metric);
      v.check(a.quality.min !== undefined || a.quality.max !== undefined, "rollout.analysis.quality", a.quality, "must give min, max or both");
    }
    v.check(/^\/[^\s"]*$/.test(smokeTestPath), "rollout.smokeTestPath", smokeTestPath, 'must be an HTTP path starting with "/"');
  }
}
