import { ClusterObject, EnvironmentSet } from "./in-cluster";
import { CrdSchemas, isBuiltInKind, kubernetesSchemaErrors } from "./kube-schema";

/** The CRDs an environment's rendered charts ship (helm template --include-crds). */
export function crdsOf(set: EnvironmentSet): CrdSchemas {
  const crds = new CrdSchemas();
  for (const o of set.objects) if (o.object.kind === "CustomResourceDefinition") crds.add(o.object);
  return crds;
}

export function describeObject(o: ClusterObject): string {
  const m = o.object.metadata ?? {};
  return `${o.object.kind} ${m.namespace ? `${m.namespace}/` : ""}${m.name} [${o.stack}: ${o.source}]`;
}

/**
 * Strict schema problems of every object of an environment: built-in kinds against the
 * Kubernetes OpenAPI of the cluster's version, custom resources against the CRDs of the
 * rendered charts. A kind known to neither is a problem too (nothing would accept it).
 */
export function schemaProblems(set: EnvironmentSet, crds = crdsOf(set)): string[] {
  const problems: string[] = [];
  for (const o of set.objects) {
    const { apiVersion, kind } = o.object;
    let errors: string[];
    if (isBuiltInKind(set.kubeVersion, String(apiVersion), String(kind))) errors = kubernetesSchemaErrors(set.kubeVersion, o.object);
    else if (crds.has(String(apiVersion), String(kind))) errors = crds.errors(o.object);
    else errors = [`${apiVersion} ${kind} is neither a Kubernetes ${set.kubeVersion} kind nor defined by a CRD of the rendered charts`];
    for (const e of errors) problems.push(`${describeObject(o)}: ${e}`);
  }
  return problems;
}
