import { Cpu, Memory } from "../../../lib/kubernetes/resources";
import { Testing } from "cdktf";
import { manifestsOfKind } from "../endpoint/fixture";
import {
  AlertReceiver,
  Environment,
  EnvironmentKey,
  FeatureStore,
  GpuInstance,
  GpuTrainingCluster,
  InfraStack,
  ModelRegistry,
  MonitoredEndpoint,
  Network,
  PlatformStack,
  RegistryAuth,
  SecureBucket,
} from "../../../lib";
import { formatValue } from "../../../lib/core";
import { testConfig } from "../../support/env";
import { errorOf } from "../../support/synth";
import { SUBJECTS } from "./subjects";

/**
 * One test per category of bad input found when the library was tried with a corpus of
 * invalid and dangerous inputs (issue 14), each asserting the exact message a user sees.
 */
const subject = (name: string) => SUBJECTS.find((s) => s.name === name)!;
const build = (name: string, overrides: Record<string, unknown>) => () => subject(name).build({ ...subject(name).baseline(), ...overrides });

/** A production environment with a cluster, for the rules production adds. */
function production() {
  const app = Testing.app();
  const env = new Environment(testConfig({ tier: "production", name: "prod", gpuMonthlyBudgetUsd: 100000 }));
  const infra = new InfraStack(app, "ml-prod-infra", { environment: env });
  const key = new EnvironmentKey(infra, "kms");
  const cluster = new GpuTrainingCluster(infra, "training", {
    key,
    network: new Network(infra, "network", { key }),
    gpuPools: [{ name: "general", instanceTypes: [GpuInstance.of("g6.xlarge")], maxNodes: 2 }],
  });
  const platform = new PlatformStack(app, "ml-prod-platform", { environment: env, clusterName: cluster.clusterName });
  return { app, env, infra, key, cluster, platform };
}

describe("a required prop missing, or a value of the wrong shape from JavaScript", () => {
  test("a missing required prop is named, not a TypeError", () => {
    const props = subject("MonitoredEndpoint").baseline();
    delete props.name;
    expect(errorOf(() => subject("MonitoredEndpoint").build(props))).toBe("ml-test-platform/ranker: name is missing; required: must be a string");
  });

  test("a string where a list belongs is refused as such (it used to be iterated character by character)", () => {
    expect(errorOf(build("GpuTrainingCluster", { gpuPools: "general" }))).toBe('ml-test-infra/training: gpuPools is "general"; must be a list, each item a GPU pool');
  });

  test("a misspelt field is refused instead of silently ignored", () => {
    expect(errorOf(build("MonitoredEndpoint", { gpu: { counts: 1 } }))).toBe("ml-test-platform/ranker: gpu.counts is 1; not a known field (a typo?); known fields: count, pool");
  });

  test("a renamed prop (a stale config, a JavaScript caller) is one problem that names its replacement", () => {
    expect(errorOf(build("MonitoredEndpoint", { replicas: { min: 2, max: 4 } }))).toBe(
      'ml-test-platform/ranker: replicas is {"min":2,"max":4}; was renamed: use minReplicas and maxReplicas instead (docs/UPGRADING.md, "Renamed props")',
    );
  });

  test("a renamed required prop is not also reported missing under its new name", () => {
    expect(errorOf(build("GpuTrainingCluster", { gpuPools: [{ name: "general", instanceTypes: ["g6.xlarge"], minSize: 0, maxSize: 2 }] }))).toBe(
      [
        'ml-test-infra/training: gpuPools[0].minSize is 0; was renamed: use minNodes instead (docs/UPGRADING.md, "Renamed props")',
        'ml-test-infra/training: gpuPools[0].maxSize is 2; was renamed: use maxNodes instead (docs/UPGRADING.md, "Renamed props")',
      ].join("\n"),
    );
  });
});

describe("NaN and Infinity are shown as such, and one input gives one error", () => {
  test("NaN", () => {
    expect(errorOf(build("MonitoredEndpoint", { minReplicas: NaN }))).toBe("ml-test-platform/ranker: minReplicas is NaN; must be a finite number");
  });

  test("Infinity", () => {
    expect(errorOf(() => new Environment({ ...testConfig(), monthlyBudgetUsd: Infinity }))).toBe('environment "test": monthlyBudgetUsd is Infinity; must be a finite number');
  });

  test("NaN inside a value", () => {
    expect(formatValue({ min: NaN, max: [Infinity, -Infinity] })).toBe('{"min":NaN,"max":[Infinity,-Infinity]}');
  });

  test("a bad storage size is one problem, not also one about the storage autoscaling limit derived from it", () => {
    expect(errorOf(build("ModelRegistry", { allocatedStorageGiB: -1 }))).toBe(
      "ml-test-infra/model-registry: allocatedStorageGiB is -1; must be a whole number of GiB from 20 to 65536 (gp3)",
    );
  });
});

