import { IConstruct } from "constructs";
import { ConfigError, Validator, formatValue } from "./errors";
import { Shape, shapeProblems } from "./shape";
import { REDACTED, principalArnProblem, secretLiteralKind } from "./validators";
import { formatCidr, isPrivate, overlaps, parseCidr } from "./private/cidr";

/**
 * How much an environment's data matters. The tier, not the environment's name, decides
 * the safety defaults: staging and production protect their data, production requires
 * high availability.
 */
export type EnvironmentTier = "development" | "staging" | "production";

/** Where an environment's Terraform state lives. */
export type StateBackendConfig = LocalStateBackend | S3StateBackend;

/** Terraform's embedded local backend: nothing to set up (for disposable environments). */
export interface LocalStateBackend {
  readonly type: "local";
}

/** The S3 backend with encryption and S3-native locking (`use_lockfile`, Terraform >= 1.10). */
export interface S3StateBackend {
  readonly type: "s3";
  /** The state bucket, created by the environment's bootstrap stack. */
  readonly bucket: string;
  /** @default - the environment's region */
  readonly region?: string;
  /** Prefix of every state key; a stack's state is `<keyPrefix>/<stack>.tfstate`. @default "ml-platform" */
  readonly keyPrefix?: string;
}

export interface EnvironmentConfig {
  /** Short name, used in stack and resource names: lowercase letters, digits and "-", 2 to 16 characters. */
  readonly name: string;
  readonly tier: EnvironmentTier;
  /** The AWS account this environment lives in; Terraform refuses to run against any other. */
  readonly accountId: string;
  readonly region: string;
  /** Availability zones, by name (not looked up, so that plans need no AWS API call). At least 2. */
  readonly availabilityZones: readonly string[];
  /** The VPC's private IPv4 range, /16 to /24. Must not overlap another environment's. */
  readonly vpcCidr: string;
  /** Team that owns the environment; becomes the `owner` tag. */
  readonly owner: string;
  /** Becomes the `cost-center` tag. */
  readonly costCenter: string;
  /** Extra tags on every resource. @default - none */
  readonly tags?: Readonly<Record<string, string>>;
  /** Expected monthly spend in USD, reported by the plan review. */
  readonly monthlyBudgetUsd: number;
  /** Ceiling on the GPU pools' monthly worst case in USD; synth fails above it. @default - no GPU budget guard */
  readonly gpuMonthlyBudgetUsd?: number;
  readonly stateBackend: StateBackendConfig;
  /**
   * The IAM role that runs Terraform for this environment (CI's role, or the role your profile assumes).
   * A GpuTrainingCluster admits it as cluster admin through an EKS access entry: the platform stacks'
   * kubernetes and helm providers authenticate with a token signed by the credentials that run
   * Terraform (`aws_eks_cluster_auth`), so this role must be the one that applies them. Declared here,
   * not looked up (`aws_caller_identity` needs credentials, which offline plans do not have).
   * @default - none: a cluster then needs an accessEntries entry with ClusterAccessPolicy.CLUSTER_ADMIN
   */
  readonly deployRoleArn?: string;
  /** Prefix of stack names: stacks are `<project>-<name>-<layer>`. @default "ml" */
  readonly project?: string;
}

const NAME = /^[a-z][a-z0-9-]{0,14}[a-z0-9]$/;
const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
const ACCOUNT = /^\d{12}$/;
const TIERS: readonly EnvironmentTier[] = ["development", "staging", "production"];
const TAG_KEY_RESERVED = /^aws:/i;
/** Characters AWS allows in tag keys and values (Tagging AWS resources, "Tag naming limits"). */
const TAG_CHARS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/** The kinds of an EnvironmentConfig's fields. */
const CONFIG_SHAPE = {
  name: Shape.string(),
  tier: Shape.oneOf(TIERS),
  accountId: Shape.string(),
  region: Shape.string(),
  availabilityZones: Shape.array(Shape.string()),
  vpcCidr: Shape.string(),
  owner: Shape.string(),
  costCenter: Shape.string(),
  tags: Shape.optional(Shape.record(Shape.string())),
  monthlyBudgetUsd: Shape.number(),
  gpuMonthlyBudgetUsd: Shape.optional(Shape.number()),
  // The type decides the other fields; they are checked below with the messages of each backend.
  deployRoleArn: Shape.optional(Shape.string()),
  stateBackend: Shape.openObject({ type: Shape.oneOf(["local", "s3"]) }, '{ type: "local" } or { type: "s3", bucket: "<state bucket>" }'),
  project: Shape.optional(Shape.string()),
};

/** The scope from which constructs read their environment (the library's stacks). */
export interface IEnvironmentScope extends IConstruct {
  readonly environment: Environment;
}

function isEnvironmentScope(x: IConstruct): x is IEnvironmentScope {
  return (x as Partial<IEnvironmentScope>).environment instanceof Environment;
}

/**
 * A validated environment. Construct it once per environment; an invalid configuration
 * throws a ConfigError naming the environment, the field, the value and what is allowed.
 */
