import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";

const run = promisify(execFile);

/** The subset of `terraform show -json <planfile>` the library reads. */
export interface TerraformPlan {
  readonly format_version: string;
  readonly terraform_version?: string;
  readonly resource_changes?: ResourceChange[];
  readonly planned_values?: unknown;
  readonly prior_state?: unknown;
  readonly configuration?: unknown;
  readonly [key: string]: unknown;
}

export interface ResourceChange {
  readonly address: string;
  readonly mode: "managed" | "data";
  readonly type: string;
  readonly name: string;
  readonly index?: string | number;
  readonly provider_name?: string;
  readonly action_reason?: string;
  readonly change: {
    readonly actions: string[];
    readonly before: unknown;
    readonly after: unknown;
    readonly after_unknown?: unknown;
    readonly before_sensitive?: unknown;
    readonly after_sensitive?: unknown;
    readonly replace_paths?: unknown[][];
  };
}

export interface OfflineTerraformOptions {
  /**
   * Filesystem mirror holding the providers (unpacked layout: `<mirror>/registry.terraform.io/hashicorp/aws/<v>/<os_arch>/`).
   * With a mirror, providers are installed from it only (no network needed).
   * @default - the TF_PLUGIN_MIRROR environment variable; without it, Terraform's normal
   * provider installation (the public registry, or your own CLI configuration)
   */
  readonly pluginMirror?: string;
  /** @default - a new temporary directory */
  readonly workDir?: string;
  /** @default "terraform" on the PATH */
  readonly terraformBinary?: string;
  /** Extra environment variables for terraform. @default - none */
  readonly env?: Readonly<Record<string, string>>;
}

export interface ValidateResult {
  readonly valid: boolean;
  readonly errorCount: number;
  readonly warningCount: number;
  readonly diagnostics: { severity: string; summary: string; detail?: string }[];
}

/** Fake static credentials: the aws provider plans without any AWS API call. */
export const OFFLINE_PROVIDER_OVERRIDE: Readonly<Record<string, string | boolean>> = {
  access_key: "AKIAOFFLINEPLAN00000",
  secret_key: "offline-plan-not-a-secret",
  skip_credentials_validation: true,
  skip_requesting_account_id: true,
  skip_metadata_api_check: true,
  skip_region_validation: true,
};

/** Where `terraform init` takes providers from. */
export type ProviderInstallation =
  | { readonly source: "mirror"; readonly mirror: string }
  /** Terraform's normal installation: the registry, or the user's own CLI configuration (TF_CLI_CONFIG_FILE, ~/.terraformrc). */
  | { readonly source: "default" };

/**
 * Where providers come from: the mirror given (callers pass TF_PLUGIN_MIRROR), else Terraform's
 * normal installation. A mirror without a `registry.terraform.io/` tree is refused, so
 * that a wrong path is not mistaken for a network problem later.
 */
export function providerInstallation(pluginMirror: string | undefined): ProviderInstallation {
  if (pluginMirror === undefined || pluginMirror === "") return { source: "default" };
  if (!fs.existsSync(path.join(pluginMirror, "registry.terraform.io"))) {
    throw new Error(`TF_PLUGIN_MIRROR=${pluginMirror} holds no registry.terraform.io/ provider tree (unset it to install providers from the registry)`);
  }
  return { source: "mirror", mirror: pluginMirror };
}

/**
 * Runs the real Terraform CLI on a synthesized stack with no AWS credentials. An
 * override file gives the aws provider fake static credentials and its skip flags and
 * swaps the backend for a local one. With a filesystem mirror (TF_PLUGIN_MIRROR), a CLI
 * config installs providers only from it, and nothing needs the network; without one,
 * `terraform init` installs providers the normal way (the registry). This is for tests
 * and offline plan reviews: real use plans with real credentials.
 */
export class OfflineTerraform {
  public readonly workDir: string;
  public readonly providers: ProviderInstallation;
  private readonly binary: string;
  private readonly extraEnv: Readonly<Record<string, string>>;
  private initialized = false;