describe("names AWS or Kubernetes reject, or that collide", () => {
  test("a namespace with a space", () => {
    expect(errorOf(build("ServiceAccountRole", { namespace: "my team" }))).toBe(
      "ml-test-infra/training/ranker: namespace is \"my team\"; must be a Kubernetes namespace name: at most 63 lowercase letters, digits or '-', starting and ending with a letter or digit",
    );
  });

  test("an invalid label value", () => {
    expect(errorOf(build("GpuTrainingCluster", { gpuPools: [{ name: "general", instanceTypes: ["g6.xlarge"], maxNodes: 2, labels: { team: "vision team!" } }] }))).toBe(
      "ml-test-infra/training/gpu-pool \"general\": labels[\"team\"] is \"vision team!\"; must be a Kubernetes label value: at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
    );
  });

  test("a state key prefix with an empty part", () => {
    expect(errorOf(() => new Environment({ ...testConfig({ tier: "staging" }), stateBackend: { type: "s3", bucket: "b-state", keyPrefix: "ml//platform" } }))).toBe(
      "environment \"test\": stateBackend.keyPrefix is \"ml//platform\"; must be S3 key parts separated by single '/', without a leading or trailing '/' (an empty part such as in a//b makes a different state key)",
    );
  });

  test('a pool without a name is refused as missing, never named "undefined"', () => {
    expect(errorOf(build("GpuTrainingCluster", { gpuPools: [{ instanceTypes: ["g6.xlarge"], maxNodes: 2 }] }))).toBe(
      "ml-test-infra/training: gpuPools[0].name is missing; required: must be a string",
    );
  });

  test("two buckets of one name", () => {
    expect(
      errorOf(() => {
        const app = Testing.app();
        const s = new InfraStack(app, "ml-test-infra", { environment: new Environment(testConfig()) });
        const key = new EnvironmentKey(s, "kms");
        new SecureBucket(s, "a", { key, bucketName: "ml-test-data" });
        new SecureBucket(s, "b", { key, bucketName: "ml-test-data" });
      }),
    ).toBe(
      'ml-test-infra/b: bucketName is "ml-test-data"; ml-test-infra/a already uses this S3 bucket name: S3 bucket names must be unique across all of AWS; give one of them another name',
    );
  });

  test("two buckets of one name in two stacks of one app, but not in two apps", () => {
    const twoStacks = () => {
      const app = Testing.app();
      const environment = new Environment(testConfig());
      for (const id of ["ml-test-infra", "ml-test-data"]) {
        const s = new InfraStack(app, id, { environment });
        new SecureBucket(s, "b", { key: new EnvironmentKey(s, "kms", { aliasSuffix: id }), bucketName: "ml-test-shared" });
      }
    };
    expect(errorOf(twoStacks)).toBe(
      'ml-test-data/b: bucketName is "ml-test-shared"; ml-test-infra/b already uses this S3 bucket name: S3 bucket names must be unique across all of AWS; give one of them another name',
    );
    // Claims are held in each app's construct tree: a second app in the same process starts afresh.
    const oneStack = () => {
      const s = new InfraStack(Testing.app(), "ml-test-infra", { environment: new Environment(testConfig()) });
      new SecureBucket(s, "b", { key: new EnvironmentKey(s, "kms"), bucketName: "ml-test-shared" });
    };
    expect(oneStack).not.toThrow();
    expect(oneStack).not.toThrow();
  });

  test("a second registry in one environment collides on its database identifier", () => {
    expect(
      errorOf(() => {
        const app = Testing.app();
        const s = new InfraStack(app, "ml-test-infra", { environment: new Environment(testConfig()) });
        const key = new EnvironmentKey(s, "kms");
        const cluster = new GpuTrainingCluster(s, "training", { key, network: new Network(s, "network", { key }) });
        new ModelRegistry(s, "registry", { cluster });
        new ModelRegistry(s, "registry-2", { cluster, artifactBucketName: "ml-test-other-artifacts" });
      }),
    ).toBe(
      'ml-test-infra/registry-2/database: identifier is "ml-test-mlflow"; ml-test-infra/registry/database already uses this RDS instance name in account 123456789012, us-east-1: RDS instance names must be unique; give one of them another name',
    );
  });

  test("an ECR repository name the cluster already uses", () => {
    expect(errorOf(build("ImageRepository", { repositoryName: "ml-test/serving" }))).toBe(
      'ml-test-infra/repo: repositoryName is "ml-test/serving"; ml-test-infra/training/serving-images already uses this ECR repository name in account 123456789012, us-east-1: ECR repository names must be unique; give one of them another name',
    );
  });

  test("a second cluster in the account names its roles, repositories and bucket after itself, so nothing collides", () => {
    // GIVEN two clusters in one VPC of one environment
    const app = Testing.app();
    const env = new Environment(testConfig({ gpuMonthlyBudgetUsd: 100000 }));
    const infra = new InfraStack(app, "ml-test-infra", { environment: env });
    const key = new EnvironmentKey(infra, "kms");
    const network = new Network(infra, "network", { key });
    new GpuTrainingCluster(infra, "training", { key, network });
    const research = new GpuTrainingCluster(infra, "research", { key, network, clusterName: "ml-test-research" });
    research.addServiceAccountRole("notebooks", { namespace: "research", serviceAccount: "notebook" });
    // THEN every IAM role name is unique and the second cluster's carry its name
    const json = JSON.parse(Testing.synth(infra, true));
    const roles = Object.entries<any>(json.resource.aws_iam_role);
    const names = roles.map(([, r]) => r.name as string);
    expect(new Set(names).size).toBe(names.length);
    expect(
      roles
        .filter(([address]) => address.startsWith("research_"))
        .map(([, r]) => r.name)
        .sort(),
    ).toEqual([
      "ml-test-research-cluster",
      "ml-test-research-kube-system-cluster-autoscaler",
      "ml-test-research-kube-system-ebs-csi-controller-sa",
      "ml-test-research-node",
      "ml-test-research-research-notebook",
      "ml-test-research-training-training",
    ]);
    expect(
      Object.values<any>(json.resource.aws_ecr_repository)
        .map((r) => r.name)
        .sort(),
    ).toEqual(["ml-test-research/serving", "ml-test-research/training", "ml-test/serving", "ml-test/training"]);
    expect(research.datasets.bucketName).toBe("ml-test-research-datasets-123456789012");
  });

  test("IAM role names over 64 characters are shortened with a stable hash, never rejected by IAM", () => {
    const props = subject("ServiceAccountRole").baseline();
    props.serviceAccount = "a-very-long-service-account-name-for-a-batch-inference-worker";
    expect(() => subject("ServiceAccountRole").build(props)).not.toThrow();
  });
});

