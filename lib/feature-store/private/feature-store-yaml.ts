/**
 * feature_store.yaml, typed. Keys follow Feast's RepoConfig (sdk/python/feast/repo_config.py)
 * and the store configs: DynamoDBOnlineStoreConfig (`type`, `region`,
 * `table_name_template`, `tags`), RedisOnlineStoreConfig (`type`, `redis_type`,
 * `connection_string`), the file (dask) offline store (`type: file`) and the file
 * registry (`registry_type`, `path`, `cache_ttl_seconds`).
 */
export type OnlineStoreYaml =
  | { readonly type: "dynamodb"; readonly region: string; readonly tableNameTemplate: string; readonly tags: Readonly<Record<string, string>> }
  | { readonly type: "redis"; readonly connectionString: string };

export interface FeatureStoreYamlConfig {
  readonly project: string;
  readonly registryPath: string;
  readonly registryCacheTtlSeconds: number;
  readonly online: OnlineStoreYaml;
}

export function featureStoreYamlObject(c: FeatureStoreYamlConfig): Record<string, unknown> {
  const online =
    c.online.type === "dynamodb"
      ? { type: "dynamodb", region: c.online.region, table_name_template: c.online.tableNameTemplate, tags: { ...c.online.tags } }
      : { type: "redis", redis_type: "redis", connection_string: c.online.connectionString };
  return {
    project: c.project,
    provider: "aws",
    registry: { registry_type: "file", path: c.registryPath, cache_ttl_seconds: c.registryCacheTtlSeconds },
    online_store: online,
    // Explicit: with provider aws Feast's default offline store would be redshift.
    offline_store: { type: "file" },
    // Pinned so that a Feast upgrade cannot silently change the online key format.
    entity_key_serialization_version: 3,
  };
}

/** The YAML text. `yaml` is loaded on first use: most apps never render a feature store. */
export function renderFeatureStoreYaml(c: FeatureStoreYamlConfig): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { stringify } = require("yaml") as typeof import("yaml");
  // No line folding: a folded token (`${TfToken[...]}`) would no longer resolve.
  return stringify(featureStoreYamlObject(c), { lineWidth: 0 });
}
