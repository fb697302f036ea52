import { PolicyRule } from "./rule";
import { dynamodbKms } from "./rules/dynamodb-kms";
import { dynamodbPointInTimeRecovery } from "./rules/dynamodb-point-in-time-recovery";
import { ebsEncryption } from "./rules/ebs-encryption";
import { ecrImmutableTags } from "./rules/ecr-immutable-tags";
import { ecrKms } from "./rules/ecr-kms";
import { ecrScanOnPush } from "./rules/ecr-scan-on-push";
import { eksControlPlaneLogging } from "./rules/eks-control-plane-logging";
import { eksEndpointOpenToInternet } from "./rules/eks-endpoint-open-to-internet";
import { eksPublicEndpoint } from "./rules/eks-public-endpoint";
import { eksSecretsEncryption } from "./rules/eks-secrets-encryption";
import { elasticacheAtRestEncryption } from "./rules/elasticache-at-rest-encryption";
import { elasticacheAuthentication } from "./rules/elasticache-authentication";
import { elasticacheInTransitEncryption } from "./rules/elasticache-in-transit-encryption";
import { elasticacheKms } from "./rules/elasticache-kms";
import { iamAdministratorAccess } from "./rules/iam-administrator-access";
import { iamFullAdmin } from "./rules/iam-full-admin";
import { iamTrustAnyPrincipal } from "./rules/iam-trust-any-principal";
import { iamWildcardAction } from "./rules/iam-wildcard-action";
import { iamWildcardResource } from "./rules/iam-wildcard-resource";
import { imdsHopLimit } from "./rules/imds-hop-limit";
import { imdsv2Required } from "./rules/imdsv2-required";
import { kmsRotation } from "./rules/kms-rotation";
import { kmsWildcardPrincipal } from "./rules/kms-wildcard-principal";
import { logGroupKms } from "./rules/log-group-kms";
import { logGroupRetention } from "./rules/log-group-retention";
import { nodeGroupImdsv2 } from "./rules/node-group-imdsv2";
import { rdsBackupRetention } from "./rules/rds-backup-retention";
import { rdsDeletionProtection } from "./rules/rds-deletion-protection";
import { rdsEnhancedMonitoring } from "./rules/rds-enhanced-monitoring";
import { rdsIamAuthentication } from "./rules/rds-iam-authentication";
import { rdsLogExports } from "./rules/rds-log-exports";
import { rdsMinorUpgrades } from "./rules/rds-minor-upgrades";
import { rdsMultiAz } from "./rules/rds-multi-az";
import { rdsNotPublic } from "./rules/rds-not-public";
import { rdsStorageEncrypted } from "./rules/rds-storage-encrypted";
import { s3Encryption } from "./rules/s3-encryption";
import { s3KmsEncryption } from "./rules/s3-kms-encryption";
import { s3Lifecycle } from "./rules/s3-lifecycle";
import { s3PublicAccessBlock } from "./rules/s3-public-access-block";
import { s3Versioning } from "./rules/s3-versioning";
import { secretsManagerKms } from "./rules/secrets-manager-kms";
import { secretsManagerRotation } from "./rules/secrets-manager-rotation";
import { securityGroupAdminPorts } from "./rules/security-group-admin-ports";
import { securityGroupAllPorts } from "./rules/security-group-all-ports";
import { securityGroupHttp } from "./rules/security-group-http";
import { subnetNoPublicIp } from "./rules/subnet-no-public-ip";
import { vpcDefaultSecurityGroupClosed } from "./rules/vpc-default-security-group-closed";
import { vpcFlowLogs } from "./rules/vpc-flow-logs";

/**
 * high: data or credentials exposed, or data unrecoverable (blocks `npm run policy`);
 * medium: a control security reviews expect is missing; low: hardening and resilience.
 */
export type PolicySeverity = "high" | "medium" | "low";

export interface PackRule {
  /** Stable ID, used in suppressions. */
  readonly id: string;
  /** The checkov check this rule corresponds to (several when checkov splits it). */
  readonly checkovId: string;
  readonly severity: PolicySeverity;
  /** One line: the risk when the rule fails. */
  readonly explanation: string;
  readonly rule: PolicyRule;
}

/**
 * The security policy pack: every rule with its ID, severity, explanation and checkov
 * mapping. Rules are pure functions in `rules/` (one per file); this table is the only
 * place where their metadata lives.
 */
