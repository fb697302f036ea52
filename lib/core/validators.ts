/**
 * Shared checks of values that AWS, Kubernetes, Prometheus and Alertmanager accept or
 * reject, so that every construct refuses the same bad input with the same words. Each
 * returns undefined for a valid value, else the "what is allowed" part of a message.
 * Sources are named next to each rule.
 */

/** Kubernetes DNS label (RFC 1123): namespaces, Service names. k8s.io/apimachinery validation.IsDNS1123Label. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Kubernetes DNS subdomain (RFC 1123), at most 253 characters: most object names. validation.IsDNS1123Subdomain. */
export const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

export function namespaceProblem(value: string): string | undefined {
  return DNS_LABEL.test(value) ? undefined : "must be a Kubernetes namespace name: at most 63 lowercase letters, digits or '-', starting and ending with a letter or digit";
}

export function objectNameProblem(value: string): string | undefined {
  return DNS_SUBDOMAIN.test(value) ? undefined : "must be a Kubernetes object name: at most 253 lowercase letters, digits, '-' or '.', starting and ending with a letter or digit";
}

/** Label values: at most 63 characters, alphanumerics with '-', '_', '.' inside (validation.IsValidLabelValue). */
export function labelValueProblem(value: string): string | undefined {
  return value.length <= 63 && /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/.test(value)
    ? undefined
    : "must be a Kubernetes label value: at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit";
}

/** Label keys: an optional DNS-subdomain prefix and '/', then a name of at most 63 characters (validation.IsQualifiedName). */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf("/");
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  const ok = (prefix === undefined || (prefix.length <= 253 && DNS_SUBDOMAIN.test(prefix))) && name.length <= 63 && /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/.test(name);
  return ok ? undefined : "must be a Kubernetes label key: an optional DNS prefix and '/', then at most 63 letters, digits, '-', '_' or '.'";
}

/** Every problem of a label map, as [field, value, allowed]. */
export function labelProblems(field: string, labels: Readonly<Record<string, string>>): [string, string, string][] {
  const out: [string, string, string][] = [];
  for (const [k, v] of Object.entries(labels)) {
    const kp = labelKeyProblem(k);
    if (kp) out.push([`${field} key`, k, kp]);
    const vp = typeof v === "string" ? labelValueProblem(v) : "must be a string";
    if (vp) out.push([`${field}[${JSON.stringify(k)}]`, v, vp]);
  }
  return out;
}

/**
 * CPU quantities: whole or decimal cores ("2", "0.5") or millicores ("500m"), above zero.
 * k8s.io/apimachinery resource.ParseQuantity accepts more (exponents, "2k" cores); the library
 * accepts what a person writes for CPU and refuses the rest clearly.
 */
export function cpuQuantityProblem(value: string): string | undefined {
  const m = /^(\d+(?:\.\d+)?)(m?)$/.exec(value);
  return m && Number(m[1]) > 0 ? undefined : 'must be a Kubernetes CPU quantity above zero such as "500m", "1" or "2.5"';
}

/**
 * Memory quantities: bytes with a binary (Ki..Ei) or decimal (k..E) suffix, above zero.
 * "512m" is refused: in Kubernetes "m" means milli, so it asks for half a byte.
 */
export function memoryQuantityProblem(value: string): string | undefined {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/.exec(value);
  return m && Number(m[1]) > 0 ? undefined : 'must be a Kubernetes memory quantity above zero such as "512Mi" or "2Gi" ("m" means milli, not mega)';
}

/** Memory quantity in bytes (for capacity arithmetic); undefined when malformed. */
export function memoryBytes(value: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/.exec(value);
  if (!m) return undefined;
  const factor: Record<string, number> = {
    "": 1,
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
    Pi: 2 ** 50,
    Ei: 2 ** 60,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    P: 1e15,
    E: 1e18,
  };
  return Number(m[1]) * factor[m[2] ?? ""];
}

/** CPU quantity in cores; undefined when malformed. */
export function cpuCores(value: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(m?)$/.exec(value);
  return m ? Number(m[1]) / (m[2] ? 1000 : 1) : undefined;
}

