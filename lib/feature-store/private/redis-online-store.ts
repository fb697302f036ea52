import { Construct } from "constructs";
import { ElasticacheReplicationGroup } from "@cdktf/provider-aws/lib/elasticache-replication-group";
import { ElasticacheSubnetGroup } from "@cdktf/provider-aws/lib/elasticache-subnet-group";
import { ElasticacheUser } from "@cdktf/provider-aws/lib/elasticache-user";
import { ElasticacheUserGroup } from "@cdktf/provider-aws/lib/elasticache-user-group";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Environment } from "../../core/environment";
import { ITrainingCluster } from "../../gpu-cluster/cluster-interface";
import { claimPhysicalName } from "../../core/physical-names";
import { SecretRotation } from "../../core/secret-rotation";

export const REDIS_PORT = 6379;
/** The ElastiCache RBAC user Feast connects as; its password lives only in Secrets Manager and in the cache. */
export const REDIS_USERNAME = "feast";

export interface RedisOnlineStoreProps {
  readonly cluster: ITrainingCluster;
  readonly nodeType: string;
  readonly nodes: number;
  readonly multiAz: boolean;
  readonly engineVersion: string;
}

/**
 * The Redis online store: an ElastiCache replication group in the private subnets,
 * encrypted at rest (environment key) and in transit (TLS required), reachable on 6379
 * from the cluster's workload security group only.
 *
 * Authentication is ElastiCache RBAC, not an `auth_token`: aws provider 5.100.0 has no
 * write-only variant of `auth_token` (or of an RBAC user's `passwords`), so any password
 * Terraform sets is stored in its state. Instead the user group holds a disabled
 * `default` user and a `feast` user created disabled with no password; an operator
 * enables `feast` with the password from the Secrets Manager secret (README: "Redis
 * AUTH"), and Terraform ignores those two fields from then on. Until then no client can
 * authenticate: the store fails closed.
 */
export class RedisOnlineStore extends Construct {
  public readonly replicationGroup: ElasticacheReplicationGroup;
  public readonly securityGroup: SecurityGroup;
  public readonly authSecret: SecretsmanagerSecret;
  public readonly user: ElasticacheUser;

  constructor(scope: Construct, id: string, props: RedisOnlineStoreProps) {
    super(scope, id);
    const env = Environment.of(this);
    const name = `${env.prefix}-feast`;
    const { cluster } = props;
    claimPhysicalName(this, "ElastiCache replication group", "project", `${name}-redis`, "region");
    claimPhysicalName(this, "Secrets Manager secret", "project", `${env.prefix}/feature-store/redis-auth`, "region");

    this.authSecret = new SecretsmanagerSecret(this, "auth", {
      name: `${env.prefix}/feature-store/redis-auth`,
      description: `Password of ElastiCache user "${REDIS_USERNAME}" of ${name}: JSON {"username","password"}, set by an operator (no version is managed by Terraform)`,
      kmsKeyId: cluster.key.keyArn,
      recoveryWindowInDays: env.protectsData ? 30 : 0,
      tags: SecretRotation.operator(),
    });

    const subnets = new ElasticacheSubnetGroup(this, "subnets", {
      name,
      description: `${name}: private subnets of the Feast online store`,
      subnetIds: [...cluster.network.privateSubnetIds],
    });
    this.securityGroup = new SecurityGroup(this, "sg", {
      name: `${name}-redis`,
      description: "Feast online store (Redis): only the training cluster's workloads may connect",
      vpcId: cluster.network.vpcId,
      tags: { Name: `${name}-redis` },
    });
    new VpcSecurityGroupIngressRule(this, "from-cluster", {
      securityGroupId: this.securityGroup.id,
      description: "Redis (TLS) from the cluster's workloads",
      referencedSecurityGroupId: cluster.workloadSecurityGroupId,
      ipProtocol: "tcp",
      fromPort: REDIS_PORT,
      toPort: REDIS_PORT,
    });

    // ElastiCache requires a user named "default" in every user group: this one can do nothing.
    const disabledDefault = new ElasticacheUser(this, "default-user", {
      userId: `${name}-default`,
      userName: "default",
      engine: "REDIS",
      accessString: "off -@all",
      authenticationMode: { type: "no-password-required" },
    });
    this.user = new ElasticacheUser(this, "feast-user", {
      userId: `${name}-client`,
      userName: REDIS_USERNAME,
      engine: "REDIS",
      accessString: "off -@all",
      authenticationMode: { type: "no-password-required" },
      lifecycle: { ignoreChanges: ["access_string", "authentication_mode", "passwords", "no_password_required"] },
    });
    const users = new ElasticacheUserGroup(this, "users", {
      userGroupId: name,
      engine: "REDIS",
      userIds: [disabledDefault.userId, this.user.userId],
    });

    this.replicationGroup = new ElasticacheReplicationGroup(this, "cache", {
      replicationGroupId: name,
      description: `${name}: Feast online store`,
      engine: "redis",
      engineVersion: props.engineVersion,
      parameterGroupName: `default.redis${props.engineVersion.split(".")[0]}`,
      nodeType: props.nodeType,
      numCacheClusters: props.nodes,
      port: REDIS_PORT,
      subnetGroupName: subnets.name,
      securityGroupIds: [this.securityGroup.id],
      atRestEncryptionEnabled: "true",
      kmsKeyId: cluster.key.keyArn,
      transitEncryptionEnabled: true,
      transitEncryptionMode: "required",
      userGroupIds: [users.userGroupId],
      multiAzEnabled: props.multiAz,
      automaticFailoverEnabled: props.nodes > 1,
      autoMinorVersionUpgrade: "true",
      // Online features are derived data (materialization rewrites them), but a snapshot shortens recovery.
      snapshotRetentionLimit: env.protectsData ? 7 : 0,
      applyImmediately: !env.protectsData,
    });
  }

  /** `host:port` of the primary (writes and reads). */
  public get endpoint(): string {
    return `${this.replicationGroup.primaryEndpointAddress}:${REDIS_PORT}`;
  }
}
