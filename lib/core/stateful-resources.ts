/**
 * The one catalog of Terraform resource types that hold state a team cannot recreate:
 * data, history, keys or a running cluster. Data protection (prevent_destroy in
 * protected environments), the policy pack and the plan review all read this list.
 */
export interface StatefulResourceType {
  /** Terraform resource type, e.g. `aws_db_instance`. */
  readonly type: string;
  /** What is lost when one is destroyed. */
  readonly loses: string;
}

export const STATEFUL_RESOURCE_TYPES: readonly StatefulResourceType[] = [
  { type: "aws_db_instance", loses: "the database and, without a final snapshot, its data" },
  { type: "aws_rds_cluster", loses: "the database cluster and its data" },
  { type: "aws_s3_bucket", loses: "every object in the bucket (artifacts, features, datasets or state)" },
  { type: "aws_dynamodb_table", loses: "every item in the table" },
  { type: "aws_elasticache_replication_group", loses: "the cache contents (the online feature store)" },
  { type: "aws_kms_key", loses: "the key: everything encrypted with it becomes unreadable after the waiting period" },
  { type: "aws_eks_cluster", loses: "the cluster and every workload running in it" },
  { type: "aws_ecr_repository", loses: "every image in the repository" },
  { type: "aws_efs_file_system", loses: "every file on the file system" },
  { type: "aws_ebs_volume", loses: "every block on the volume" },
  { type: "aws_elasticache_cluster", loses: "the cache contents" },
  { type: "aws_elasticache_serverless_cache", loses: "the cache contents" },
  { type: "aws_backup_vault", loses: "every recovery point in the vault (the backups themselves)" },
  { type: "aws_secretsmanager_secret", loses: "the secret value (credentials other systems depend on)" },
  { type: "aws_cloudwatch_log_group", loses: "the retained logs (audit and flow logs)" },
];

const byType = new Map(STATEFUL_RESOURCE_TYPES.map((t) => [t.type, t]));

/** True when destroying a resource of this type loses state. */
export function isStatefulType(type: string): boolean {
  return byType.has(type);
}

/** The catalog entry for a type, if it is stateful. */
export function statefulResourceType(type: string): StatefulResourceType | undefined {
  return byType.get(type);
}
