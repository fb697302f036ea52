/**
 * How a Secrets Manager secret the library creates is rotated, declared as tags on the secret
 * (`ml-platform/rotation`, and for operator-set secrets `ml-platform/max-age-days`). The policy
 * pack's SECRETS-ROTATION rule requires every secret to declare one (or to have an
 * `aws_secretsmanager_secret_rotation`); an operator lists the ages against the declared maximum
 * with the command in lib/observability/README.md ("Rotation").
 */
export const ROTATION_TAG = "ml-platform/rotation";
/** For secrets an operator replaces: the longest a value may live, in days. */
export const MAX_AGE_TAG = "ml-platform/max-age-days";
/** The longest max age the policy pack accepts for an operator-rotated secret. */
export const MAX_AGE_LIMIT_DAYS = 365;
/** The max age the library declares for the secrets an operator sets (receiver keys, admin and client passwords). */
export const OPERATOR_MAX_AGE_DAYS = 90;

export const SecretRotation = {
  /** Generated and rotated by a job of the platform (e.g. the MLflow database bootstrap's CronJob). */
  inCluster: (): Record<string, string> => ({ [ROTATION_TAG]: "in-cluster" }),
  /** Set by an operator, who replaces it within `maxAgeDays` (third-party keys, admin logins). */
  operator: (maxAgeDays: number = OPERATOR_MAX_AGE_DAYS): Record<string, string> => ({ [ROTATION_TAG]: "operator", [MAX_AGE_TAG]: String(maxAgeDays) }),
} as const;