export class Environment {
  /** The environment of the nearest enclosing library stack. */
  public static of(scope: IConstruct): Environment {
    const found = scope.node.scopes.slice().reverse().find(isEnvironmentScope);
    if (!found) {
      throw new ConfigError([`${scope.node.path}: this construct must be created inside an InfraStack or a PlatformStack, which carry the environment`]);
    }
    return found.environment;
  }

  /** Validates several environments together: each alone, and their VPC ranges against each other. */
  public static all(configs: readonly EnvironmentConfig[]): Environment[] {
    const problems: string[] = [];
    const envs: Environment[] = [];
    for (const config of configs) {
      try {
        envs.push(new Environment(config));
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        problems.push(...err.problems);
      }
    }
    const names = new Set<string>();
    for (const [i, a] of envs.entries()) {
      if (names.has(a.name)) problems.push(`environment "${a.name}": name is ${formatValue(a.name)}; every environment needs its own name`);
      names.add(a.name);
      for (const b of envs.slice(0, i)) {
        if (overlaps(parseCidr(a.vpcCidr)!, parseCidr(b.vpcCidr)!)) {
          problems.push(
            `environment "${a.name}": vpcCidr is ${formatValue(a.vpcCidr)}; it overlaps environment "${b.name}" (${b.vpcCidr}): ` +
              "every environment needs its own address range so that networks can be peered",
          );
        }
      }
    }
    if (problems.length > 0) throw new ConfigError(problems);
    return envs;
  }

  public readonly name: string;
  public readonly tier: EnvironmentTier;
  public readonly accountId: string;
  public readonly region: string;
  public readonly availabilityZones: readonly string[];
  public readonly vpcCidr: string;
  public readonly owner: string;
  /** The IAM role that runs Terraform for this environment (see EnvironmentConfig.deployRoleArn). */
  public readonly deployRoleArn?: string;
  public readonly costCenter: string;
  public readonly monthlyBudgetUsd: number;
  public readonly gpuMonthlyBudgetUsd?: number;
  public readonly stateBackend: StateBackendConfig;
  public readonly project: string;
  /** Tags on every resource: environment, owner, cost-center, managed-by, then the config's own. */
  public readonly tags: Readonly<Record<string, string>>;

