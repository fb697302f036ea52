import { Construct } from "constructs";
import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { DbParameterGroup } from "@cdktf/provider-aws/lib/db-parameter-group";
import { DbSubnetGroup } from "@cdktf/provider-aws/lib/db-subnet-group";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { Environment } from "../core/environment";
import { IEnvironmentKey } from "../core/environment-key";
import { INetwork } from "../network/network";
import { POSTGRES_VERSIONS, PostgresMajorVersion } from "./postgres-catalog";
import { MASTER_USERNAME, POSTGRES_PORT, TRACKING_DATABASE } from "./private/names";
import { claimPhysicalName } from "../core/physical-names";

/** The database settings, already resolved and validated by ModelRegistry. */
export interface RegistryDatabaseProps {
  readonly network: INetwork;
  readonly key: IEnvironmentKey;
  /** The only security group admitted on 5432: the cluster's nodes and pods. */
  readonly clientSecurityGroupId: string;
  readonly instanceClass: string;
  readonly engineVersion: PostgresMajorVersion;
  readonly allocatedStorageGiB: number;
  readonly maxAllocatedStorageGiB: number;
  readonly backupRetentionDays: number;
  readonly multiAz: boolean;
  readonly deletionProtection: boolean;
  readonly performanceInsights: boolean;
  /** 0 turns enhanced monitoring off. */
  readonly monitoringIntervalSeconds: number;
  readonly iamAuthentication: boolean;
  readonly logRetentionDays: number;
}

/** Logs RDS for PostgreSQL can export to CloudWatch. */
const EXPORTED_LOGS = ["postgresql", "upgrade"] as const;

/**
 * The registry's RDS for PostgreSQL instance and what it needs: a subnet group over the
 * private subnets, a security group that admits only the cluster, a parameter group that
 * refuses connections without TLS, encrypted log groups and the enhanced-monitoring role.
 * The master password is generated and rotated by RDS in Secrets Manager
 * (`manage_master_user_password`), encrypted with the environment key: Terraform never
 * sees it, so it is in no code, no synthesized JSON and no state.
 */
export class RegistryDatabase extends Construct {
  public readonly instance: DbInstance;
  public readonly securityGroup: SecurityGroup;
  public readonly parameterGroup: DbParameterGroup;
  public readonly subnetGroup: DbSubnetGroup;
  public readonly identifier: string;

