import { IAspect, TerraformResource } from "cdktf";
import { IConstruct } from "constructs";
import { isStatefulType } from "./stateful-resources";

/**
 * Sets `lifecycle.prevent_destroy` on every resource whose type is in the stateful
 * catalog. InfraStack adds it in environments that protect their data, so that a
 * construct written later cannot forget it: Terraform refuses any plan that would
 * destroy or replace such a resource until the protection is lifted on purpose.
 */
export class DataProtection implements IAspect {
  public visit(node: IConstruct): void {
    if (node instanceof TerraformResource && isStatefulType(node.terraformResourceType)) {
      node.lifecycle = { ...(node.lifecycle ?? {}), preventDestroy: true };
    }
  }
}