  constructor(public readonly config: EnvironmentConfig) {
    const where = `environment ${formatValue((config as Partial<EnvironmentConfig> | undefined)?.name)}`;
    if (config && typeof config === "object" && "sizing" in config) {
      // Removed in 0.x: a side channel every area read. Point the user at the replacement, not at a typo.
      throw new ConfigError([
        `${where}: sizing is no longer an environment field; set each value on the construct's props where ` +
          'it is created, by tier if it differs (env.byTier({...})): see docs/UPGRADING.md, "EnvironmentConfig.sizing removed"',
      ]);
    }
    const shape = shapeProblems(where, config, CONFIG_SHAPE);
    if (shape.length > 0) throw new ConfigError(shape);
    const v = new Validator(where);
    v.check(
      typeof config.name === "string" && NAME.test(config.name),
      "name",
      config.name,
      "must be 2 to 16 lowercase letters, digits or '-', starting with a letter and not ending with '-'",
    );
    v.check(TIERS.includes(config.tier), "tier", config.tier, `must be one of ${TIERS.join(", ")}`);
    v.check(ACCOUNT.test(config.accountId ?? ""), "accountId", config.accountId, "must be a 12-digit AWS account ID");
    const regionOk = REGION.test(config.region ?? "");
    v.check(regionOk, "region", config.region, "must be an AWS region name such as us-east-1");
    const azs = config.availabilityZones ?? [];
    v.check(azs.length >= 2, "availabilityZones", azs, "must list at least 2 zones: EKS and Multi-AZ databases need subnets in two zones");
    if (regionOk) {
      const outside = azs.filter((az) => !new RegExp(`^${config.region}[a-z]$`).test(az));
      v.check(
        outside.length === 0,
        "availabilityZones",
        azs,
        `every zone must be in region ${config.region} (such as ${config.region}a); ${outside.map((z) => formatValue(z)).join(", ")} ${outside.length === 1 ? "is" : "are"} not`,
      );
    }
    v.check(new Set(azs).size === azs.length, "availabilityZones", azs, "must not repeat a zone");
    const block = parseCidr(config.vpcCidr ?? "");
    if (!block) {
      v.check(false, "vpcCidr", config.vpcCidr, "must be an IPv4 CIDR block with no host bits set, such as 10.20.0.0/16");
    } else {
      v.check(block.prefix >= 16 && block.prefix <= 24, "vpcCidr", config.vpcCidr, "must have a prefix length from /16 to /24 (AWS VPC limits)");
      v.check(isPrivate(block), "vpcCidr", config.vpcCidr, "must be inside a private range (10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16)");
    }
    v.check(typeof config.owner === "string" && config.owner.trim() !== "", "owner", config.owner, "must name the owning team");
    v.check(typeof config.costCenter === "string" && config.costCenter.trim() !== "", "costCenter", config.costCenter, "must be a non-empty cost center");
    if (config.deployRoleArn !== undefined) {
      const problem = principalArnProblem(config.deployRoleArn);
      v.checkProblem("deployRoleArn", config.deployRoleArn, problem);
    }
    v.check(Number.isFinite(config.monthlyBudgetUsd) && config.monthlyBudgetUsd >= 0, "monthlyBudgetUsd", config.monthlyBudgetUsd, "must be a number of USD >= 0");
    if (config.gpuMonthlyBudgetUsd !== undefined) {
      v.check(Number.isFinite(config.gpuMonthlyBudgetUsd) && config.gpuMonthlyBudgetUsd >= 0, "gpuMonthlyBudgetUsd", config.gpuMonthlyBudgetUsd, "must be a number of USD >= 0");
    }
    const backend = config.stateBackend;
    const backendType: string | undefined = (backend as { type?: string } | undefined)?.type;
    if (!backend || (backend.type !== "local" && backend.type !== "s3")) {
      v.check(false, "stateBackend.type", backendType, 'must be "local" or "s3"');
    } else if (backend.type === "s3") {
      v.check(
        typeof backend.bucket === "string" && /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(backend.bucket),
        "stateBackend.bucket",
        backend.bucket,
        "the S3 backend needs the name of the state bucket (3 to 63 lowercase letters, digits, '.' or '-')",
      );
    }
    if (config.tier === "production" && config.stateBackend?.type === "local") {
      v.check(false, "stateBackend.type", "local", "production state must live in the S3 backend, not on one machine");
    }
    for (const key of Object.keys(config.tags ?? {})) {
      v.check(
        !TAG_KEY_RESERVED.test(key) && key.length >= 1 && key.length <= 128 && TAG_CHARS.test(key),
        "tags",
        key,
        "tag keys must be 1 to 128 letters, digits, spaces or _ . : / = + - @, and must not start with aws:",
      );
    }
    const tagValues: [string, string][] = [
      ["owner", config.owner],
      ["costCenter", config.costCenter],
      ...Object.entries(config.tags ?? {}).map(([k, val]): [string, string] => [`tags[${JSON.stringify(k)}]`, val]),
    ];
    for (const [field, value] of tagValues) {
      const secret = secretLiteralKind(value, field.startsWith("tags[") ? field.slice(6, -2) : undefined);
      if (secret) {
        v.check(false, field, REDACTED, `looks like ${secret}: tags are plain text on every resource and in the Terraform state; never put a secret in a tag`);
        continue;
      }
      v.check(value.length <= 256 && TAG_CHARS.test(value), field, value, "becomes a tag value on every resource: at most 256 letters, digits, spaces or _ . : / = + - @");
    }
    if (backend?.type === "s3" && backend.keyPrefix !== undefined) {
      v.check(
        typeof backend.keyPrefix === "string" && /^[A-Za-z0-9!_.*'()-]+(\/[A-Za-z0-9!_.*'()-]+)*$/.test(backend.keyPrefix),
        "stateBackend.keyPrefix",
        backend.keyPrefix,
        "must be S3 key parts separated by single '/', without a leading or trailing '/' (an empty part such as in a//b makes a different state key)",
      );
    }
    const project = config.project ?? "ml";
    v.check(/^[a-z][a-z0-9]{1,9}$/.test(project), "project", project, "must be 2 to 10 lowercase letters or digits, starting with a letter");
    v.throwIfAny();

    this.name = config.name;
    this.tier = config.tier;
    this.accountId = config.accountId;
    this.region = config.region;
    this.availabilityZones = [...azs];
    this.vpcCidr = formatCidr(block!);
    this.owner = config.owner;
    this.deployRoleArn = config.deployRoleArn;
    this.costCenter = config.costCenter;
    this.monthlyBudgetUsd = config.monthlyBudgetUsd;
    this.gpuMonthlyBudgetUsd = config.gpuMonthlyBudgetUsd;
    this.stateBackend = backend;
    this.project = project;
    this.tags = {
      environment: config.name,
      owner: config.owner,
      "cost-center": config.costCenter,
      "managed-by": "cdktf-ml-platform",
      ...(config.tags ?? {}),
    };
  }

  /** Staging and production keep their data: prevent_destroy, deletion protection, final snapshots. */
  public get protectsData(): boolean {
    return this.tier !== "development";
  }

  /** Production requires high availability: Multi-AZ, several replicas, NAT per zone. */
  public get isProduction(): boolean {
    return this.tier === "production";
  }

  /** `<project>-<name>`, the prefix of this environment's resource names. */
  public get prefix(): string {
    return `${this.project}-${this.name}`;
  }

  /** The conventional stack name for a layer, e.g. `ml-prod-infra`. */
  public stackName(layer: string): string {
    return `${this.prefix}-${layer}`;
  }

  /** A tier-dependent default: `byTier({ development: 1, staging: 2, production: 3 })`. */
  public byTier<T>(values: Readonly<Record<EnvironmentTier, T>>): T {
    return values[this.tier];
  }

  /** An ARN in this environment's account and region, e.g. `arn("secretsmanager", "secret:x-*")`. */
  public arn(service: string, resource: string, opts: { region?: boolean } = {}): string {
    return `arn:aws:${service}:${opts.region === false ? "" : this.region}:${this.accountId}:${resource}`;
  }
}