  constructor(scope: Construct, id: string, props: RegistryDatabaseProps) {
    super(scope, id);
    const env = Environment.of(this);
    this.identifier = `${env.prefix}-mlflow`;
    claimPhysicalName(this, "RDS instance", "identifier", this.identifier, "region");
    const version = POSTGRES_VERSIONS[props.engineVersion];

    this.subnetGroup = new DbSubnetGroup(this, "subnet-group", {
      name: this.identifier,
      description: "MLflow registry database: private subnets only",
      subnetIds: [...props.network.privateSubnetIds],
    });

    // No egress rule: the database never opens connections.
    this.securityGroup = new SecurityGroup(this, "security-group", {
      name: `${this.identifier}-db`,
      description: "MLflow registry database: PostgreSQL from the training cluster only",
      vpcId: props.network.vpcId,
      tags: { Name: `${this.identifier}-db` },
    });
    new VpcSecurityGroupIngressRule(this, "ingress-from-cluster", {
      securityGroupId: this.securityGroup.id,
      description: "PostgreSQL from the training cluster's nodes and pods",
      ipProtocol: "tcp",
      fromPort: POSTGRES_PORT,
      toPort: POSTGRES_PORT,
      referencedSecurityGroupId: props.clientSecurityGroupId,
    });

    // The family is in the name so that a major upgrade creates the new group before the old one goes.
    this.parameterGroup = new DbParameterGroup(this, "parameters", {
      name: `${this.identifier}-${version.family}`,
      family: version.family,
      description: "MLflow registry database: TLS required, slow statements logged",
      parameter: [
        { name: "rds.force_ssl", value: "1", applyMethod: "pending-reboot" },
        { name: "log_min_duration_statement", value: "1000" },
        { name: "log_connections", value: "1" },
        { name: "log_disconnections", value: "1" },
      ],
      lifecycle: { createBeforeDestroy: true },
    });

    // RDS would create these log groups itself, unencrypted and kept forever.
    const logGroups = EXPORTED_LOGS.map(
      (log) =>
        new CloudwatchLogGroup(this, `log-${log}`, {
          name: `/aws/rds/instance/${this.identifier}/${log}`,
          retentionInDays: props.logRetentionDays,
          kmsKeyId: props.key.keyArn,
        }),
    );

    let monitoringRole: IamRole | undefined;
    if (props.monitoringIntervalSeconds > 0) {
      monitoringRole = new IamRole(this, "monitoring-role", {
        name: `${this.identifier}-monitoring`,
        description: "Lets RDS publish enhanced monitoring metrics of the MLflow registry database",
        assumeRolePolicy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: "monitoring.rds.amazonaws.com" }, Action: "sts:AssumeRole" }],
        }),
      });
      new IamRolePolicyAttachment(this, "monitoring-policy", {
        role: monitoringRole.name,
        policyArn: "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole",
      });
    }

    this.instance = new DbInstance(this, "instance", {
      identifier: this.identifier,
      engine: "postgres",
      // A major version only: RDS applies minor versions itself (auto_minor_version_upgrade)
      // and the provider does not plan a downgrade when it does; engine_version_actual has the minor.
      engineVersion: version.major,
      allowMajorVersionUpgrade: false,
      autoMinorVersionUpgrade: true,
      instanceClass: props.instanceClass,
      storageType: "gp3",
      allocatedStorage: props.allocatedStorageGiB,
      maxAllocatedStorage: props.maxAllocatedStorageGiB,
      storageEncrypted: true,
      kmsKeyId: props.key.keyArn,
      dbName: TRACKING_DATABASE,
      username: MASTER_USERNAME,
      port: POSTGRES_PORT,
      manageMasterUserPassword: true,
      masterUserSecretKmsKeyId: props.key.keyArn,
      iamDatabaseAuthenticationEnabled: props.iamAuthentication,
      dbSubnetGroupName: this.subnetGroup.name,
      vpcSecurityGroupIds: [this.securityGroup.id],
      publiclyAccessible: false,
      networkType: "IPV4",
      multiAz: props.multiAz,
      parameterGroupName: this.parameterGroup.name,
      caCertIdentifier: "rds-ca-rsa2048-g1",
      backupRetentionPeriod: props.backupRetentionDays,
      backupWindow: "03:00-04:00",
      maintenanceWindow: "sun:04:30-sun:05:30",
      copyTagsToSnapshot: true,
      deleteAutomatedBackups: !props.deletionProtection,
      deletionProtection: props.deletionProtection,
      skipFinalSnapshot: !props.deletionProtection,
      finalSnapshotIdentifier: props.deletionProtection ? `${this.identifier}-final` : undefined,
      performanceInsightsEnabled: props.performanceInsights,
      performanceInsightsKmsKeyId: props.performanceInsights ? props.key.keyArn : undefined,
      performanceInsightsRetentionPeriod: props.performanceInsights ? 7 : undefined,
      monitoringInterval: props.monitoringIntervalSeconds,
      monitoringRoleArn: monitoringRole?.arn,
      enabledCloudwatchLogsExports: [...EXPORTED_LOGS],
      applyImmediately: false,
      tags: { Name: this.identifier },
      dependsOn: logGroups,
    });
  }

  /** The RDS-managed Secrets Manager secret holding `{"username", "password"}` of the master user. */
  public get masterUserSecretArn(): string {
    return this.instance.masterUserSecret.get(0).secretArn;
  }

  /** Host name of the instance (without the port). */
  public get address(): string {
    return this.instance.address;
  }
}
