/**
 * Demand-based autoscaling (KEDA) and progressive delivery (Argo Rollouts) of an endpoint.
 * Both need their controller in the cluster (`Keda`, `ArgoRollouts` in the addons stack).
 */

/**
 * Scale on demand with a KEDA ScaledObject instead of the CPU HorizontalPodAutoscaler.
 * Give at least one of `requestsPerSecond`, `gauge` and `gpuUtilization`; the CPU target
 * (`autoscaling.targetCpuUtilization`) stays as a further trigger.
 */
export interface EndpointDemandScaling {
  /**
   * Requests per second per replica: `sum(rate(<prefix>_requests_total[2m]))` of the
   * endpoint's own series, averaged over its replicas.
   * @default - no requests trigger
   */
  readonly requestsPerSecond?: number;
  /**
   * A gauge the endpoint exports (declared in `metrics.gauges`), e.g. in-flight requests or
   * queue depth, and its target per replica (`sum(<metric>{…})` averaged over replicas).
   * @default - no gauge trigger
   */
  readonly gauge?: EndpointGaugeTrigger;
  /**
   * Average GPU utilisation (percent, DCGM `DCGM_FI_DEV_GPU_UTIL` of the endpoint's pods)
   * the autoscaler keeps. GPU endpoints only.
   * @default - no GPU trigger
   */
  readonly gpuUtilization?: number;
  /**
   * Scale to zero replicas when idle (development and staging only: production keeps
   * `minReplicas`). Needs a `gauge` with a `selector` outside the endpoint's pods (a queue's
   * depth): the endpoint's own series vanish with its last pod, so nothing else could wake it.
   * @default false
   */
  readonly scaleToZero?: boolean;
  /** Seconds after the last activity before scaling to zero. @default - 300 in development, 600 in staging */
  readonly cooldownSeconds?: number;
  /**
   * Seconds of lower demand before the autoscaler removes replicas.
   * @default - 60 in development, 300 in staging, 600 in production
   */
  readonly scaleDownStabilizationSeconds?: number;
  /** How often KEDA evaluates the triggers, in seconds. @default 30 */
  readonly pollingSeconds?: number;
}

export interface EndpointGaugeTrigger {
  /** The gauge's name; must be one of `metrics.gauges`. */
  readonly metric: string;
  /** Target value per replica. */
  readonly targetPerReplica: number;
  /**
   * Value above which a scaled-to-zero endpoint wakes up (KEDA's activationThreshold).
   * @default 0
   */
  readonly activation?: number;
  /**
   * PromQL label matchers selecting the gauge, for a gauge exported outside the endpoint's
   * pods (a broker's queue depth), e.g. `job="rabbitmq",queue="ranker"`.
   * @default - the endpoint's own series (its namespace and metrics Service)
   */
  readonly selector?: string;
}

/** One canary step: shift `weight` percent of the replicas to the new version, or pause. */
export interface CanaryStep {
  /** Percent of the replicas running the new version, 0 to 100. @default - a pause step */
  readonly weight?: number;
  /** Pause as a duration ("5m", "1h"); the analysis keeps running meanwhile. @default - a weight step */
  readonly pause?: string;
}

/** How a new model version replaces the old one. */
export class RolloutStrategy {
  /**
   * Canary: replicas of the new version grow step by step (without a traffic router, the
   * Service spreads requests over all ready pods, so a weight is the share of replicas). The
   * SLO analysis runs from the first step to the end; a failed analysis aborts the rollout
   * (back to the old version), a passed one promotes it.
   */
  public static canary(steps: readonly CanaryStep[]): RolloutStrategy {
    return new RolloutStrategy("canary", steps);
  }

  /**
   * Blue/green: the new version starts beside the old one behind the preview Service
   * `<name>-preview`; after the smoke test passes it takes all traffic; the SLO analysis
   * after promotion aborts (switches back) when it fails.
   */
  public static blueGreen(): RolloutStrategy {
    return new RolloutStrategy("blueGreen", []);
  }

  private constructor(
    public readonly kind: "canary" | "blueGreen",
    public readonly steps: readonly CanaryStep[],
  ) {}
}

/** A model-quality gauge the server exports (declared in `metrics.gauges`) and its bounds. */
export interface QualityCheck {
  /** The gauge's name; must be one of `metrics.gauges`. */
  readonly metric: string;
  /** @default - no lower bound */
  readonly min?: number;
  /** @default - no upper bound */
  readonly max?: number;
}

export interface RolloutAnalysisOptions {
  /** Error ratio (5xx / all) above which the new version fails. @default - slo.errorRatioObjective */
  readonly maxErrorRatio?: number;
  /** Latency quantile checked. @default 0.95 */
  readonly latencyQuantile?: number;
  /** Latency (seconds) of that quantile above which the new version fails. @default - slo.latencyObjectiveSeconds */
  readonly maxLatencySeconds?: number;
  /** A model-quality gauge the new version must keep within bounds. @default - none */
  readonly quality?: QualityCheck;
  /** Time between two measurements. @default "1m" */
  readonly interval?: string;
  /** Failed measurements tolerated before the analysis fails. @default 1 */
  readonly failureLimit?: number;
}

export interface EndpointRolloutOptions {
  /** Canary steps or blue/green. */
  readonly strategy: RolloutStrategy;
  /** @default - SLO checks from the endpoint's objectives */
  readonly analysis?: RolloutAnalysisOptions;
  /**
   * HTTP path the smoke test calls on the new version (through the canary or preview
   * Service) before it gets traffic; a non-2xx answer aborts the rollout.
   * @default - the readiness path
   */
  readonly smokeTestPath?: string;
}
