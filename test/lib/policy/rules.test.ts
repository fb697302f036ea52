import { POLICY_PACK, RuleResult, packRule } from "../../../lib/policy";
import { bucketWith, policy, ref, resourceIn, tf } from "./fixtures";

/**
 * Every rule of the pack against small Terraform JSON fixtures: at least one compliant
 * and one non-compliant case each (the last test enforces it), plus the not-applicable
 * and edge cases that matter (provider defaults, Deny statements, key policies, jsonencode).
 */
interface Case {
  readonly rule: string;
  readonly title: string;
  readonly json: Record<string, any>;
  readonly address: string;
  readonly expected: RuleResult;
}

const eks = (config: object) => tf({ aws_eks_cluster: { c: { name: "c", role_arn: "arn", vpc_config: { subnet_ids: ["s"] }, ...config } } });
const lt = (config: object) => tf({ aws_launch_template: { t: config } });
const db = (config: object) => tf({ aws_db_instance: { d: { engine: "postgres", instance_class: "db.t4g.medium", ...config } } });
const ddb = (config: object) => tf({ aws_dynamodb_table: { t: { name: "t", hash_key: "k", ...config } } });
const redis = (config: object) => tf({ aws_elasticache_replication_group: { r: { description: "r", ...config } } });
const ecr = (config: object) => tf({ aws_ecr_repository: { r: { name: "r", ...config } } });
const logs = (config: object) => tf({ aws_cloudwatch_log_group: { l: { name: "l", ...config } } });
const rolePolicy = (doc: string) => tf({ aws_iam_role_policy: { p: { role: "r", policy: doc } } });
const sg = (ingress: object) => tf({ aws_security_group: { g: { name: "g", ingress: [ingress] } } });
const allow = (Action: unknown, Resource: unknown, extra: object = {}) => ({ Effect: "Allow", Action, Resource, ...extra });
const world = { cidr_blocks: ["0.0.0.0/0"] };
const ENCRYPTION = { rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms", kms_master_key_id: "arn:key" } }] };

const CASES: Case[] = [
  // EKS
  {
    rule: "EKS-SECRETS-KMS",
    title: "secrets encrypted with a key",
    address: "aws_eks_cluster.c",
    expected: "compliant",
    json: eks({ encryption_config: { resources: ["secrets"], provider: { key_arn: ref("aws_kms_key.k", "arn") } } }),
  },
  { rule: "EKS-SECRETS-KMS", title: "no encryption_config", address: "aws_eks_cluster.c", expected: "non-compliant", json: eks({}) },
  {
    rule: "EKS-CONTROL-PLANE-LOGS",
    title: "all five log types",
    address: "aws_eks_cluster.c",
    expected: "compliant",
    json: eks({ enabled_cluster_log_types: ["api", "audit", "authenticator", "controllerManager", "scheduler"] }),
  },
  { rule: "EKS-CONTROL-PLANE-LOGS", title: "audit only", address: "aws_eks_cluster.c", expected: "non-compliant", json: eks({ enabled_cluster_log_types: ["audit"] }) },
  {
    rule: "EKS-ENDPOINT-OPEN",
    title: "private endpoint only",
    address: "aws_eks_cluster.c",
    expected: "compliant",
    json: eks({ vpc_config: { subnet_ids: ["s"], endpoint_public_access: false, endpoint_private_access: true } }),
  },
  {
    rule: "EKS-ENDPOINT-OPEN",
    title: "public endpoint limited to an office range",
    address: "aws_eks_cluster.c",
    expected: "compliant",
    json: eks({ vpc_config: { subnet_ids: ["s"], endpoint_public_access: true, public_access_cidrs: ["203.0.113.0/24"] } }),
  },
  { rule: "EKS-ENDPOINT-OPEN", title: "public by the provider's default (0.0.0.0/0)", address: "aws_eks_cluster.c", expected: "non-compliant", json: eks({}) },
  {
    rule: "EKS-ENDPOINT-OPEN",
    title: "public to 0.0.0.0/0 explicitly",
    address: "aws_eks_cluster.c",
    expected: "non-compliant",
    json: eks({ vpc_config: { subnet_ids: ["s"], endpoint_public_access: true, public_access_cidrs: ["0.0.0.0/0"] } }),
  },
  {
    rule: "EKS-PUBLIC-ENDPOINT",
    title: "public endpoint off",
    address: "aws_eks_cluster.c",
    expected: "compliant",
    json: eks({ vpc_config: { subnet_ids: ["s"], endpoint_public_access: false } }),
  },
  { rule: "EKS-PUBLIC-ENDPOINT", title: "public endpoint left at the default", address: "aws_eks_cluster.c", expected: "non-compliant", json: eks({}) },
  // Instance metadata and volumes
  { rule: "EC2-IMDSV2", title: "tokens required", address: "aws_launch_template.t", expected: "compliant", json: lt({ metadata_options: { http_tokens: "required" } }) },
  { rule: "EC2-IMDSV2", title: "tokens optional", address: "aws_launch_template.t", expected: "non-compliant", json: lt({ metadata_options: { http_tokens: "optional" } }) },
  { rule: "EC2-IMDSV2", title: "an instance without metadata options", address: "aws_instance.i", expected: "non-compliant", json: tf({ aws_instance: { i: { ami: "ami-1" } } }) },
  {
    rule: "EKS-NODEGROUP-IMDSV2",
    title: "node group with a template requiring IMDSv2",
    address: "aws_eks_node_group.n",
    expected: "compliant",
    json: tf({
      aws_launch_template: { t: { metadata_options: { http_tokens: "required" } } },
      aws_eks_node_group: { n: { launch_template: { id: ref("aws_launch_template.t"), version: ref("aws_launch_template.t", "latest_version") } } },
    }),
  },
  {
    rule: "EKS-NODEGROUP-IMDSV2",
    title: "node group with a template allowing IMDSv1",
    address: "aws_eks_node_group.n",
    expected: "non-compliant",
    json: tf({ aws_launch_template: { t: {} }, aws_eks_node_group: { n: { launch_template: { id: ref("aws_launch_template.t"), version: "1" } } } }),
  },
  {
    rule: "EKS-NODEGROUP-IMDSV2",
    title: "node group without a launch template",
    address: "aws_eks_node_group.n",
    expected: "non-compliant",
    json: tf({ aws_eks_node_group: { n: { cluster_name: "c" } } }),
  },
  {
    rule: "EKS-NODEGROUP-IMDSV2",
    title: "template outside the stack cannot be judged",
    address: "aws_eks_node_group.n",
    expected: "not-applicable",
    json: tf({ aws_eks_node_group: { n: { launch_template: { id: "lt-0123456789", version: "1" } } } }),
  },
  {
    rule: "EC2-IMDS-HOP-LIMIT",
    title: "hop limit 1",
    address: "aws_launch_template.t",
    expected: "compliant",
    json: lt({ metadata_options: { http_tokens: "required", http_put_response_hop_limit: 1 } }),
  },
  {
    rule: "EC2-IMDS-HOP-LIMIT",
    title: "hop limit 2",
    address: "aws_launch_template.t",
    expected: "non-compliant",
    json: lt({ metadata_options: { http_tokens: "required", http_put_response_hop_limit: 2 } }),
  },
  {
    rule: "EBS-ENCRYPTED",
    title: "encrypted launch-template volume",
    address: "aws_launch_template.t",
    expected: "compliant",
    json: lt({ block_device_mappings: [{ device_name: "/dev/xvda", ebs: { encrypted: "true", volume_size: 100 } }] }),
  },
  {
    rule: "EBS-ENCRYPTED",
    title: "unencrypted launch-template volume",
    address: "aws_launch_template.t",
    expected: "non-compliant",
    json: lt({ block_device_mappings: [{ device_name: "/dev/xvda", ebs: { volume_size: 100 } }] }),
  },
  {
    rule: "EBS-ENCRYPTED",
    title: "unencrypted EBS volume",
    address: "aws_ebs_volume.v",
    expected: "non-compliant",
    json: tf({ aws_ebs_volume: { v: { availability_zone: "us-east-1a", size: 10 } } }),
  },
  {
    rule: "EBS-ENCRYPTED",
    title: "encrypted EBS volume",
    address: "aws_ebs_volume.v",
    expected: "compliant",
    json: tf({ aws_ebs_volume: { v: { availability_zone: "us-east-1a", size: 10, encrypted: true } } }),
  },
  // S3: the bucket's separate configuration resources are found by reference or by literal name
  {
    rule: "S3-ENCRYPTION",
    title: "encryption resource referencing the bucket",
    address: "aws_s3_bucket.b",
    expected: "compliant",
    json: bucketWith({ aws_s3_bucket_server_side_encryption_configuration: ENCRYPTION }),
  },
  { rule: "S3-ENCRYPTION", title: "no encryption resource", address: "aws_s3_bucket.b", expected: "non-compliant", json: bucketWith({}) },
  { rule: "S3-KMS", title: "aws:kms", address: "aws_s3_bucket.b", expected: "compliant", json: bucketWith({ aws_s3_bucket_server_side_encryption_configuration: ENCRYPTION }) },
  {
    rule: "S3-KMS",
    title: "AES256 only",
    address: "aws_s3_bucket.b",
    expected: "non-compliant",
    json: bucketWith({ aws_s3_bucket_server_side_encryption_configuration: { rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: "AES256" } }] } }),
  },
  {
    rule: "S3-KMS",
    title: "encryption of another bucket does not count",
    address: "aws_s3_bucket.b",
    expected: "non-compliant",
    json: tf({
      aws_s3_bucket: { b: { bucket: "data" }, other: { bucket: "other" } },
      aws_s3_bucket_server_side_encryption_configuration: { e: { bucket: ref("aws_s3_bucket.other"), ...ENCRYPTION } },
    }),
  },
  {
    rule: "S3-KMS",
    title: "plain Terraform naming the bucket literally",
    address: "aws_s3_bucket.b",
    expected: "compliant",
    json: tf({ aws_s3_bucket: { b: { bucket: "data" } }, aws_s3_bucket_server_side_encryption_configuration: { e: { bucket: "data", ...ENCRYPTION } } }),
  },
  {
    rule: "S3-VERSIONING",
    title: "versioning enabled",
    address: "aws_s3_bucket.b",
    expected: "compliant",
    json: bucketWith({ aws_s3_bucket_versioning: { versioning_configuration: { status: "Enabled" } } }),
  },
  {
    rule: "S3-VERSIONING",
    title: "versioning suspended",
    address: "aws_s3_bucket.b",
    expected: "non-compliant",
    json: bucketWith({ aws_s3_bucket_versioning: { versioning_configuration: { status: "Suspended" } } }),
  },
  {
    rule: "S3-PUBLIC-ACCESS-BLOCK",
    title: "all four settings",
    address: "aws_s3_bucket.b",
    expected: "compliant",
    json: bucketWith({ aws_s3_bucket_public_access_block: { block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true } }),
  },
  {
    rule: "S3-PUBLIC-ACCESS-BLOCK",
    title: "one setting off",
    address: "aws_s3_bucket.b",
    expected: "non-compliant",
    json: bucketWith({ aws_s3_bucket_public_access_block: { block_public_acls: true, block_public_policy: false, ignore_public_acls: true, restrict_public_buckets: true } }),
  },
  {
    rule: "S3-LIFECYCLE",
    title: "enabled lifecycle rule",
    address: "aws_s3_bucket.b",
    expected: "compliant",
    json: bucketWith({ aws_s3_bucket_lifecycle_configuration: { rule: [{ id: "x", status: "Enabled" }] } }),
  },
  { rule: "S3-LIFECYCLE", title: "no lifecycle", address: "aws_s3_bucket.b", expected: "non-compliant", json: bucketWith({}) },
  // Databases
  { rule: "RDS-ENCRYPTED", title: "storage encrypted", address: "aws_db_instance.d", expected: "compliant", json: db({ storage_encrypted: true }) },
  { rule: "RDS-ENCRYPTED", title: "storage not encrypted", address: "aws_db_instance.d", expected: "non-compliant", json: db({}) },
  { rule: "RDS-NOT-PUBLIC", title: "private", address: "aws_db_instance.d", expected: "compliant", json: db({ publicly_accessible: false }) },
  { rule: "RDS-NOT-PUBLIC", title: "publicly accessible", address: "aws_db_instance.d", expected: "non-compliant", json: db({ publicly_accessible: true }) },
  { rule: "RDS-MULTI-AZ", title: "multi-AZ", address: "aws_db_instance.d", expected: "compliant", json: db({ multi_az: true }) },
  { rule: "RDS-MULTI-AZ", title: "single zone", address: "aws_db_instance.d", expected: "non-compliant", json: db({ multi_az: false }) },
  { rule: "RDS-DELETION-PROTECTION", title: "protected", address: "aws_db_instance.d", expected: "compliant", json: db({ deletion_protection: true }) },
  { rule: "RDS-DELETION-PROTECTION", title: "unprotected", address: "aws_db_instance.d", expected: "non-compliant", json: db({}) },
  { rule: "RDS-ENHANCED-MONITORING", title: "every 60 s", address: "aws_db_instance.d", expected: "compliant", json: db({ monitoring_interval: 60 }) },
  { rule: "RDS-ENHANCED-MONITORING", title: "off", address: "aws_db_instance.d", expected: "non-compliant", json: db({ monitoring_interval: 0 }) },
  {
    rule: "RDS-LOG-EXPORTS",
    title: "postgresql logs exported",
    address: "aws_db_instance.d",
    expected: "compliant",
    json: db({ enabled_cloudwatch_logs_exports: ["postgresql", "upgrade"] }),
  },
  { rule: "RDS-LOG-EXPORTS", title: "no exports", address: "aws_db_instance.d", expected: "non-compliant", json: db({}) },
  { rule: "RDS-MINOR-UPGRADES", title: "left at the provider default (on)", address: "aws_db_instance.d", expected: "compliant", json: db({}) },
  { rule: "RDS-MINOR-UPGRADES", title: "turned off", address: "aws_db_instance.d", expected: "non-compliant", json: db({ auto_minor_version_upgrade: false }) },
  { rule: "RDS-IAM-AUTH", title: "IAM auth on", address: "aws_db_instance.d", expected: "compliant", json: db({ iam_database_authentication_enabled: true }) },
  { rule: "RDS-IAM-AUTH", title: "IAM auth off", address: "aws_db_instance.d", expected: "non-compliant", json: db({}) },
  { rule: "RDS-BACKUPS", title: "7 days", address: "aws_db_instance.d", expected: "compliant", json: db({ backup_retention_period: 7 }) },
  { rule: "RDS-BACKUPS", title: "0 days", address: "aws_db_instance.d", expected: "non-compliant", json: db({ backup_retention_period: 0 }) },
  { rule: "DYNAMODB-PITR", title: "PITR on", address: "aws_dynamodb_table.t", expected: "compliant", json: ddb({ point_in_time_recovery: { enabled: true } }) },
  { rule: "DYNAMODB-PITR", title: "PITR off", address: "aws_dynamodb_table.t", expected: "non-compliant", json: ddb({}) },
  {
    rule: "DYNAMODB-KMS",
    title: "customer-managed key",
    address: "aws_dynamodb_table.t",
    expected: "compliant",
    json: ddb({ server_side_encryption: { enabled: true, kms_key_arn: ref("aws_kms_key.k", "arn") } }),
  },
  { rule: "DYNAMODB-KMS", title: "AWS-managed key", address: "aws_dynamodb_table.t", expected: "non-compliant", json: ddb({ server_side_encryption: { enabled: true } }) },
  { rule: "ELASTICACHE-AT-REST", title: "at rest on", address: "aws_elasticache_replication_group.r", expected: "compliant", json: redis({ at_rest_encryption_enabled: true }) },
  { rule: "ELASTICACHE-AT-REST", title: "at rest off", address: "aws_elasticache_replication_group.r", expected: "non-compliant", json: redis({}) },
  { rule: "ELASTICACHE-IN-TRANSIT", title: "TLS on", address: "aws_elasticache_replication_group.r", expected: "compliant", json: redis({ transit_encryption_enabled: true }) },
  { rule: "ELASTICACHE-IN-TRANSIT", title: "TLS off", address: "aws_elasticache_replication_group.r", expected: "non-compliant", json: redis({}) },
  {
    rule: "ELASTICACHE-AUTH",
    title: "TLS and an RBAC user group",
    address: "aws_elasticache_replication_group.r",
    expected: "compliant",
    json: redis({ transit_encryption_enabled: true, user_group_ids: [ref("aws_elasticache_user_group.g")] }),
  },
  {
    rule: "ELASTICACHE-AUTH",
    title: "TLS without authentication",
    address: "aws_elasticache_replication_group.r",
    expected: "non-compliant",
    json: redis({ transit_encryption_enabled: true }),
  },
  {
    rule: "ELASTICACHE-KMS",
    title: "customer-managed key",
    address: "aws_elasticache_replication_group.r",
    expected: "compliant",
    json: redis({ kms_key_id: ref("aws_kms_key.k", "arn") }),
  },
  { rule: "ELASTICACHE-KMS", title: "no key", address: "aws_elasticache_replication_group.r", expected: "non-compliant", json: redis({}) },
  // Keys and identities
  { rule: "KMS-ROTATION", title: "rotation on", address: "aws_kms_key.k", expected: "compliant", json: tf({ aws_kms_key: { k: { enable_key_rotation: true } } }) },
  { rule: "KMS-ROTATION", title: "rotation off", address: "aws_kms_key.k", expected: "non-compliant", json: tf({ aws_kms_key: { k: {} } }) },
  {
    rule: "KMS-ROTATION",
    title: "asymmetric keys cannot rotate",
    address: "aws_kms_key.k",
    expected: "not-applicable",
    json: tf({ aws_kms_key: { k: { customer_master_key_spec: "RSA_2048", key_usage: "SIGN_VERIFY" } } }),
  },
  {
    rule: "KMS-WILDCARD-PRINCIPAL",
    title: 'account root with "*" resource (this key) is fine',
    address: "aws_kms_key.k",
    expected: "compliant",
    json: tf({ aws_kms_key: { k: { policy: policy({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "kms:*", Resource: "*" }) } } }),
  },
  {
    rule: "KMS-WILDCARD-PRINCIPAL",
    title: "any principal, no condition",
    address: "aws_kms_key.k",
    expected: "non-compliant",
    json: tf({ aws_kms_key: { k: { policy: policy({ Effect: "Allow", Principal: "*", Action: "kms:Decrypt", Resource: "*" }) } } }),
  },
  {
    rule: "KMS-WILDCARD-PRINCIPAL",
    title: "key policy from an aws_iam_policy_document data source",
    address: "aws_kms_key.k",
    expected: "non-compliant",
    json: tf(
      { aws_kms_key: { k: { policy: "${data.aws_iam_policy_document.p.json}" } } },
      { aws_iam_policy_document: { p: { statement: [{ actions: ["kms:*"], resources: ["*"], principals: [{ type: "AWS", identifiers: ["*"] }] }] } } },
    ),
  },
  {
    rule: "IAM-FULL-ADMIN",
    title: "scoped statement",
    address: "aws_iam_role_policy.p",
    expected: "compliant",
    json: rolePolicy(policy(allow(["s3:GetObject"], ["arn:aws:s3:::data/*"]))),
  },
  { rule: "IAM-FULL-ADMIN", title: "* on *", address: "aws_iam_role_policy.p", expected: "non-compliant", json: rolePolicy(policy(allow("*", "*"))) },
  {
    rule: "IAM-FULL-ADMIN",
    title: "deny-all placeholder of an empty IRSA role",
    address: "aws_iam_role_policy.p",
    expected: "compliant",
    json: rolePolicy(policy({ Sid: "NoPermissionsYet", Effect: "Deny", Action: ["*"], Resource: ["*"] })),
  },
  {
    rule: "IAM-FULL-ADMIN",
    title: "jsonencode(...) cannot be read without Terraform",
    address: "aws_iam_role_policy.p",
    expected: "not-applicable",
    json: rolePolicy('${jsonencode({"Statement" = [{"Action" = "*", "Effect" = "Allow", "Resource" = "*"}]})}'),
  },
  {
    rule: "IAM-WILDCARD-ACTION",
    title: "named actions",
    address: "aws_iam_role_policy.p",
    expected: "compliant",
    json: rolePolicy(policy(allow(["s3:GetObject"], ref("aws_s3_bucket.b", "arn")))),
  },
  {
    rule: "IAM-WILDCARD-ACTION",
    title: '"*" action on one bucket',
    address: "aws_iam_role_policy.p",
    expected: "non-compliant",
    json: rolePolicy(policy(allow("*", ref("aws_s3_bucket.b", "arn")))),
  },
  {
    rule: "IAM-WILDCARD-ACTION",
    title: "Allow with NotAction",
    address: "aws_iam_policy.p",
    expected: "non-compliant",
    json: tf({ aws_iam_policy: { p: { policy: policy({ Effect: "Allow", NotAction: "iam:*", Resource: "*" }) } } }),
  },
  {
    rule: "IAM-WILDCARD-ACTION",
    title: "deny-all placeholder",
    address: "aws_iam_role_policy.p",
    expected: "compliant",
    json: rolePolicy(policy({ Effect: "Deny", Action: ["*"], Resource: ["*"] })),
  },
  {
    rule: "IAM-WILDCARD-RESOURCE",
    title: "exact ARNs with interpolations",
    address: "aws_iam_role_policy.p",
    expected: "compliant",
    json: rolePolicy(policy(allow(["s3:GetObject"], [`${ref("aws_s3_bucket.b", "arn")}/*`]))),
  },
  {
    rule: "IAM-WILDCARD-RESOURCE",
    title: 'actions AWS cannot scope, on "*"',
    address: "aws_iam_role_policy.p",
    expected: "compliant",
    json: rolePolicy(policy(allow(["ec2:DescribeInstances", "ecr:GetAuthorizationToken"], "*"))),
  },
  {
    rule: "IAM-WILDCARD-RESOURCE",
    title: 'cluster-autoscaler\'s describe calls on "*"',
    address: "aws_iam_role_policy.p",
    expected: "compliant",
    json: rolePolicy(policy(allow(["autoscaling:DescribeAutoScalingGroups", "ec2:DescribeLaunchTemplateVersions", "ec2:GetInstanceTypesFromInstanceRequirements"], ["*"]))),
  },
  {
    rule: "IAM-WILDCARD-RESOURCE",
    title: 's3:GetObject on "*"',
    address: "aws_iam_role_policy.p",
    expected: "non-compliant",
    json: rolePolicy(policy(allow(["s3:GetObject"], "*"))),
  },
  {
    rule: "IAM-WILDCARD-RESOURCE",
    title: "statement from a policy document data source",
    address: "aws_iam_policy.p",
    expected: "non-compliant",
    json: tf(
      { aws_iam_policy: { p: { policy: "${data.aws_iam_policy_document.d.json}" } } },
      { aws_iam_policy_document: { d: { statement: [{ actions: ["dynamodb:GetItem"], resources: ["*"] }] } } },
    ),
  },
  {
    rule: "IAM-ADMINISTRATOR-ACCESS",
    title: "a scoped managed policy",
    address: "aws_iam_role_policy_attachment.a",
    expected: "compliant",
    json: tf({ aws_iam_role_policy_attachment: { a: { role: "r", policy_arn: "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy" } } }),
  },
  {
    rule: "IAM-ADMINISTRATOR-ACCESS",
    title: "AdministratorAccess attached",
    address: "aws_iam_role_policy_attachment.a",
    expected: "non-compliant",
    json: tf({ aws_iam_role_policy_attachment: { a: { role: "r", policy_arn: "arn:aws:iam::aws:policy/AdministratorAccess" } } }),
  },
  {
    rule: "IAM-ADMINISTRATOR-ACCESS",
    title: "AdministratorAccess in a role's managed_policy_arns",
    address: "aws_iam_role.r",
    expected: "non-compliant",
    json: tf({ aws_iam_role: { r: { managed_policy_arns: ["arn:aws:iam::aws:policy/AdministratorAccess"] } } }),
  },
  {
    rule: "IAM-TRUST-ANY-PRINCIPAL",
    title: "a service principal",
    address: "aws_iam_role.r",
    expected: "compliant",
    json: tf({ aws_iam_role: { r: { assume_role_policy: policy({ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }) } } }),
  },
  {
    rule: "IAM-TRUST-ANY-PRINCIPAL",
    title: "anyone",
    address: "aws_iam_role.r",
    expected: "non-compliant",
    json: tf({ aws_iam_role: { r: { assume_role_policy: policy({ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }) } } }),
  },
  {
    rule: "SECRETS-KMS",
    title: "customer-managed key",
    address: "aws_secretsmanager_secret.s",
    expected: "compliant",
    json: tf({ aws_secretsmanager_secret: { s: { name: "s", kms_key_id: ref("aws_kms_key.k", "arn") } } }),
  },
  {
    rule: "SECRETS-KMS",
    title: "AWS-managed key",
    address: "aws_secretsmanager_secret.s",
    expected: "non-compliant",
    json: tf({ aws_secretsmanager_secret: { s: { name: "s" } } }),
  },
  {
    rule: "SECRETS-ROTATION",
    title: "rotated by Secrets Manager",
    address: "aws_secretsmanager_secret.s",
    expected: "compliant",
    json: tf({
      aws_secretsmanager_secret: { s: { name: "s" } },
      aws_secretsmanager_secret_rotation: { r: { secret_id: ref("aws_secretsmanager_secret.s", "id"), rotation_lambda_arn: "arn" } },
    }),
  },
  {
    rule: "SECRETS-ROTATION",
    title: "rotated by a platform job",
    address: "aws_secretsmanager_secret.s",
    expected: "compliant",
    json: tf({ aws_secretsmanager_secret: { s: { name: "s", tags: { "ml-platform/rotation": "in-cluster" } } } }),
  },
  {
    rule: "SECRETS-ROTATION",
    title: "set by an operator within a declared max age",
    address: "aws_secretsmanager_secret.s",
    expected: "compliant",
    json: tf({ aws_secretsmanager_secret: { s: { name: "s", tags: { "ml-platform/rotation": "operator", "ml-platform/max-age-days": "90" } } } }),
  },
  {
    rule: "SECRETS-ROTATION",
    title: "nothing declared",
    address: "aws_secretsmanager_secret.s",
    expected: "non-compliant",
    json: tf({ aws_secretsmanager_secret: { s: { name: "s" } } }),
  },
  {
    rule: "SECRETS-ROTATION",
    title: "operator-set without a max age",
    address: "aws_secretsmanager_secret.s",
    expected: "non-compliant",
    json: tf({ aws_secretsmanager_secret: { s: { name: "s", tags: { "ml-platform/rotation": "operator" } } } }),
  },
  {
    rule: "SECRETS-ROTATION",
    title: "operator-set, max age over a year",
    address: "aws_secretsmanager_secret.s",
    expected: "non-compliant",
    json: tf({ aws_secretsmanager_secret: { s: { name: "s", tags: { "ml-platform/rotation": "operator", "ml-platform/max-age-days": "400" } } } }),
  },
  {
    rule: "SECRETS-ROTATION",
    title: "a rotation of another secret",
    address: "aws_secretsmanager_secret.s",
    expected: "non-compliant",
    json: tf({
      aws_secretsmanager_secret: { s: { name: "s" }, t: { name: "t" } },
      aws_secretsmanager_secret_rotation: { r: { secret_id: ref("aws_secretsmanager_secret.t", "id") } },
    }),
  },
  // Images and logs
  { rule: "ECR-IMMUTABLE-TAGS", title: "immutable", address: "aws_ecr_repository.r", expected: "compliant", json: ecr({ image_tag_mutability: "IMMUTABLE" }) },
  { rule: "ECR-IMMUTABLE-TAGS", title: "mutable by default", address: "aws_ecr_repository.r", expected: "non-compliant", json: ecr({}) },
  { rule: "ECR-SCAN-ON-PUSH", title: "scan on push", address: "aws_ecr_repository.r", expected: "compliant", json: ecr({ image_scanning_configuration: { scan_on_push: true } }) },
  { rule: "ECR-SCAN-ON-PUSH", title: "no scanning", address: "aws_ecr_repository.r", expected: "non-compliant", json: ecr({}) },
  {
    rule: "ECR-KMS",
    title: "KMS",
    address: "aws_ecr_repository.r",
    expected: "compliant",
    json: ecr({ encryption_configuration: [{ encryption_type: "KMS", kms_key: ref("aws_kms_key.k", "arn") }] }),
  },
  { rule: "ECR-KMS", title: "AES256", address: "aws_ecr_repository.r", expected: "non-compliant", json: ecr({ encryption_configuration: [{ encryption_type: "AES256" }] }) },
  { rule: "LOGS-KMS", title: "encrypted", address: "aws_cloudwatch_log_group.l", expected: "compliant", json: logs({ kms_key_id: ref("aws_kms_key.k", "arn") }) },
  { rule: "LOGS-KMS", title: "not encrypted", address: "aws_cloudwatch_log_group.l", expected: "non-compliant", json: logs({}) },
  { rule: "LOGS-RETENTION", title: "30 days", address: "aws_cloudwatch_log_group.l", expected: "compliant", json: logs({ retention_in_days: 30 }) },
  { rule: "LOGS-RETENTION", title: "never expire", address: "aws_cloudwatch_log_group.l", expected: "non-compliant", json: logs({}) },
  // Network
  {
    rule: "VPC-FLOW-LOGS",
    title: "flow log on the VPC",
    address: "aws_vpc.v",
    expected: "compliant",
    json: tf({ aws_vpc: { v: { cidr_block: "10.0.0.0/16" } }, aws_flow_log: { f: { vpc_id: ref("aws_vpc.v"), traffic_type: "ALL" } } }),
  },
  {
    rule: "VPC-FLOW-LOGS",
    title: "flow log referencing the VPC inside a function call",
    address: "aws_vpc.v",
    expected: "compliant",
    json: tf({ aws_vpc: { v: { cidr_block: "10.0.0.0/16" } }, aws_flow_log: { f: { vpc_id: '${coalesce(aws_vpc.v.id, "x")}', traffic_type: "ALL" } } }),
  },
  {
    rule: "VPC-FLOW-LOGS",
    title: "flow log of another VPC",
    address: "aws_vpc.v",
    expected: "non-compliant",
    json: tf({ aws_vpc: { v: { cidr_block: "10.0.0.0/16" }, v2: { cidr_block: "10.1.0.0/16" } }, aws_flow_log: { f: { vpc_id: ref("aws_vpc.v2") } } }),
  },
  { rule: "VPC-FLOW-LOGS", title: "no flow log", address: "aws_vpc.v", expected: "non-compliant", json: tf({ aws_vpc: { v: { cidr_block: "10.0.0.0/16" } } }) },
  {
    rule: "VPC-DEFAULT-SG-CLOSED",
    title: "default group adopted without rules",
    address: "aws_vpc.v",
    expected: "compliant",
    json: tf({ aws_vpc: { v: { cidr_block: "10.0.0.0/16" } }, aws_default_security_group: { d: { vpc_id: ref("aws_vpc.v") } } }),
  },
  {
    rule: "VPC-DEFAULT-SG-CLOSED",
    title: "default group with an ingress rule",
    address: "aws_vpc.v",
    expected: "non-compliant",
    json: tf({
      aws_vpc: { v: { cidr_block: "10.0.0.0/16" } },
      aws_default_security_group: { d: { vpc_id: ref("aws_vpc.v"), ingress: [{ protocol: "-1", from_port: 0, to_port: 0, self: true }] } },
    }),
  },
  {
    rule: "VPC-DEFAULT-SG-CLOSED",
    title: "default group not managed",
    address: "aws_vpc.v",
    expected: "non-compliant",
    json: tf({ aws_vpc: { v: { cidr_block: "10.0.0.0/16" } } }),
  },
  { rule: "SUBNET-NO-PUBLIC-IP", title: "no public IPs", address: "aws_subnet.s", expected: "compliant", json: tf({ aws_subnet: { s: { map_public_ip_on_launch: false } } }) },
  {
    rule: "SUBNET-NO-PUBLIC-IP",
    title: "public IPs on launch",
    address: "aws_subnet.s",
    expected: "non-compliant",
    json: tf({ aws_subnet: { s: { map_public_ip_on_launch: true } } }),
  },
  {
    rule: "SG-ADMIN-PORTS-OPEN",
    title: "SSH from the VPC",
    address: "aws_security_group.g",
    expected: "compliant",
    json: sg({ protocol: "tcp", from_port: 22, to_port: 22, cidr_blocks: ["10.0.0.0/16"] }),
  },
  {
    rule: "SG-ADMIN-PORTS-OPEN",
    title: "SSH from anywhere",
    address: "aws_security_group.g",
    expected: "non-compliant",
    json: sg({ protocol: "tcp", from_port: 22, to_port: 22, ...world }),
  },
  {
    rule: "SG-ADMIN-PORTS-OPEN",
    title: "RDP in a range, from anywhere (separate ingress rule resource)",
    address: "aws_vpc_security_group_ingress_rule.r",
    expected: "non-compliant",
    json: tf({ aws_vpc_security_group_ingress_rule: { r: { ip_protocol: "tcp", from_port: 3000, to_port: 4000, cidr_ipv4: "0.0.0.0/0" } } }),
  },
  {
    rule: "SG-ALL-PORTS-OPEN",
    title: "443 from anywhere",
    address: "aws_security_group.g",
    expected: "compliant",
    json: sg({ protocol: "tcp", from_port: 443, to_port: 443, ...world }),
  },
  {
    rule: "SG-ALL-PORTS-OPEN",
    title: "all protocols from anywhere (IPv6)",
    address: "aws_security_group_rule.r",
    expected: "non-compliant",
    json: tf({ aws_security_group_rule: { r: { type: "ingress", protocol: "-1", from_port: 0, to_port: 0, ipv6_cidr_blocks: ["::/0"] } } }),
  },
  {
    rule: "SG-ALL-PORTS-OPEN",
    title: "egress rules are not ingress",
    address: "aws_security_group_rule.r",
    expected: "not-applicable",
    json: tf({ aws_security_group_rule: { r: { type: "egress", protocol: "-1", from_port: 0, to_port: 0, ...world } } }),
  },
  { rule: "SG-HTTP-OPEN", title: "HTTPS only", address: "aws_security_group.g", expected: "compliant", json: sg({ protocol: "tcp", from_port: 443, to_port: 443, ...world }) },
  {
    rule: "SG-HTTP-OPEN",
    title: "HTTP from anywhere",
    address: "aws_security_group.g",
    expected: "non-compliant",
    json: sg({ protocol: "tcp", from_port: 80, to_port: 80, ...world }),
  },
];