  /** @param stackDir a synthesized stack directory holding `cdk.tf.json` */
  constructor(stackDir: string, options: OfflineTerraformOptions = {}) {
    this.providers = providerInstallation(options.pluginMirror ?? process.env.TF_PLUGIN_MIRROR);
    this.binary = options.terraformBinary ?? "terraform";
    this.extraEnv = options.env ?? {};
    this.workDir = options.workDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "offline-tf-"));
    fs.mkdirSync(this.workDir, { recursive: true });
    fs.copyFileSync(path.join(stackDir, "cdk.tf.json"), path.join(this.workDir, "cdk.tf.json"));
    fs.writeFileSync(path.join(this.workDir, "offline_override.tf.json"), JSON.stringify(offlineOverride(), null, 2));
    const config = offlineCliConfig(this.providers);
    if (config !== undefined) fs.writeFileSync(path.join(this.workDir, "offline.tfrc"), config);
  }

  /**
   * The environment terraform runs with: with a mirror, TF_CLI_CONFIG_FILE points at the
   * mirror-only CLI config; without one, the caller's own environment (and CLI config) stands.
   */
  public terraformEnv(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      ...(this.providers.source === "mirror" ? { TF_CLI_CONFIG_FILE: path.join(this.workDir, "offline.tfrc") } : {}),
      TF_IN_AUTOMATION: "1",
      CHECKPOINT_DISABLE: "1",
      ...this.extraEnv,
    };
  }

  /** `terraform init`: providers from the mirror only, or installed the normal way without one (backend replaced by a local one). */
  public async init(): Promise<void> {
    if (this.initialized) return;
    await this.terraform(["init", "-input=false", "-no-color", "-backend=true"]);
    this.initialized = true;
  }

  public async validate(): Promise<ValidateResult> {
    await this.init();
    const { stdout } = await this.terraform(["validate", "-json", "-no-color"], { allowFailure: true });
    const out = JSON.parse(stdout);
    return { valid: out.valid, errorCount: out.error_count, warningCount: out.warning_count, diagnostics: out.diagnostics ?? [] };
  }

  /** `terraform plan` then `terraform show -json` of the saved plan. */
  public async plan(extraArgs: readonly string[] = []): Promise<TerraformPlan> {
    await this.init();
    await this.terraform(["plan", "-input=false", "-no-color", "-lock=false", "-out=offline.tfplan", ...extraArgs]);
    const { stdout } = await this.terraform(["show", "-json", "-no-color", "offline.tfplan"]);
    return JSON.parse(stdout) as TerraformPlan;
  }

  /** Human-readable plan text of the last plan (`terraform show`). */
  public async showText(): Promise<string> {
    const { stdout } = await this.terraform(["show", "-no-color", "offline.tfplan"]);
    return stdout;
  }

  /** Runs any terraform command in the work directory. */
  public async terraform(args: readonly string[], opts: { allowFailure?: boolean } = {}): Promise<{ stdout: string; stderr: string }> {
    try {
      return await run(this.binary, [...args], {
        cwd: this.workDir,
        maxBuffer: 512 * 1024 * 1024,
        env: this.terraformEnv(),
      });
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string; code?: number };
      if (opts.allowFailure && e.stdout) return { stdout: e.stdout, stderr: e.stderr ?? "" };
      throw new Error(`terraform ${args[0]} failed in ${this.workDir} (exit ${e.code}):\n${e.stderr || e.stdout}`);
    }
  }

  /** Removes the work directory. */
  public dispose(): void {
    fs.rmSync(this.workDir, { recursive: true, force: true });
  }
}

/**
 * The override file that makes a synthesized stack plannable offline: Terraform merges
 * it over the provider block (fake credentials, skip flags, no account guard, which
 * would need the account ID from STS) and replaces the backend with a local one.
 * The stack's own `cdk.tf.json` is planned unchanged.
 */
export function offlineOverride(): Record<string, unknown> {
  return {
    provider: { aws: { ...OFFLINE_PROVIDER_OVERRIDE, allowed_account_ids: null } },
    terraform: { backend: { local: { path: "terraform.tfstate" } } },
  };
}

/** The CLI configuration for the provider installation, or undefined for Terraform's own. */
export function offlineCliConfig(providers: ProviderInstallation): string | undefined {
  if (providers.source === "default") return undefined;
  const mirror = providers.mirror;
  return [
    "provider_installation {",
    "  filesystem_mirror {",
    `    path    = ${JSON.stringify(mirror)}`,
    '    include = ["registry.terraform.io/*/*"]',
    "  }",
    "  direct {",
    '    exclude = ["registry.terraform.io/*/*"]',
    "  }",
    "}",
    "",
  ].join("\n");
}
