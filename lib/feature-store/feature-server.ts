import { Construct } from "constructs";
import { Annotations } from "cdktf";
import { ConditionalResources } from "../core/stack-records";
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { ServiceAccountV1 } from "@cdktf/provider-kubernetes/lib/service-account-v1";
import { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import { CronJobV1 } from "@cdktf/provider-kubernetes/lib/cron-job-v1";
import { Environment } from "../core/environment";
import { base64Of } from "../core/encoding";
import { CHARTS } from "../kubernetes/charts";
import { SyncedSecret } from "../kubernetes/external-secrets";
import { HelmChart } from "../kubernetes/helm-chart";
import { ALLOW, NamespaceNetworkPolicies, NetworkAllow, SERVER_PODS, SERVER_PORTS } from "../kubernetes/network-policy";
import { PrometheusRule } from "../kubernetes/monitoring";
import { FEAST_NAMES, IFeatureStore } from "./feature-store";
import { IRSA_ROLE_ANNOTATION } from "../iam/service-account-role";
import { containerResources } from "../kubernetes/resources";
import { formatMinutes } from "../core/cron";
import { freshnessRuleGroup } from "./private/freshness";
import { Shape, checkShape } from "../core/shape";
import { restrictedContainerSecurityContext, restrictedContainerSecurityContextV1, restrictedPodSecurityContext, restrictedPodSecurityContextV1 } from "../kubernetes/pod-security";
import { restrictedNamespace } from "../kubernetes/pod-security";
import { FEAST_PUBLIC_REPOSITORY, FeastImage } from "./feast-image";

export interface FeatureServerProps {
  /** The infrastructure half: a FeatureStore (in the environment's InfraStack), or `FeatureStore.fromAttributes(...)` for one created by another app. */
  readonly featureStore: IFeatureStore;
  /**
   * The image of the feature server and the materialization CronJob. Prefer a digest
   * (`FeastImage.fromDigest("sha256:...")`); a tag alone draws a synth-time warning in production.
   * @default FeastImage.publicTag() (quay.io/feastdev/feature-server at the chart's appVersion, by tag)
   */
  readonly image?: FeastImage;
}

/** The default feature server image, by tag: the chart's appVersion, so that the CronJob runs the same Feast as the server. */
export const FEAST_IMAGE = { repository: FEAST_PUBLIC_REPOSITORY, tag: CHARTS.feastFeatureServer.version } as const;

const MOUNT = "/etc/feast";

/**
 * The in-cluster half of a FeatureStore (in a PlatformStack): the `feast` namespace,
 * the feature server (Helm chart `feast-feature-server`, pinned) running as its IRSA
 * service account, the materialization CronJob (`feast materialize-incremental`) as
 * another, the rendered feature_store.yaml as a ConfigMap for training jobs and model
 * endpoints to mount, and the freshness alerts. With a Redis online store, the password
 * is synced from Secrets Manager by the External Secrets Operator and reaches Feast as
 * the `REDIS_PASSWORD` environment variable.
 */
export class FeatureServer extends Construct {
  public readonly namespace: NamespaceV1;
  public readonly chart: HelmChart;
  public readonly configMap: ConfigMapV1;
  public readonly cronJob: CronJobV1;
  public readonly freshnessRule: PrometheusRule;
  public readonly networkPolicies: NamespaceNetworkPolicies;
  /** The Kubernetes Secret holding the Redis password (redis only). */
  public readonly redisSecret?: SyncedSecret;
  /** The image both the server and materialization run. */
  public readonly image: FeastImage;

  constructor(scope: Construct, id: string, props: FeatureServerProps) {
    super(scope, id);
    checkShape(this.node.path, props, {
      featureStore: Shape.like("a FeatureStore (or FeatureStore.fromAttributes(...))", ["featureStoreYaml", "project", "serverRoleArn"]),
      image: Shape.optional(Shape.instanceOf(FeastImage, "FeastImage.fromDigest(...), FeastImage.fromTag(...) or FeastImage.publicTag()")),
    });
    const env = Environment.of(this);
    const store = props.featureStore;
    this.image = props.image ?? FeastImage.publicTag();
    if (env.isProduction && !this.image.pinnedByDigest) {
      Annotations.of(this).addWarning(
        `${this.node.path}: image ${this.image.reference} is a mutable tag in production; its publisher can move it to other ` +
          'content. Pin it by digest: image: FeastImage.fromDigest("sha256:...") (resolve it with `crane digest ' +
          this.image.reference +
          "`), " +
          "see lib/feature-store/README.md",
      );
    }

    this.namespace = restrictedNamespace(this, "namespace", { name: store.namespace, labels: { "app.kubernetes.io/part-of": "feast" } });
    const ns = this.namespace.metadata.name;
    // Neither the server nor materialization calls the Kubernetes API: no API token in their pods.
    // IRSA does not need it (EKS's pod identity webhook projects its own token for sts.amazonaws.com).
    const serverSa = new ServiceAccountV1(this, "server-sa", {
      metadata: { name: FEAST_NAMES.serverServiceAccount, namespace: ns, annotations: { [IRSA_ROLE_ANNOTATION]: store.serverRoleArn } },
      automountServiceAccountToken: false,
    });
    const materializeSa = new ServiceAccountV1(this, "materialize-sa", {
      metadata: { name: FEAST_NAMES.materializeServiceAccount, namespace: ns, annotations: { [IRSA_ROLE_ANNOTATION]: store.materializeRoleArn } },
      automountServiceAccountToken: false,
    });
    this.configMap = new ConfigMapV1(this, "config", {
      metadata: { name: FEAST_NAMES.configMap, namespace: ns, labels: { "app.kubernetes.io/part-of": "feast" } },
      data: { "feature_store.yaml": store.featureStoreYaml },
    });

    const env_: EnvVar[] = [
      { name: "HOME", value: "/tmp" },
      { name: "FEAST_USAGE", value: "False" },
      { name: "AWS_REGION", value: env.region },
      { name: "AWS_DEFAULT_REGION", value: env.region },
    ];
    const secret = store.onlineStoreSecret;
    if (secret) {
      // Authenticates as the feature server's service account, whose IRSA role may read this one secret.
      this.redisSecret = new SyncedSecret(this, "redis-auth", {
        namespace: ns,
        targetSecret: FEAST_NAMES.redisSecret,
        remoteSecret: secret.secretArn,
        keys: { password: secret.property },
        serviceAccount: serverSa.metadata.name,
      });
      env_.push({ name: secret.environmentVariable, valueFrom: { secretKeyRef: { name: FEAST_NAMES.redisSecret, key: "password" } } });
    }

    const yaml = store.featureStoreYaml;
    const yamlBase64 = base64Of(this, "feature-store-yaml", yaml);
    this.chart = new HelmChart(this, "server", {
      chart: CHARTS.feastFeatureServer,
      releaseName: "feast-feature-server",
      namespace: ns,
      values: {
        replicaCount: store.replicas,
        image: { repository: this.image.repository, tag: this.image.chartTag },
        feature_store_yaml_base64: yamlBase64,
        serviceAccount: { name: FEAST_NAMES.serverServiceAccount },
        podSecurityContext: restrictedPodSecurityContext(),
        securityContext: restrictedContainerSecurityContext(),
        resources: containerResources(store.serverResources),
        extraEnvs: env_,
        // Feast writes the decoded feature_store.yaml to a temporary directory.
        volumes: [{ name: "tmp", emptyDir: {} }],
        volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
      },
      dependsOn: [serverSa, ...(this.redisSecret ? [this.redisSecret.externalSecret] : [])],
    });

    store.cluster?.capacity.addWorkload(this, {
      kind: "Deployment",
      namespace: store.namespace,
      name: "feast-feature-server",
      replicas: store.replicas,
      requests: { cpu: store.serverResources.cpu, memory: store.serverResources.memory },
    });
    // Runs do not overlap (concurrencyPolicy Forbid): one pod at a time.
    store.cluster?.capacity.addWorkload(this, {
      kind: "CronJob",
      namespace: store.namespace,
      name: FEAST_NAMES.materializeCronJob,
      requests: { cpu: store.materializeResources.cpu, memory: store.materializeResources.memory },
    });

    const periodSeconds = store.schedulePeriodMinutes * 60;
    this.cronJob = new CronJobV1(this, "materialize", {
      metadata: { name: FEAST_NAMES.materializeCronJob, namespace: ns, labels: { "app.kubernetes.io/part-of": "feast", "app.kubernetes.io/component": "materialization" } },
      spec: {
        schedule: store.schedule,
        timezone: "Etc/UTC",
        concurrencyPolicy: "Forbid",
        startingDeadlineSeconds: Math.min(600, periodSeconds),
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          metadata: {},
          spec: {
            backoffLimit: 2,
            // A hung run fails before the next one is due; the freshness alert covers the rest.
            activeDeadlineSeconds: Math.max(600, periodSeconds),
            template: {
              metadata: { labels: { "app.kubernetes.io/part-of": "feast", "app.kubernetes.io/component": "materialization" } },
              spec: {
                serviceAccountName: materializeSa.metadata.name,
                restartPolicy: "Never",
                securityContext: restrictedPodSecurityContextV1(),
                container: [
                  {
                    name: "materialize",
                    image: this.image.reference,
                    // `$$(` is Kubernetes' escape for a literal `$(`: the shell, not the kubelet, runs `date`.
                    command: ["/bin/sh", "-c", `exec feast --chdir ${MOUNT} materialize-incremental "$$(date -u +%Y-%m-%dT%H:%M:%S)"`],
                    env: env_,
                    resources: containerResources(store.materializeResources),
                    securityContext: restrictedContainerSecurityContextV1(),
                    volumeMount: [
                      { name: "config", mountPath: MOUNT, readOnly: true },
                      { name: "tmp", mountPath: "/tmp" },
                    ],
                  },
                ],
                volume: [
                  { name: "config", configMap: { name: this.configMap.metadata.name } },
                  { name: "tmp", emptyDir: {} },
                ],
              },
            },
          },
        },
      },
    });

    this.freshnessRule = new PrometheusRule(this, "freshness", {
      name: "feast-freshness",
      namespace: ns,
      groups: [
        freshnessRuleGroup({
          namespace: store.namespace,
          cronJob: FEAST_NAMES.materializeCronJob,
          thresholdSeconds: store.freshnessThresholdSeconds,
          thresholdText: formatMinutes(store.freshnessThresholdSeconds / 60),
          severity: env.byTier({ development: "warning", staging: "warning", production: "critical" }),
        }),
      ],
    });

    // Clients in any namespace (endpoints, training) reach the feature server's port; the server
    // and materialization reach the online store (DynamoDB over HTTPS, or Redis in the VPC), S3
    // (the offline store and registry) and STS (IRSA) over HTTPS.
    const allows: NetworkAllow[] = [
      ALLOW.https(),
      { name: "allow-feature-server-ingress", direction: "ingress", pods: SERVER_PODS.feastServer, peers: [{ namespace: "*" }], ports: [{ port: SERVER_PORTS.feastOnline }] },
    ];
    if (store.onlineStoreType === "redis") {
      allows.push({ name: "allow-redis-egress", direction: "egress", peers: [{ cidr: env.vpcCidr }], ports: [{ port: SERVER_PORTS.redis }] });
    }
    this.networkPolicies = new NamespaceNetworkPolicies(this, "network-policies", { namespace: ns, allows });
    ConditionalResources.of(this).record("onlineStore", store.onlineStoreType, {
      creates: store.onlineStoreType === "redis" ? ["redis-auth", "network-policies/allow-redis-egress"] : [],
      reason: "with Redis the server gets its password synced and a NetworkPolicy to reach Redis on 6379",
    });
  }
}

interface EnvVar {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: { readonly secretKeyRef: { readonly name: string; readonly key: string } };
}
