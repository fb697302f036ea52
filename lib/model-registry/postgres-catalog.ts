/**
 * What RDS for PostgreSQL offers, as typed data: the major versions the registry may run
 * and the instance classes that can run PostgreSQL, after the RDS user guide ("Supported
 * DB engines for DB instance classes", "Amazon RDS for PostgreSQL versions"). The aws
 * provider (5.100.0) accepts any string and leaves the check to the RDS API at apply
 * time, which is too late. Supporting a new major version is one entry here (and its
 * parameter group family); the default moves only with a reviewed upgrade.
 */

/** A PostgreSQL major version the registry can run, with its parameter group family. */
export interface PostgresVersionInfo {
  readonly major: PostgresMajorVersion;
  /** `aws_db_parameter_group.family`. */
  readonly family: string;
}

export type PostgresMajorVersion = "15" | "16" | "17";

export const POSTGRES_VERSIONS: Readonly<Record<PostgresMajorVersion, PostgresVersionInfo>> = {
  "15": { major: "15", family: "postgres15" },
  "16": { major: "16", family: "postgres16" },
  "17": { major: "17", family: "postgres17" },
};

/** The newest major version: the default for new registries. */
export const DEFAULT_POSTGRES_VERSION: PostgresMajorVersion = "17";

/** One RDS instance class. */
export interface DbInstanceClassInfo {
  readonly name: string;
  readonly vcpus: number;
  readonly memoryGiB: number;
  /** RDS for PostgreSQL can run on it. */
  readonly postgres: boolean;
  /** Performance Insights is available on it (not on the smallest burstable classes). */
  readonly performanceInsights: boolean;
}

function family(prefix: string, sizes: readonly [string, number, number][], opts: { postgres?: boolean; smallNoInsights?: boolean } = {}): DbInstanceClassInfo[] {
  return sizes.map(([size, vcpus, memoryGiB]) => ({
    name: `${prefix}.${size}`,
    vcpus,
    memoryGiB,
    postgres: opts.postgres ?? true,
    performanceInsights: !(opts.smallNoInsights && (size === "micro" || size === "small")),
  }));
}

const BURSTABLE: [string, number, number][] = [
  ["micro", 2, 1],
  ["small", 2, 2],
  ["medium", 2, 4],
  ["large", 2, 8],
  ["xlarge", 4, 16],
  ["2xlarge", 8, 32],
];
const GENERAL: [string, number, number][] = [
  ["large", 2, 8],
  ["xlarge", 4, 16],
  ["2xlarge", 8, 32],
  ["4xlarge", 16, 64],
  ["8xlarge", 32, 128],
  ["12xlarge", 48, 192],
  ["16xlarge", 64, 256],
];
const MEMORY: [string, number, number][] = [
  ["large", 2, 16],
  ["xlarge", 4, 32],
  ["2xlarge", 8, 64],
  ["4xlarge", 16, 128],
  ["8xlarge", 32, 256],
  ["12xlarge", 48, 384],
  ["16xlarge", 64, 512],
];

export const DB_INSTANCE_CLASSES: readonly DbInstanceClassInfo[] = [
  ...family("db.t3", BURSTABLE, { smallNoInsights: true }),
  ...family("db.t4g", BURSTABLE, { smallNoInsights: true }),
  ...family("db.m5", GENERAL),
  ...family("db.m6g", GENERAL),
  ...family("db.m6i", GENERAL),
  ...family("db.m7g", GENERAL),
  ...family("db.m7i", GENERAL),
  ...family("db.r5", MEMORY),
  ...family("db.r6g", MEMORY),
  ...family("db.r6i", MEMORY),
  ...family("db.r7g", MEMORY),
  ...family("db.r7i", MEMORY),
  // High-frequency classes that RDS offers for Oracle and SQL Server only.
  ...family(
    "db.z1d",
    [
      ["large", 2, 16],
      ["xlarge", 4, 32],
      ["2xlarge", 8, 64],
      ["3xlarge", 12, 96],
      ["6xlarge", 24, 192],
      ["12xlarge", 48, 384],
    ],
    { postgres: false },
  ),
];

const byName = new Map(DB_INSTANCE_CLASSES.map((c) => [c.name, c]));

/** The catalog entry of an instance class, or undefined when the library does not know it. */
export function dbInstanceClass(name: string): DbInstanceClassInfo | undefined {
  return byName.get(name);
}

/** The families of PostgreSQL-capable classes (`db.t4g`, `db.r7g`...), for error messages. */
export function postgresInstanceFamilies(): string[] {
  return [...new Set(DB_INSTANCE_CLASSES.filter((c) => c.postgres).map((c) => c.name.replace(/\.[^.]+$/, "")))];
}
