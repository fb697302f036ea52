import { Construct } from "constructs";
import {
  ITerraformDependable,
  TerraformResource,
  booleanToHclTerraform,
  booleanToTerraform,
  listMapper,
  listMapperHcl,
  numberToHclTerraform,
  numberToTerraform,
  stringToHclTerraform,
  stringToTerraform,
} from "cdktf";

/** The `helm_release` arguments the library sets (HelmChart). */
export interface HelmReleaseProps {
  readonly name: string;
  readonly repository: string;
  readonly chart: string;
  readonly version: string;
  readonly namespace: string;
  readonly createNamespace: boolean;
  readonly values: string[];
  readonly atomic: boolean;
  readonly cleanupOnFail: boolean;
  readonly timeout: number;
  /** @default - not set (the provider's false) */
  readonly skipCrds?: boolean;
  /** @default - none */
  readonly dependsOn?: ITerraformDependable[];
}

type Attr = { value: unknown; isBlock: false; type: "simple" | "list"; storageClassType: string };

/**
 * A `helm_release` that synthesizes exactly what the provider binding's `Release` does for the
 * arguments HelmChart sets (same converters, attribute names and order, HCL metadata and generator
 * metadata as @cdktf/provider-helm 12.1.2, lib/release/index.js), without the binding's eight
 * output references (metadata, postrender, set, set_list, set_sensitive, set_wo, timeouts...):
 * cdktf 0.21 captures a stack trace for each, and the library never reads them. See
 * private/manifest.ts.
 */
export class HelmRelease extends TerraformResource {
  private readonly props: HelmReleaseProps;

  constructor(scope: Construct, id: string, props: HelmReleaseProps) {
    super(scope, id, {
      terraformResourceType: "helm_release",
      terraformGeneratorMetadata: { providerName: "helm", providerVersion: "3.1.1", providerVersionConstraint: "~> 3.0" },
      dependsOn: props.dependsOn,
    });
    this.props = props;
  }

  protected synthesizeAttributes(): { [name: string]: unknown } {
    const p = this.props;
    return {
      atomic: booleanToTerraform(p.atomic),
      chart: stringToTerraform(p.chart),
      cleanup_on_fail: booleanToTerraform(p.cleanupOnFail),
      create_namespace: booleanToTerraform(p.createNamespace),
      name: stringToTerraform(p.name),
      namespace: stringToTerraform(p.namespace),
      repository: stringToTerraform(p.repository),
      skip_crds: booleanToTerraform(p.skipCrds),
      timeout: numberToTerraform(p.timeout),
      values: listMapper(stringToTerraform, false)(p.values),
      version: stringToTerraform(p.version),
    };
  }

  protected synthesizeHclAttributes(): { [name: string]: unknown } {
    const p = this.props;
    const simple = (value: unknown, storageClassType: string): Attr => ({ value, isBlock: false, type: "simple", storageClassType });
    const attrs: Record<string, Attr> = {
      atomic: simple(booleanToHclTerraform(p.atomic), "boolean"),
      chart: simple(stringToHclTerraform(p.chart), "string"),
      cleanup_on_fail: simple(booleanToHclTerraform(p.cleanupOnFail), "boolean"),
      create_namespace: simple(booleanToHclTerraform(p.createNamespace), "boolean"),
      name: simple(stringToHclTerraform(p.name), "string"),
      namespace: simple(stringToHclTerraform(p.namespace), "string"),
      repository: simple(stringToHclTerraform(p.repository), "string"),
      skip_crds: simple(booleanToHclTerraform(p.skipCrds), "boolean"),
      timeout: simple(numberToHclTerraform(p.timeout), "number"),
      values: { value: listMapperHcl(stringToHclTerraform, false)(p.values), isBlock: false, type: "list", storageClassType: "stringList" },
      version: simple(stringToHclTerraform(p.version), "string"),
    };
    return Object.fromEntries(Object.entries(attrs).filter(([, a]) => a.value !== undefined));
  }
}