describe("policy rules on Terraform JSON fixtures", () => {
  test.each(CASES.map((c) => [c.rule, c.title, c] as const))("%s: %s", (_id, _title, c) => {
    // GIVEN a fixture stack  WHEN the rule judges the resource
    const { resource, stack } = resourceIn(c.json, c.address);
    // THEN the verdict is the expected one
    expect(packRule(c.rule)!.rule(resource, stack)).toBe(c.expected);
  });

  test("every rule of the pack has a compliant and a non-compliant fixture", () => {
    const missing = POLICY_PACK.flatMap((r) =>
      (["compliant", "non-compliant"] as const).filter((v) => !CASES.some((c) => c.rule === r.id && c.expected === v)).map((v) => `${r.id} has no ${v} case`),
    );
    expect(missing).toEqual([]);
  });

  test("every case names a rule of the pack", () => {
    expect(CASES.filter((c) => !packRule(c.rule)).map((c) => c.rule)).toEqual([]);
  });

  test("rules say not-applicable for resource types they do not judge", () => {
    const { resource, stack } = resourceIn(tf({ aws_route_table: { r: { vpc_id: "vpc-1" } } }), "aws_route_table.r");
    expect(POLICY_PACK.filter((r) => r.rule(resource, stack) !== "not-applicable").map((r) => r.id)).toEqual([]);
  });
});