/**
 * Container image references: `[registry/]path[:tag][@sha256:<64 hex>]`, pinned by a tag
 * other than `latest` or by a digest (distribution/reference's grammar, reference/regexp.go).
 */
export function imageReferenceProblem(ref: string): string | undefined {
  const m =
    /^((?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::\d+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)(?::([\w][\w.-]{0,127}))?(?:@([A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9A-Fa-f]+))?$/.exec(
      ref,
    );
  const form = 'must be an image reference pinned by tag or digest, such as "repo/name:1.4.0" or "repo/name@sha256:<64 hex digits>"';
  if (!m) return form;
  const [, , tag, digest] = m;
  if (digest !== undefined && !/^sha256:[0-9a-f]{64}$/.test(digest)) return `${form}; the digest must be sha256: and 64 lowercase hex digits`;
  if (tag === undefined && digest === undefined) return `${form}; without a tag it means "latest", which changes under a running Deployment`;
  if (tag === "latest" && digest === undefined) return `${form}; "latest" changes under a running Deployment`;
  return undefined;
}

/** TCP ports. */
export function portProblem(value: number, min = 1): string | undefined {
  return Number.isInteger(value) && value >= min && value <= 65535 ? undefined : `must be a whole port number from ${min} to 65535`;
}

/**
 * Prometheus durations: units y, w, d, h, m, s, ms, each at most once and in that order,
 * or "0" (prometheus/common model/time.go, ParseDuration).
 */
export function prometheusDurationProblem(value: string): string | undefined {
  const ok = value === "0" || (value !== "" && /^(\d+y)?(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?(\d+ms)?$/.test(value));
  return ok ? undefined : 'must be a Prometheus duration such as "30s", "5m" or "1h30m" (units y, w, d, h, m, s, ms, largest first, each once)';
}

/** Alert severities the library's Alertmanager routing knows (lib/observability/alert-receiver.ts). */
export const ALERT_SEVERITIES = ["critical", "warning", "info"] as const;

export function severityProblem(value: string): string | undefined {
  return (ALERT_SEVERITIES as readonly string[]).includes(value)
    ? undefined
    : `must be one of ${ALERT_SEVERITIES.join(", ")}: Alertmanager routes alerts to receivers by these severities`;
}

/** A string that holds a secret (a credential, a key, a webhook): such values must never be written into code or state. */
const SECRET_PATTERNS: readonly [RegExp, string][] = [
  [/\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@]+:[^\s/@]+@/i, "a URL with a user name and password"],
  [/https:\/\/hooks\.slack\.com\/(services|workflows|triggers)\//i, "a Slack webhook URL"],
  [/https:\/\/events\.pagerduty\.com\/|https:\/\/[a-z0-9-]+\.webhook\.office\.com\//i, "a webhook URL"],
  [/\b(AKIA|ASIA|AROA|AIDA)[0-9A-Z]{16}\b/, "an AWS access key ID"],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, "a private key"],
  [/\bxox[abposr]-[0-9A-Za-z-]{10,}/, "a Slack token"],
  [/\bgh[pousr]_[0-9A-Za-z]{36,}/, "a GitHub token"],
];

/** Names that say their value is a secret (environment variables, tag keys). */
const SECRET_NAME = /(pass(word|wd)?|secret|token|api[_-]?key|private[_-]?key|credential|access[_-]?key)/i;

/** What kind of secret a string looks like, or undefined. */
export function secretLiteralKind(value: string, name?: string): string | undefined {
  for (const [re, kind] of SECRET_PATTERNS) if (re.test(value)) return kind;
  if (name !== undefined && SECRET_NAME.test(name) && value.trim() !== "") return `a literal value for ${JSON.stringify(name)}, whose name says it is a secret`;
  return undefined;
}

/** The standard refusal for a secret found in a plain string. */
export function secretLiteralProblem(value: string, name: string | undefined, howToReference: string): string | undefined {
  const kind = secretLiteralKind(value, name);
  return kind ? `looks like ${kind}: it would be written in plain text into the synthesized JSON and the Terraform state; ${howToReference}` : undefined;
}

/** How a value is shown in a message when it may be a secret: never echoed. */
export const REDACTED = "<redacted>";

/** IAM role or user ARNs, with a path or not (EKS User Guide, "Create access entries"). */
export const PRINCIPAL_ARN = /^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@/-]{1,512}$/;
/** An STS session ARN: what `aws sts get-caller-identity` shows for an assumed role, not a principal EKS admits. */
export const ASSUMED_ROLE_ARN = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([\w+=,.@-]+)\//;

/** Why an ARN cannot be an access entry's principal, or undefined. */
export function principalArnProblem(arn: string): string | undefined {
  const session = ASSUMED_ROLE_ARN.exec(arn);
  if (session)
    return `is an assumed-role session, not an IAM principal: use the role's ARN, arn:${session[1]}:iam::${session[2]}:role/${session[3]} (with its path, if it has one)`;
  if (!PRINCIPAL_ARN.test(arn)) return "must be an IAM role or user ARN such as arn:aws:iam::123456789012:role/platform-admin";
  return undefined;
}

/**
 * AWS resource IDs: a prefix and 8 or 17 hexadecimal digits (EC2 API Reference, "Resource IDs":
 * the longer format since 2018, the shorter one of older resources).
 */
function ec2IdProblem(value: string, prefix: string, what: string, example: string): string | undefined {
  if (new RegExp(`^${prefix}-([0-9a-f]{8}|[0-9a-f]{17})$`).test(value)) return undefined;
  return `must be the ID of ${what} (${prefix}- and 8 or 17 hexadecimal digits, such as ${example})`;
}

/** Why a value is not a VPC ID, or undefined. */
export function vpcIdProblem(value: string): string | undefined {
  return ec2IdProblem(value, "vpc", "a VPC", "vpc-0a1b2c3d4e5f67890");
}

/** Why a value is not a subnet ID, or undefined. */
export function subnetIdProblem(value: string): string | undefined {
  return ec2IdProblem(value, "subnet", "a subnet", "subnet-0a1b2c3d4e5f67890");
}

/** Why a value is not a security group ID, or undefined. */
export function securityGroupIdProblem(value: string): string | undefined {
  return ec2IdProblem(value, "sg", "a security group", "sg-0a1b2c3d4e5f67890");
}

/** `arn:aws:kms:<region>:<account>:key/<key id>`: a key id is a UUID, or mrk- and 32 hex digits for a multi-Region key. */
export const KMS_KEY_ARN = /^arn:(aws[a-z-]*):kms:([a-z0-9-]+):(\d{12}):key\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;

/**
 * Why a value is not the ARN of a KMS key in `region`, or undefined. Alias ARNs and bare key
 * IDs are refused: EKS secrets encryption and CloudWatch Logs take a key ARN only.
 */
export function kmsKeyArnProblem(value: string, region: string): string | undefined {
  if (/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:alias\//.test(value) || value.startsWith("alias/")) {
    return "is an alias: give the key's ARN (arn:aws:kms:<region>:<account>:key/<key id>; `aws kms describe-key --key-id <alias>` prints it) and the alias as aliasName";
  }
  const m = KMS_KEY_ARN.exec(value);
  if (!m) return "must be a KMS key ARN, such as arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
  if (m[2] !== region) return `is a key in ${m[2]}; the environment is in ${region}, and a KMS key encrypts resources of its own region only`;
  return undefined;
}

/** `arn:aws:iam::<account>:oidc-provider/oidc.eks.<region>.amazonaws.com/id/<id>`: an EKS cluster's IAM OIDC provider. */
export const EKS_OIDC_PROVIDER_ARN = /^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/(oidc\.eks\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?\/id\/[0-9A-Fa-f]{8,64})$/;

/** Why a value is not the ARN of an EKS cluster's IAM OIDC provider in `region`, or undefined. */
export function oidcProviderArnProblem(value: string, region: string): string | undefined {
  const m = EKS_OIDC_PROVIDER_ARN.exec(value);
  if (!m)
    return "must be the ARN of the cluster's IAM OIDC provider, such as arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/0A1B2C3D4E5F60718293A4B5C6D7E8F9";
  if (m[2] !== region) return `is the provider of a cluster in ${m[2]}; the environment is in ${region}`;
  return undefined;
}
