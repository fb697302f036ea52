import { Validator } from "../core/errors";
import { Shape, checkShape } from "../core/shape";
import { REDACTED, secretLiteralKind } from "../core/validators";

/**
 * How people and jobs log in to the MLflow tracking server. Authentication is on in every
 * tier that holds data worth protecting: `RegistryAuth.none()` is accepted in development only.
 *
 * Credentials never pass through Terraform: the registry creates an empty Secrets Manager
 * secret (KMS-encrypted, no version) that an operator fills once, and the External Secrets
 * Operator copies it into the cluster.
 */
export type RegistryAuthKind = "basic" | "oidc" | "none";

export interface BasicAuthOptions {
  /**
   * Permission every user has on experiments and models nobody granted them anything on.
   * @default "READ"
   */
  readonly defaultPermission?: MlflowPermission;
}

export interface OidcAuthOptions {
  /** The identity provider's discovery document, `https://.../.well-known/openid-configuration`. */
  readonly discoveryUrl: string;
  /** The OAuth client registered for MLflow. Its secret lives in Secrets Manager, not here. */
  readonly clientId: string;
  /** Groups whose members may use MLflow. @default ["mlflow"] */
  readonly userGroups?: readonly string[];
  /** Groups whose members administer MLflow. @default ["mlflow-admin"] */
  readonly adminGroups?: readonly string[];
  /** Permission a member has on resources nobody granted them anything on. @default "READ" */
  readonly defaultPermission?: MlflowPermission;
  /** Callback URL, when MLflow cannot infer it from the request (behind a proxy). @default - inferred */
  readonly redirectUri?: string;
}

export type MlflowPermission = "READ" | "EDIT" | "MANAGE" | "NO_PERMISSIONS";

const PERMISSIONS: readonly MlflowPermission[] = ["READ", "EDIT", "MANAGE", "NO_PERMISSIONS"];

/** The tracking server's authentication, chosen with a factory. */
export class RegistryAuth {
  /**
   * MLflow's built-in basic authentication. The admin's username and password are a
   * Secrets Manager secret the registry creates empty; users and permissions live in
   * a database of their own on the registry's PostgreSQL instance, shared by every replica.
   */
  public static basic(options: BasicAuthOptions = {}): RegistryAuth {
    checkShape("RegistryAuth.basic", options, { defaultPermission: Shape.optional(Shape.oneOf(PERMISSIONS)) });
    return new RegistryAuth("basic", options.defaultPermission ?? "READ");
  }

  /** Single sign-on through an OpenID Connect provider; the client secret is a Secrets Manager secret the registry creates empty. */
  public static oidc(options: OidcAuthOptions): RegistryAuth {
    const where = "RegistryAuth.oidc";
    checkShape(where, options, {
      discoveryUrl: Shape.string(),
      clientId: Shape.string({ nonEmpty: true }),
      userGroups: Shape.optional(Shape.array(Shape.string())),
      adminGroups: Shape.optional(Shape.array(Shape.string())),
      defaultPermission: Shape.optional(Shape.oneOf(PERMISSIONS)),
      redirectUri: Shape.optional(Shape.string()),
    });
    const v = new Validator(where);
    for (const field of ["discoveryUrl", "redirectUri"] as const) {
      const url = options[field];
      if (url === undefined) continue;
      const secret = secretLiteralKind(url);
      if (secret)
        v.check(
          false,
          field,
          REDACTED,
          `looks like ${secret}: give the URL without credentials; the OIDC client secret is a Secrets Manager secret (lib/model-registry/README.md)`,
        );
      else v.check(/^https:\/\/[^\s/]+(\/\S*)?$/.test(url), field, url, "must be an https:// URL");
    }
    v.throwIfAny();
    return new RegistryAuth("oidc", options.defaultPermission ?? "READ", options);
  }

  /** No authentication: anyone who can reach the service may change the registry. Development only. */
  public static none(): RegistryAuth {
    return new RegistryAuth("none", "MANAGE");
  }

  private constructor(
    public readonly kind: RegistryAuthKind,
    public readonly defaultPermission: MlflowPermission,
    public readonly oidc?: OidcAuthOptions,
  ) {}

  public get enabled(): boolean {
    return this.kind !== "none";
  }
}