describe("the pack", () => {
  test("has at least 25 rules with unique IDs, a checkov ID and a one-line explanation each", () => {
    expect(POLICY_PACK.length).toBeGreaterThanOrEqual(25);
    expect(new Set(POLICY_PACK.map((r) => r.id)).size).toBe(POLICY_PACK.length);
    for (const r of POLICY_PACK) {
      expect(r.checkovId).toMatch(/^CKV2?_AWS_\d+(\/CKV2?_AWS_\d+)*$/);
      expect(r.explanation).not.toMatch(/\n/);
    }
  });

  test("covers the checkov checks security teams asked for", () => {
    const ids = new Set(POLICY_PACK.flatMap((r) => r.checkovId.split("/")));
    const asked = [
      "CKV_AWS_58",
      "CKV_AWS_37",
      "CKV_AWS_39",
      "CKV_AWS_38",
      "CKV_AWS_79",
      "CKV_AWS_19",
      "CKV_AWS_145",
      "CKV_AWS_21",
      "CKV2_AWS_6",
      "CKV_AWS_16",
      "CKV_AWS_17",
      "CKV_AWS_157",
      "CKV_AWS_293",
      "CKV_AWS_7",
      "CKV_AWS_51",
      "CKV_AWS_163",
      "CKV_AWS_136",
      "CKV_AWS_1",
      "CKV_AWS_63",
      "CKV_AWS_355",
      "CKV_AWS_29",
      "CKV_AWS_30",
      "CKV_AWS_31",
    ];
    expect(asked.filter((id) => !ids.has(id))).toEqual([]);
  });
});
