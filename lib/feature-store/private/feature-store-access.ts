import { Environment } from "../../core/environment";
import { IGrantable, PolicyStatement } from "../../iam/policy-statement";
import { grantSecretRead } from "../../kubernetes/external-secrets";
import { renderFeatureStoreYaml } from "./feature-store-yaml";
import { REDIS_USERNAME } from "./redis-online-store";

/**
 * Where a feature store's data is, as its grants and feature_store.yaml need it: the same for a
 * FeatureStore of this app and one imported by its attributes, so both grant and render alike.
 */
export interface FeatureStoreLocation {
  readonly project: string;
  readonly bucketArn: string;
  readonly keyArn: string;
  /** Prefix of the offline Parquet files, e.g. "data/". */
  readonly dataPrefix: string;
  /** The Redis auth secret's ARN (redis online store only). */
  readonly redisSecretArn?: string;
  /** ARN pattern of the project's DynamoDB tables (dynamodb online store only). */
  readonly tableArnPattern?: string;
}

/** Kubernetes Secret env var Feast expands in feature_store.yaml to the Redis password (FEAST_NAMES.redisPasswordEnv). */
const REDIS_PASSWORD_ENV = "REDIS_PASSWORD";

/** feature_store.yaml: the registry in the offline bucket, the online store (Redis password as $REDIS_PASSWORD). */
export function featureStoreYamlFor(env: Environment, s: { project: string; registryPath: string; registryCacheTtlSeconds: number; redisEndpoint?: string }): string {
  return renderFeatureStoreYaml({
    project: s.project,
    registryPath: s.registryPath,
    registryCacheTtlSeconds: s.registryCacheTtlSeconds,
    online:
      s.redisEndpoint !== undefined
        ? {
            type: "redis",
            // Feast expands $REDIS_PASSWORD from the environment when it loads the file; the value never reaches Terraform.
            connectionString: `${s.redisEndpoint},ssl=true,username=${REDIS_USERNAME},password=$${REDIS_PASSWORD_ENV}`,
          }
        : {
            type: "dynamodb",
            region: env.region,
            tableNameTemplate: `${env.prefix}-feast.{project}.{table_name}`,
            tags: env.tags,
          },
  });
}

/** Serving: read features from the online store (and the registry that describes them). */
export function grantOnlineRead(at: FeatureStoreLocation, grantee: IGrantable): void {
  grantRegistry(at, grantee, false);
  if (at.redisSecretArn !== undefined) {
    // The password, for the External Secrets Operator to sync; the network path is the cluster's security group.
    grantSecretRead(grantee, at.redisSecretArn, at.keyArn);
  } else {
    grantee.addToPolicy({ actions: ["dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:DescribeTable"], resources: [at.tableArnPattern!] });
  }
}

/** Training: read the offline store's Parquet files and the registry (point-in-time joins run in the training pod). */
export function grantOfflineRead(at: FeatureStoreLocation, grantee: IGrantable): void {
  grantOfflineData(at, grantee);
  grantRegistry(at, grantee, false);
}

/** `feast apply`: write the registry, read the offline data's schema, manage the project's online tables. */
export function grantApply(at: FeatureStoreLocation, grantee: IGrantable): void {
  grantRegistry(at, grantee, true);
  // apply validates every FileSource by reading its Parquet schema (FileSource.validate in
  // feast 0.66.0 sdk/python/feast/infra/offline_stores/file_source.py): without this, apply is denied.
  grantOfflineData(at, grantee);
  if (at.redisSecretArn !== undefined) {
    grantSecretRead(grantee, at.redisSecretArn, at.keyArn);
    return;
  }
  grantee.addToPolicy({
    actions: [
      "dynamodb:CreateTable",
      "dynamodb:DescribeTable",
      "dynamodb:DeleteTable",
      "dynamodb:UpdateTable",
      "dynamodb:TagResource",
      "dynamodb:UntagResource",
      "dynamodb:ListTagsOfResource",
    ],
    resources: [at.tableArnPattern!],
  });
}

/** Materialization: write the online store (DynamoDB; with Redis the pod mounts the synced password instead). */
export function grantOnlineWrite(at: FeatureStoreLocation, grantee: IGrantable): void {
  if (at.redisSecretArn !== undefined) return;
  grantee.addToPolicy({ actions: ["dynamodb:BatchWriteItem", "dynamodb:PutItem", "dynamodb:DescribeTable"], resources: [at.tableArnPattern!] });
}

/** Materialization: read the offline data, read and record intervals in the registry, write the online store. */
export function grantMaterialize(at: FeatureStoreLocation, grantee: IGrantable): void {
  grantOfflineData(at, grantee);
  // materialize-incremental reads its start from, and records the materialized interval in, the registry.
  grantRegistry(at, grantee, true);
  grantOnlineWrite(at, grantee);
}

/** Read the offline Parquet files: SecureBucket.grantRead's statements, on the data prefix. */
export function grantOfflineData(at: FeatureStoreLocation, grantee: IGrantable): void {
  const prefix = `${at.dataPrefix}*`;
  const statements: PolicyStatement[] = [
    { actions: ["s3:ListBucket"], resources: [at.bucketArn], conditions: { StringLike: { "s3:prefix": [prefix] } } },
    { actions: ["s3:GetBucketLocation"], resources: [at.bucketArn] },
    { actions: ["s3:GetObject", "s3:GetObjectVersion"], resources: [`${at.bucketArn}/${prefix}`] },
    { actions: ["kms:Decrypt", "kms:DescribeKey"], resources: [at.keyArn] },
  ];
  for (const s of statements) grantee.addToPolicy(s);
}

/** The registry file: read (serving, training) or read and write (materialization, apply). */
export function grantRegistry(at: FeatureStoreLocation, grantee: IGrantable, write: boolean): void {
  const statements: PolicyStatement[] = [
    // Feast's S3 registry calls HeadBucket before every read, which IAM authorizes as
    // s3:ListBucket without a prefix: a prefix condition would deny it.
    { actions: ["s3:ListBucket"], resources: [at.bucketArn] },
    {
      actions: write ? ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"] : ["s3:GetObject", "s3:GetObjectVersion"],
      resources: [`${at.bucketArn}/registry/*`],
    },
    {
      actions: write ? ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey*"] : ["kms:Decrypt", "kms:DescribeKey"],
      resources: [at.keyArn],
    },
  ];
  for (const s of statements) grantee.addToPolicy(s);
}