export const POLICY_PACK: readonly PackRule[] = [
  // EKS and nodes
  {
    id: "EKS-SECRETS-KMS",
    checkovId: "CKV_AWS_58",
    severity: "high",
    rule: eksSecretsEncryption,
    explanation: "Kubernetes secrets are stored in etcd without envelope encryption under a KMS key.",
  },
  {
    id: "EKS-CONTROL-PLANE-LOGS",
    checkovId: "CKV_AWS_37",
    severity: "medium",
    rule: eksControlPlaneLogging,
    explanation: "Not every control-plane log type (api, audit, authenticator, controllerManager, scheduler) is kept: incidents cannot be reconstructed.",
  },
  {
    id: "EKS-ENDPOINT-OPEN",
    checkovId: "CKV_AWS_38",
    severity: "high",
    rule: eksEndpointOpenToInternet,
    explanation: "The Kubernetes API endpoint is reachable from the whole internet (0.0.0.0/0).",
  },
  {
    id: "EKS-PUBLIC-ENDPOINT",
    checkovId: "CKV_AWS_39",
    severity: "medium",
    rule: eksPublicEndpoint,
    explanation: "The Kubernetes API has a public endpoint; a private-only endpoint keeps it inside the VPC.",
  },
  {
    id: "EC2-IMDSV2",
    checkovId: "CKV_AWS_79",
    severity: "high",
    rule: imdsv2Required,
    explanation: "IMDSv1 is allowed: an SSRF in any workload can read the instance role's credentials.",
  },
  {
    id: "EKS-NODEGROUP-IMDSV2",
    checkovId: "CKV_AWS_79",
    severity: "high",
    rule: nodeGroupImdsv2,
    explanation: "The node group has no launch template requiring IMDSv2: pods can read the node role's credentials through IMDSv1.",
  },
  {
    id: "EC2-IMDS-HOP-LIMIT",
    checkovId: "CKV_AWS_341",
    severity: "medium",
    rule: imdsHopLimit,
    explanation: "The metadata hop limit is above 1: containers can reach the node's instance role instead of using their own (IRSA).",
  },
  {
    id: "EBS-ENCRYPTED",
    checkovId: "CKV_AWS_3/CKV_AWS_8",
    severity: "high",
    rule: ebsEncryption,
    explanation: "A volume (or a launch template's block device) is not encrypted: its data and snapshots are readable in the clear.",
  },
  // S3
  { id: "S3-ENCRYPTION", checkovId: "CKV_AWS_19", severity: "medium", rule: s3Encryption, explanation: "The bucket declares no default encryption." },
  {
    id: "S3-KMS",
    checkovId: "CKV_AWS_145",
    severity: "medium",
    rule: s3KmsEncryption,
    explanation: "The bucket is not encrypted with KMS: anyone with s3:GetObject can read, without a key grant or a CloudTrail record of key use.",
  },
  {
    id: "S3-VERSIONING",
    checkovId: "CKV_AWS_21",
    severity: "medium",
    rule: s3Versioning,
    explanation: "The bucket is not versioned: an overwrite or delete (or ransomware) loses the object for good.",
  },
  {
    id: "S3-PUBLIC-ACCESS-BLOCK",
    checkovId: "CKV2_AWS_6",
    severity: "high",
    rule: s3PublicAccessBlock,
    explanation: "The bucket has no public access block with all four settings on: one ACL or policy mistake makes it public.",
  },
  {
    id: "S3-LIFECYCLE",
    checkovId: "CKV2_AWS_61",
    severity: "low",
    rule: s3Lifecycle,
    explanation: "The bucket has no lifecycle rule: old versions and incomplete uploads accumulate cost forever.",
  },
  // Databases
  { id: "RDS-ENCRYPTED", checkovId: "CKV_AWS_16", severity: "high", rule: rdsStorageEncrypted, explanation: "Database storage and its snapshots are not encrypted at rest." },
  { id: "RDS-NOT-PUBLIC", checkovId: "CKV_AWS_17", severity: "high", rule: rdsNotPublic, explanation: "The database is publicly accessible from the internet." },
  { id: "RDS-MULTI-AZ", checkovId: "CKV_AWS_157", severity: "low", rule: rdsMultiAz, explanation: "The database has no standby in another zone: a zone outage takes it down." },
  {
    id: "RDS-DELETION-PROTECTION",
    checkovId: "CKV_AWS_293",
    severity: "medium",
    rule: rdsDeletionProtection,
    explanation: "The database has no deletion protection: one API call or plan deletes it.",
  },
  {
    id: "RDS-ENHANCED-MONITORING",
    checkovId: "CKV_AWS_118",
    severity: "low",
    rule: rdsEnhancedMonitoring,
    explanation: "Enhanced monitoring is off: OS-level metrics of the database host are missing during an incident.",
  },
  {
    id: "RDS-LOG-EXPORTS",
    checkovId: "CKV_AWS_129",
    severity: "medium",
    rule: rdsLogExports,
    explanation: "Database logs are not exported to CloudWatch: they are lost with the instance and cannot be audited.",
  },
  {
    id: "RDS-MINOR-UPGRADES",
    checkovId: "CKV_AWS_226",
    severity: "low",
    rule: rdsMinorUpgrades,
    explanation: "Automatic minor version upgrades are off: engine security fixes are not applied.",
  },
  {
    id: "RDS-IAM-AUTH",
    checkovId: "CKV_AWS_161",
    severity: "medium",
    rule: rdsIamAuthentication,
    explanation: "IAM database authentication is off: every client needs a long-lived password.",
  },
  {
    id: "RDS-BACKUPS",
    checkovId: "CKV_AWS_133",
    severity: "high",
    rule: rdsBackupRetention,
    explanation: "Automated backups are off: no point-in-time restore after a bad migration or deletion.",
  },
  {
    id: "DYNAMODB-PITR",
    checkovId: "CKV_AWS_28",
    severity: "medium",
    rule: dynamodbPointInTimeRecovery,
    explanation: "Point-in-time recovery is off: a bad write or delete cannot be undone.",
  },
  {
    id: "DYNAMODB-KMS",
    checkovId: "CKV_AWS_119",
    severity: "medium",
    rule: dynamodbKms,
    explanation: "The table is not encrypted with a customer-managed key: access to the data is not controlled by a key policy.",
  },
  {
    id: "ELASTICACHE-AT-REST",
    checkovId: "CKV_AWS_29",
    severity: "high",
    rule: elasticacheAtRestEncryption,
    explanation: "Cache data, snapshots and swap are not encrypted at rest.",
  },
  {
    id: "ELASTICACHE-IN-TRANSIT",
    checkovId: "CKV_AWS_30",
    severity: "high",
    rule: elasticacheInTransitEncryption,
    explanation: "Clients talk to the cache without TLS: feature values cross the network in the clear.",
  },
  {
    id: "ELASTICACHE-AUTH",
    checkovId: "CKV_AWS_31",
    severity: "high",
    rule: elasticacheAuthentication,
    explanation: "The cache accepts unauthenticated clients (no AUTH token or RBAC user group over TLS).",
  },
  { id: "ELASTICACHE-KMS", checkovId: "CKV_AWS_191", severity: "medium", rule: elasticacheKms, explanation: "The cache is not encrypted with a customer-managed key." },
  // Keys, identities, secrets
  { id: "KMS-ROTATION", checkovId: "CKV_AWS_7", severity: "medium", rule: kmsRotation, explanation: "The key's material is never rotated: a leaked key stays useful forever." },
  {
    id: "KMS-WILDCARD-PRINCIPAL",
    checkovId: "CKV_AWS_33",
    severity: "high",
    rule: kmsWildcardPrincipal,
    explanation: "The key policy lets any AWS principal use the key, unconditionally.",
  },
  {
    id: "IAM-FULL-ADMIN",
    checkovId: "CKV_AWS_1/CKV_AWS_62",
    severity: "high",
    rule: iamFullAdmin,
    explanation: "A policy allows every action on every resource: full administrator.",
  },
  {
    id: "IAM-ADMINISTRATOR-ACCESS",
    checkovId: "CKV_AWS_274",
    severity: "high",
    rule: iamAdministratorAccess,
    explanation: "The AWS-managed AdministratorAccess policy is attached: the principal can do anything in the account.",
  },
  {
    id: "IAM-WILDCARD-ACTION",
    checkovId: "CKV_AWS_63",
    severity: "high",
    rule: iamWildcardAction,
    explanation: 'A policy allows "*" actions (or allows through NotAction): it grants actions nobody reviewed, including future ones.',
  },
  {
    id: "IAM-WILDCARD-RESOURCE",
    checkovId: "CKV_AWS_355",
    severity: "medium",
    rule: iamWildcardResource,
    explanation: 'A policy allows resource-scopable actions on "*": the principal can touch every such resource in the account.',
  },
  {
    id: "IAM-TRUST-ANY-PRINCIPAL",
    checkovId: "CKV_AWS_60",
    severity: "high",
    rule: iamTrustAnyPrincipal,
    explanation: 'Any AWS principal ("*") may assume the role without a condition.',
  },
  {
    id: "SECRETS-KMS",
    checkovId: "CKV_AWS_149",
    severity: "medium",
    rule: secretsManagerKms,
    explanation: "The secret is encrypted with the AWS-managed key: anyone allowed secretsmanager:GetSecretValue can read it, without a key grant.",
  },
  {
    id: "SECRETS-ROTATION",
    checkovId: "CKV2_AWS_57",
    severity: "low",
    rule: secretsManagerRotation,
    explanation:
      "Nobody is declared to rotate the secret: no aws_secretsmanager_secret_rotation, no ml-platform/rotation tag (in-cluster, or operator with ml-platform/max-age-days of at most 365), so it lives until it leaks.",
  },
  // Images and logs
  {
    id: "ECR-IMMUTABLE-TAGS",
    checkovId: "CKV_AWS_51",
    severity: "medium",
    rule: ecrImmutableTags,
    explanation: "Image tags are mutable: a deployed tag can be overwritten with different code.",
  },
  { id: "ECR-SCAN-ON-PUSH", checkovId: "CKV_AWS_163", severity: "medium", rule: ecrScanOnPush, explanation: "Images are not scanned for known vulnerabilities when pushed." },
  { id: "ECR-KMS", checkovId: "CKV_AWS_136", severity: "medium", rule: ecrKms, explanation: "Images are not encrypted with KMS." },
  {
    id: "LOGS-KMS",
    checkovId: "CKV_AWS_158",
    severity: "medium",
    rule: logGroupKms,
    explanation: "The log group is not encrypted with a customer-managed key: log readers need no key grant.",
  },
  { id: "LOGS-RETENTION", checkovId: "CKV_AWS_66", severity: "low", rule: logGroupRetention, explanation: "The log group keeps logs forever: unbounded cost and exposure." },
  // Network
  {
    id: "VPC-FLOW-LOGS",
    checkovId: "CKV2_AWS_11",
    severity: "medium",
    rule: vpcFlowLogs,
    explanation: "The VPC has no flow log: network traffic cannot be investigated after an incident.",
  },
  {
    id: "VPC-DEFAULT-SG-CLOSED",
    checkovId: "CKV2_AWS_12",
    severity: "medium",
    rule: vpcDefaultSecurityGroupClosed,
    explanation: "The VPC's default security group is not adopted and emptied: resources launched without a group get AWS's allow-all-within-group default.",
  },
  { id: "SUBNET-NO-PUBLIC-IP", checkovId: "CKV_AWS_130", severity: "low", rule: subnetNoPublicIp, explanation: "The subnet gives every instance a public IP address by default." },
  {
    id: "SG-ADMIN-PORTS-OPEN",
    checkovId: "CKV_AWS_24/CKV_AWS_25",
    severity: "high",
    rule: securityGroupAdminPorts,
    explanation: "SSH (22) or RDP (3389) is open to the internet.",
  },
  { id: "SG-ALL-PORTS-OPEN", checkovId: "CKV_AWS_277", severity: "high", rule: securityGroupAllPorts, explanation: "Every port is open to the internet." },
  {
    id: "SG-HTTP-OPEN",
    checkovId: "CKV_AWS_260",
    severity: "medium",
    rule: securityGroupHttp,
    explanation: "Plain HTTP (80) is open to the internet: traffic can be read or altered in transit.",
  },
];

const byId = new Map(POLICY_PACK.map((r) => [r.id, r]));

/** The pack entry of a rule ID, if it exists. */
export function packRule(id: string): PackRule | undefined {
  return byId.get(id);
}
