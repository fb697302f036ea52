/**
 * The reviewed Terraform addresses of every stateful resource (a type in
 * lib/core/stateful-resources.ts) of the reference platform, per stack.
 *
 * Construct IDs are Terraform addresses: a renamed or moved construct makes Terraform
 * destroy the resource at the old address and create an empty one at the new address.
 * This list is written and reviewed by hand, not generated: a change to it is a
 * reviewed data-safety decision (with a `moved` block or `terraform state mv` migration
 * for existing environments), never a snapshot update.
 *
 * Reviewed 2026-11-22 against the reference stacks at that date: dev, staging and prod run
 * the same tree; prod adds the Redis online store (and its AUTH secret); staging and prod add
 * the bootstrap stack (state key and state bucket).
 */
const INFRA: readonly string[] = [
  // environment key
  "aws_kms_key.kms_key_28C05A0F",
  // network
  "aws_cloudwatch_log_group.network_flow-logs_D7C94307",
  // GPU training cluster
  "aws_eks_cluster.training_cluster_341BB387",
  "aws_cloudwatch_log_group.training_control-plane-logs_AC7E9734",
  "aws_ecr_repository.training_training-images_repository_AD13F9B9",
  "aws_ecr_repository.training_serving-images_repository_2B4D8EF3",
  "aws_s3_bucket.training_datasets_bucket_CEE0B01E",
  // model registry
  "aws_db_instance.model-registry_database_instance_4D8843B1",
  "aws_cloudwatch_log_group.model-registry_database_log-postgresql_D53C3642",
  "aws_cloudwatch_log_group.model-registry_database_log-upgrade_FE49870E",
  "aws_s3_bucket.model-registry_artifacts_bucket_04DFD583",
  "aws_secretsmanager_secret.model-registry_auth-secret_53F0F42A",
  // the MLflow client users' credentials (issue 12: endpoints and training jobs log in)
  "aws_secretsmanager_secret.model-registry_reader-secret_BAD50EFB",
  "aws_secretsmanager_secret.model-registry_trainer-secret_9F2340FC",
  // MLflow's own database login, written and rotated by the bootstrap Job (issue 12: MLflow no longer uses the master user)
  "aws_secretsmanager_secret.model-registry_database-app-secret_6F1DEE36",
  // feature store (offline store)
  "aws_s3_bucket.feature-store_offline_bucket_3992ABE2",
  // observability credentials
  "aws_secretsmanager_secret.observability_alertmanager-secret_C6E039B4",
  "aws_secretsmanager_secret.observability_grafana-admin-secret_A4AC8D78",
  // S3 server access logs of the stack's buckets (issue 12; a new bucket at the stack's root, created empty)
  "aws_s3_bucket.access-logs_bucket_7E528747",
  // endpoints' inference logs, read by drift monitors (issue 17; a new bucket, created empty)
  "aws_s3_bucket.inference-logs_bucket_3E91D2CA",
];

const BOOTSTRAP: readonly string[] = [
  "aws_kms_key.state-key_753BFC90",
  "aws_s3_bucket.state-bucket_828F7150",
  // S3 server access logs of the state bucket (issue 12; a new bucket, created empty)
  "aws_s3_bucket.access-logs_bucket_7E528747",
];

/** Stacks not listed here must hold no stateful resource. */
export const STATEFUL_ADDRESSES: Readonly<Record<string, readonly string[]>> = {
  "ml-dev-infra": INFRA,
  "ml-staging-bootstrap": BOOTSTRAP,
  "ml-staging-infra": INFRA,
  "ml-prod-bootstrap": BOOTSTRAP,
  "ml-prod-infra": [
    ...INFRA,
    // Redis online store (production) and its AUTH token secret
    "aws_elasticache_replication_group.feature-store_redis_cache_4AB811E4",
    "aws_secretsmanager_secret.feature-store_redis_auth_3C8D05E8",
  ],
};
