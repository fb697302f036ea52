/**
 * On-demand list prices for the resources the plan review costs, other than GPU
 * instances (those live with the GPU instance catalog in lib/gpu-cluster). One dated
 * table, so that every estimate says which prices it used. Update the values and
 * `asOf` together; the review prints both.
 */
export interface PriceTable {
  /** The date the prices were read from the source. */
  readonly asOf: string;
  readonly source: string;
  readonly region: string;
  readonly currency: "USD";
  /** Hours in the month the review estimates (AWS's own convention). */
  readonly hoursPerMonth: number;
  /** EKS control plane, standard support, per cluster. */
  readonly eksClusterUsdPerHour: number;
  /** NAT gateway, per gateway, before data processing. */
  readonly natGatewayUsdPerHour: number;
  /** EC2 Linux instances (EKS managed node groups). */
  readonly ec2UsdPerHour: Readonly<Record<string, number>>;
  /** RDS for PostgreSQL instances, Single-AZ (Multi-AZ bills two). */
  readonly rdsUsdPerHour: Readonly<Record<string, number>>;
  /** RDS storage per GB-month, by storage type; Multi-AZ bills it twice. */
  readonly rdsStorageUsdPerGbMonth: Readonly<Record<string, number>>;
  /** ElastiCache for Redis OSS / Valkey-compatible node prices (Redis OSS rates). */
  readonly elasticacheUsdPerHour: Readonly<Record<string, number>>;
}

export const PRICES: PriceTable = {
  asOf: "2026-06-01",
  source:
    "AWS public on-demand price pages, US East (N. Virginia): EKS, VPC (NAT gateway), EC2 Linux, RDS for PostgreSQL, " +
    "ElastiCache for Redis OSS; transcribed by hand, not fetched by the build: verify before relying on a figure",
  region: "us-east-1",
  currency: "USD",
  hoursPerMonth: 730,
  eksClusterUsdPerHour: 0.1,
  natGatewayUsdPerHour: 0.045,
  ec2UsdPerHour: {
    "t3.medium": 0.0416,
    "t3.large": 0.0832,
    "m5.large": 0.096,
    "m5.xlarge": 0.192,
    "m6i.large": 0.096,
    "m6i.xlarge": 0.192,
    "m6i.2xlarge": 0.384,
    "m6i.4xlarge": 0.768,
    "m7i.large": 0.1008,
    "m7i.xlarge": 0.2016,
    "m6g.large": 0.077,
    "m7g.large": 0.0816,
    "c6i.large": 0.085,
    "c6i.xlarge": 0.17,
    "r6i.large": 0.126,
    "r6i.xlarge": 0.252,
  },
  rdsUsdPerHour: {
    "db.t4g.micro": 0.016,
    "db.t4g.small": 0.032,
    "db.t4g.medium": 0.065,
    "db.t4g.large": 0.129,
    "db.t4g.xlarge": 0.258,
    "db.m6g.large": 0.159,
    "db.m6g.xlarge": 0.318,
    "db.m6i.large": 0.178,
    "db.m7g.large": 0.168,
    "db.r6g.large": 0.225,
    "db.r6g.xlarge": 0.45,
    "db.r7g.large": 0.248,
    "db.r7g.xlarge": 0.496,
  },
  rdsStorageUsdPerGbMonth: { gp2: 0.115, gp3: 0.115, io1: 0.125 },
  elasticacheUsdPerHour: {
    "cache.t4g.micro": 0.016,
    "cache.t4g.small": 0.032,
    "cache.t4g.medium": 0.065,
    "cache.m6g.large": 0.149,
    "cache.m7g.large": 0.158,
    "cache.r6g.large": 0.206,
    "cache.r7g.large": 0.219,
  },
};