describe("references, quantities, ports, durations, severities, catalogs and IAM statements", () => {
  test("an image without a tag", () => {
    expect(errorOf(build("MonitoredEndpoint", { image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/serving" }))).toBe(
      'ml-test-platform/ranker: image is "123456789012.dkr.ecr.us-east-1.amazonaws.com/serving"; must be an image reference pinned by tag or digest, such as "repo/name:1.4.0" or "repo/name@sha256:<64 hex digits>"; without a tag it means "latest", which changes under a running Deployment',
    );
  });

  test("an image tagged latest", () => {
    expect(errorOf(build("MonitoredEndpoint", { image: "ghcr.io/acme/serving:latest" }))).toBe(
      'ml-test-platform/ranker: image is "ghcr.io/acme/serving:latest"; must be an image reference pinned by tag or digest, such as "repo/name:1.4.0" or "repo/name@sha256:<64 hex digits>"; "latest" changes under a running Deployment',
    );
  });

  test("a malformed digest", () => {
    expect(errorOf(build("MonitoredEndpoint", { image: "ghcr.io/acme/serving@sha256:abc" }))).toBe(
      'ml-test-platform/ranker: image is "ghcr.io/acme/serving@sha256:abc"; must be an image reference pinned by tag or digest, such as "repo/name:1.4.0" or "repo/name@sha256:<64 hex digits>"; the digest must be sha256: and 64 lowercase hex digits',
    );
  });

  test("a CPU quantity", () => {
    expect(errorOf(build("MonitoredEndpoint", { resources: { cpu: Cpu.of("two"), memory: Memory.gibibytes(1) } }))).toBe(
      'ml-test-platform/ranker: resources.cpu is "two"; must be a Kubernetes CPU quantity above zero such as "500m", "1" or "2.5"',
    );
  });

  test("a memory quantity in milli-bytes", () => {
    expect(errorOf(build("MonitoredEndpoint", { resources: { cpu: Cpu.cores(1), memory: Memory.of("512m") } }))).toBe(
      'ml-test-platform/ranker: resources.memory is "512m"; must be a Kubernetes memory quantity above zero such as "512Mi" or "2Gi" ("m" means milli, not mega)',
    );
  });

  test("a port out of range", () => {
    expect(errorOf(build("MonitoredEndpoint", { servicePort: 70000 }))).toBe("ml-test-platform/ranker: servicePort is 70000; must be a whole port number from 1 to 65535");
  });

  test("a duration Prometheus rejects (a unit repeated)", () => {
    expect(errorOf(build("MonitoredEndpoint", { slo: { breachFor: "5m5m" } }))).toBe(
      'ml-test-platform/ranker: slo.breachFor is "5m5m"; must be a Prometheus duration such as "30s", "5m" or "1h30m" (units y, w, d, h, m, s, ms, largest first, each once)',
    );
  });

  test("a severity Alertmanager does not route", () => {
    expect(errorOf(build("PrometheusRule", { groups: [{ name: "g", rules: [{ alert: "A", expr: "up == 0", severity: "urgent", summary: "s" }] }] }))).toBe(
      'ml-test-platform/rule: A.severity is "urgent"; must be one of critical, warning, info: Alertmanager routes alerts to receivers by these severities',
    );
  });

  test("a system node type outside the catalog", () => {
    expect(errorOf(build("GpuTrainingCluster", { systemNodeInstanceType: "m6i.huge" }))).toBe(
      'ml-test-infra/training: systemNodeInstanceType is "m6i.huge"; must be an x86_64 instance type of the system node catalog (SYSTEM_INSTANCES): families m5, m6i, m6a, m7i, m7a, c5, c6i, c6a, c7i, r5, r6i, r6a, r7i, sizes large to 8xlarge',
    );
  });

  test("a GPU family outside the catalog (it used to return an empty list, and so a pool without types)", () => {
    expect(errorOf(() => GpuInstance.family("g9"))).toBe('GpuInstance.family: family is "g9"; must be a GPU family of the catalog: g5, g6, g6e, p4d, p5');
  });

  test("an IAM statement with a malformed Effect", () => {
    expect(errorOf(build("ServiceAccountRole", { statements: [{ effect: "allow", actions: ["s3:GetObject"], resources: ["*"] }] }))).toBe(
      'ml-test-infra/training/ranker: statements[0].effect is "allow"; must be "Allow" or "Deny" (case-sensitive)',
    );
  });

  test("an IAM statement with no Action", () => {
    expect(errorOf(build("ServiceAccountRole", { statements: [{ actions: [], resources: ["*"] }] }))).toBe(
      'ml-test-infra/training/ranker: statements[0].actions is []; must list at least one IAM action such as "s3:GetObject"',
    );
  });
});

describe("internet-open CIDRs in disguise and production rules bypassed", () => {
  test("0.0.0.0/1 + 128.0.0.0/1 in production", () => {
    expect(
      errorOf(() => {
        const app = Testing.app();
        const env = new Environment(testConfig({ tier: "production", name: "prod" }));
        const infra = new InfraStack(app, "ml-prod-infra", { environment: env });
        const key = new EnvironmentKey(infra, "kms");
        new GpuTrainingCluster(infra, "training", { key, network: new Network(infra, "network", { key }), publicAccessCidrs: ["0.0.0.0/1", "128.0.0.0/1"] });
      }),
    ).toBe(
      'ml-prod-infra/training: publicAccessCidrs is ["0.0.0.0/1","128.0.0.0/1"]; opens a production cluster\'s API to the whole internet: list your VPN or office ranges (each at most a /16), or leave publicAccessCidrs unset for a private endpoint',
    );
  });

  test("0.0.0.0/00", () => {
    expect(errorOf(build("GpuTrainingCluster", { publicAccessCidrs: ["0.0.0.0/00"] }))).toBe(
      'ml-test-infra/training: publicAccessCidrs[0] is "0.0.0.0/00"; must be an IPv4 CIDR block with no host bits set and no leading zeros, such as 203.0.113.0/24',
    );
  });

  test("a single-replica endpoint in production", () => {
    const p = production();
    const role = p.cluster.addServiceAccountRole("serving", { namespace: "serving", serviceAccount: "ranker" });
    expect(
      errorOf(
        () =>
          new MonitoredEndpoint(p.platform, "ranker", {
            name: "ranker",
            cluster: p.cluster,
            serviceAccountRole: role,
            image: "ghcr.io/acme/serving:1.0.0",
            model: { uri: "models:/ranker@champion" },
            minReplicas: 1,
          }),
      ),
    ).toBe("ml-prod-platform/ranker: minReplicas is 1; production endpoints need at least 2 replicas, so that a node drain or a crash does not take the model offline");
  });

  test("a single-replica feature server in production", () => {
    const p = production();
    expect(errorOf(() => new FeatureStore(p.infra, "feature-store", { cluster: p.cluster, project: "fraud", onlineStore: "redis", server: { replicas: 1 } }))).toBe(
      "ml-prod-infra/feature-store: server.replicas is 1; production needs at least 2 feature server replicas, so that a node drain or a rollout never stops online feature reads",
    );
  });

  test("local state for a production stack that holds more than the state bucket", () => {
    const app = Testing.app();
    const env = new Environment(testConfig({ tier: "production", name: "prod" }));
    const infra = new InfraStack(app, "ml-prod-infra", { environment: env, localState: true });
    new Network(infra, "network", { key: new EnvironmentKey(infra, "kms") });
    expect(errorOf(() => Testing.synth(infra, true))).toMatch(
      /^ml-prod-infra: localState is true; a production stack with local state may hold only the state bucket and its key \(a BootstrapStack\), but this one also holds aws_vpc, .*: keep production state in the S3 backend$/,
    );
  });
});

describe("secrets in plain strings are refused and never echoed", () => {
  test("a Slack webhook URL where a channel name belongs", () => {
    expect(errorOf(() => AlertReceiver.slack({ channel: "https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXX" }))).toBe(
      'AlertReceiver.slack: channel is "<redacted>"; looks like a Slack webhook URL: channel is the channel\'s name ("#ml-alerts"); the webhook URL is a secret, set as property "slack" of the Alertmanager secret in Secrets Manager (lib/observability/README.md)',
    );
  });

  test("an AWS access key in env", () => {
    expect(errorOf(build("MonitoredEndpoint", { env: { AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE" } }))).toBe(
      'ml-test-platform/ranker: env["AWS_ACCESS_KEY_ID"] is "<redacted>"; looks like an AWS access key ID: it would be written in plain text into the synthesized JSON and the Terraform state; pass it as secretEnv: { AWS_ACCESS_KEY_ID: { secretArn, property } } (a Secrets Manager secret synced by External Secrets)',
    );
  });

  test("a password in env", () => {
    expect(errorOf(build("MonitoredEndpoint", { env: { DB_PASSWORD: "hunter2" } }))).not.toContain("hunter2");
    expect(errorOf(build("MonitoredEndpoint", { env: { DB_PASSWORD: "hunter2" } }))).toBe(
      'ml-test-platform/ranker: env["DB_PASSWORD"] is "<redacted>"; looks like a literal value for "DB_PASSWORD", whose name says it is a secret: it would be written in plain text into the synthesized JSON and the Terraform state; pass it as secretEnv: { DB_PASSWORD: { secretArn, property } } (a Secrets Manager secret synced by External Secrets)',
    );
  });

  test("a URL with credentials", () => {
    expect(errorOf(build("MonitoredEndpoint", { trackingUri: "https://admin:s3cret@mlflow.example.com" }))).toBe(
      "ml-test-platform/ranker: trackingUri is \"<redacted>\"; looks like a URL with a user name and password: give the tracking server's URL without credentials; the endpoint logs in with the registry's reader credentials (registry.model(...)) or secretEnv",
    );
    expect(errorOf(() => RegistryAuth.oidc({ discoveryUrl: "https://u:p@sso.example.com/.well-known/openid-configuration", clientId: "mlflow" }))).toBe(
      'RegistryAuth.oidc: discoveryUrl is "<redacted>"; looks like a URL with a user name and password: give the URL without credentials; the OIDC client secret is a Secrets Manager secret (lib/model-registry/README.md)',
    );
  });

  test("a secret in a tag", () => {
    expect(errorOf(() => new Environment({ ...testConfig(), tags: { "api-token": "abc123" } }))).toBe(
      'environment "test": tags["api-token"] is "<redacted>"; looks like a literal value for "api-token", whose name says it is a secret: tags are plain text on every resource and in the Terraform state; never put a secret in a tag',
    );
  });

  test("the documented way: secretEnv syncs the secret from Secrets Manager and grants exactly that secret", () => {
    const arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:ranker/db-AbCdEf";
    const app = Testing.app();
    const env = new Environment(testConfig());
    const infra = new InfraStack(app, "ml-test-infra", { environment: env });
    const key = new EnvironmentKey(infra, "kms");
    const cluster = new GpuTrainingCluster(infra, "training", { key, network: new Network(infra, "network", { key }) });
    const role = cluster.addServiceAccountRole("ranker", { namespace: "serving", serviceAccount: "ranker" });
    const platform = new PlatformStack(app, "ml-test-platform", { environment: env, clusterName: cluster.clusterName });
    new MonitoredEndpoint(platform, "ranker", {
      name: "ranker",
      cluster,
      serviceAccountRole: role,
      image: "ghcr.io/acme/serving:1.0.0",
      model: { uri: "models:/ranker@champion" },
      secretEnv: { DB_PASSWORD: { secretArn: arn, property: "password" } },
    });
    const platformJson = Testing.synth(platform, true);
    const [deployment] = manifestsOfKind(JSON.parse(platformJson), "Deployment");
    expect(deployment.spec.template.spec.containers[0].env).toContainEqual({ name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: "ranker-env-0", key: "value" } } });
    expect(Testing.synth(infra, true)).toContain(arn);
  });
});

describe("valid inputs are accepted", () => {
  test("a /24 VPC (the documented smallest range) with three zones", () => {
    const app = Testing.app();
    const infra = new InfraStack(app, "ml-test-infra", { environment: new Environment(testConfig({ vpcCidr: "10.0.0.0/24" })) });
    const key = new EnvironmentKey(infra, "kms");
    const network = new Network(infra, "network", { key });
    new GpuTrainingCluster(infra, "training", { key, network });
    const subnets = Object.values<any>(JSON.parse(Testing.synth(infra, true)).resource.aws_subnet)
      .map((s) => s.cidr_block)
      .sort();
    expect(subnets).toEqual(["10.0.0.0/27", "10.0.0.128/28", "10.0.0.144/28", "10.0.0.160/28", "10.0.0.32/27", "10.0.0.64/27"]);
  });

  test("a GPU budget exactly equal to the worst case the summary prints", () => {
    // 3 x g6.xlarge x $0.8048/h x 730 h = $1,762.5120, printed as $1,762.51
    const app = Testing.app();
    const infra = new InfraStack(app, "ml-test-infra", { environment: new Environment(testConfig({ gpuMonthlyBudgetUsd: 1762.51 })) });
    const key = new EnvironmentKey(infra, "kms");
    expect(
      () =>
        new GpuTrainingCluster(infra, "training", {
          key,
          network: new Network(infra, "network", { key }),
          gpuPools: [{ name: "general", instanceTypes: [GpuInstance.of("g6.xlarge")], maxNodes: 3 }],
        }),
    ).not.toThrow();
  });

  test("the documented maximum storage", () => {
    expect(build("ModelRegistry", { allocatedStorageGiB: 65536 })).not.toThrow();
  });

  test("a digits-only costCenter and a double quote in a value that ends up in generated YAML and JSON", () => {
    const app = Testing.app();
    const env = new Environment(testConfig({ costCenter: "4021" }));
    const infra = new InfraStack(app, "ml-test-infra", { environment: env });
    const key = new EnvironmentKey(infra, "kms");
    const cluster = new GpuTrainingCluster(infra, "training", { key, network: new Network(infra, "network", { key }) });
    const features = new FeatureStore(infra, "feature-store", { cluster, project: "fraud" });
    const role = cluster.addServiceAccountRole("ranker", { namespace: "serving", serviceAccount: "ranker" });
    const platform = new PlatformStack(app, "ml-test-platform", { environment: env, clusterName: cluster.clusterName });
    new MonitoredEndpoint(platform, "ranker", {
      name: "ranker",
      cluster,
      serviceAccountRole: role,
      image: "ghcr.io/acme/serving:1.0.0",
      model: { uri: "models:/ranker@champion" },
      features,
      env: { GREETING: 'say "hi"' },
    });
    const json = JSON.parse(Testing.synth(platform, true));
    const [deployment] = manifestsOfKind(json, "Deployment");
    expect(deployment.spec.template.spec.containers[0].env).toContainEqual({ name: "GREETING", value: 'say "hi"' });
    expect(JSON.parse(Testing.synth(infra, true)).provider.aws[0].default_tags[0].tags["cost-center"]).toBe("4021");
  });
});
