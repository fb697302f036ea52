import { Environment } from "../../core/environment";
import { Validator, isUnresolved } from "../../core/errors";
import { GPU_MODEL_LABEL, GPU_NODE_LABEL, POOL_LABEL } from "../../kubernetes/kubernetes";
import { Capacity } from "../capacity";
import { GpuInstance, GpuInstanceSpec, GPU_INSTANCES, HOURS_PER_MONTH, gpuInstanceProblem, gpuInstanceSpec } from "../gpu-instances";
import { GPU_PROVISIONERS, GpuPoolOptions, GpuProvisioner, SYSTEM_POOL_NAME } from "../gpu-pool-options";
import { labelProblems } from "../../core/validators";
import { LibraryShapes, Shape } from "../../core/shape";

/** A pool's options, validated and with every default resolved. */
export interface PoolSpec {
  readonly name: string;
  readonly instances: readonly GpuInstanceSpec[];
  readonly capacity: Capacity;
  readonly minNodes: number;
  readonly maxNodes: number;
  readonly desiredNodes: number;
  readonly diskSizeGiB: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly critical: boolean;
  readonly multiNode: boolean;
  readonly availabilityZone?: string;
  readonly provisioner: GpuProvisioner;
  readonly gpuModel: string;
  readonly gpusPerNode: number;
  /** The priciest type's on-demand price: what the budget guard assumes. */
  readonly worstHourlyUsd: number;
  readonly worstCaseMonthlyUsd: number;
}

const POOL_NAME = /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/;
const RESERVED_LABELS = [POOL_LABEL, GPU_MODEL_LABEL, GPU_NODE_LABEL, "k8s.amazonaws.com/accelerator"];

/** Name of a pool's AWS resources (launch template, placement group, instances): `<cluster>-<pool>`. */
export function poolResourceName(clusterName: string, poolName: string): string {
  return `${clusterName}-${poolName}`;
}

/** Where a pool's problems are reported: `<cluster path>/gpu-pool "<name>"`. */
export function poolPath(clusterPath: string, name: string): string {
  return `${clusterPath}/gpu-pool "${name}"`;
}

/** Validates a pool's options; throws one ConfigError listing every problem. */
export function resolvePoolSpec(clusterPath: string, name: string, options: GpuPoolOptions, env: Environment, clusterProvisioner: GpuProvisioner = "cluster-autoscaler"): PoolSpec {
  const v = new Validator(poolPath(clusterPath, name));
  v.check(POOL_NAME.test(name), "name", name, "must be 2 to 32 lowercase letters, digits or '-', starting with a letter (it becomes a node label and part of AWS names)");
  v.check(name !== SYSTEM_POOL_NAME, "name", name, `"${SYSTEM_POOL_NAME}" names the CPU node group of cluster add-ons; choose another pool name`);

  const types = (options.instanceTypes ?? []).map((t) => (typeof t === "string" ? t : t.instanceType));
  v.check(types.length > 0, "instanceTypes", types, "must list at least one GPU instance type");
  const instances: GpuInstanceSpec[] = [];
  types.forEach((type, i) => {
    const problem = gpuInstanceProblem(type);
    v.checkProblem(`instanceTypes[${i}]`, type, problem);
    const spec = gpuInstanceSpec(type);
    if (spec) instances.push(spec);
  });
  const models = [...new Set(instances.map((s) => `${s.gpuCount} x ${s.gpuModel}`))];
  v.check(
    models.length <= 1,
    "instanceTypes",
    types,
    `mixes GPU configurations (${models.join(", ")}): every type of a pool needs the same GPU model and count, so that its labels and the autoscaler's node template hold for every node`,
  );

  const capacity = options.capacity ?? Capacity.onDemand();
  const critical = options.critical ?? false;
  v.check(
    !(critical && capacity.isSpot),
    "capacity",
    capacity.toString(),
    "a pool marked critical must use Capacity.onDemand(): spot nodes can be reclaimed with two minutes' notice",
  );

  const minNodes = options.minNodes ?? 0;
  const maxNodes = options.maxNodes;
  const desiredNodes = options.desiredNodes ?? minNodes;
  const whole = (x: number) => isUnresolved(x) || (Number.isInteger(x) && x >= 0);
  v.check(whole(minNodes), "minNodes", minNodes, "must be a whole number >= 0");
  v.check(whole(maxNodes) && maxNodes >= 1, "maxNodes", maxNodes, "must be a whole number >= 1");
  if (whole(minNodes) && whole(maxNodes) && maxNodes < minNodes) {
    v.fail(`maxNodes (${maxNodes}) is smaller than minNodes (${minNodes}); maxNodes must be >= minNodes`);
  } else if (whole(minNodes) && whole(maxNodes)) {
    v.check(
      Number.isInteger(desiredNodes) && desiredNodes >= minNodes && desiredNodes <= maxNodes,
      "desiredNodes",
      desiredNodes,
      `must be between minNodes (${minNodes}) and maxNodes (${maxNodes})`,
    );
  }

  const diskSizeGiB = options.diskSizeGiB ?? 200;
  v.check(
    Number.isInteger(diskSizeGiB) && diskSizeGiB >= 50 && diskSizeGiB <= 16384,
    "diskSizeGiB",
    diskSizeGiB,
    "must be a whole number of GiB from 50 (GPU images and drivers need room) to 16384 (gp3 maximum)",
  );

  const labels = options.labels ?? {};
  for (const key of Object.keys(labels)) {
    v.check(!RESERVED_LABELS.includes(key), "labels", key, `the pool sets ${RESERVED_LABELS.join(", ")} itself; choose another label key`);
  }
  for (const [field, value, allowed] of labelProblems("labels", labels)) v.check(false, field, value, allowed);

  const multiNode = options.multiNode ?? false;
  if (multiNode) {
    const withoutEfa = instances.filter((s) => !s.efa).map((s) => s.instanceType);
    v.check(
      withoutEfa.length === 0,
      "multiNode",
      true,
      `multi-node pools use EFA, which ${withoutEfa.join(", ")} ${withoutEfa.length === 1 ? "does" : "do"} not support; ` +
        `use an EFA-capable type (${GPU_INSTANCES.filter((s) => s.efa && s.gpuCount >= 8)
          .map((s) => s.instanceType)
          .join(", ")})`,
    );
  }
  const availabilityZone = options.availabilityZone ?? (multiNode ? env.availabilityZones[0] : undefined);
  if (options.availabilityZone !== undefined) {
    v.check(multiNode, "availabilityZone", options.availabilityZone, "only a multi-node pool is pinned to one zone; other pools span every zone");
    v.check(
      env.availabilityZones.includes(options.availabilityZone),
      "availabilityZone",
      options.availabilityZone,
      `must be one of the environment's zones: ${env.availabilityZones.join(", ")}`,
    );
  }
  const provisioner = options.provisioner ?? clusterProvisioner;
  const knownProvisioner = GPU_PROVISIONERS.includes(provisioner);
  v.check(knownProvisioner, "provisioner", provisioner, `must be one of ${GPU_PROVISIONERS.map((p) => `"${p}"`).join(", ")}`);
  if (provisioner === "karpenter") {
    // Karpenter launches nodes for pending pods only and has no minimum: a floor of warm nodes
    // it would not keep is a promise the pool cannot hold.
    v.check(
      isUnresolved(minNodes) || minNodes === 0,
      "minNodes",
      minNodes,
      "must be 0 for a Karpenter pool: Karpenter keeps no minimum (it launches nodes for pending pods and removes empty ones); " +
        'for warm nodes use provisioner "cluster-autoscaler" (a managed node group)',
    );
    v.check(
      options.desiredNodes === undefined || options.desiredNodes === 0,
      "desiredNodes",
      options.desiredNodes,
      "must be unset (or 0) for a Karpenter pool: Karpenter sizes the pool from pending pods, there is no node count to start with",
    );
  }
  v.throwIfAny();

  const worstHourlyUsd = Math.max(...instances.map((s) => s.onDemandUsdPerHour));
  return {
    name,
    instances,
    capacity,
    minNodes,
    maxNodes,
    desiredNodes,
    diskSizeGiB,
    labels,
    critical,
    multiNode,
    availabilityZone,
    provisioner,
    gpuModel: instances[0].gpuModel,
    gpusPerNode: instances[0].gpuCount,
    worstHourlyUsd,
    worstCaseMonthlyUsd: maxNodes * worstHourlyUsd * HOURS_PER_MONTH,
  };
}

/** The kinds of a pool declaration's fields; `name` is required in `gpuPools`, optional in `addGpuPool`'s options. */
export function gpuPoolShape(name: "required" | "optional") {
  return Shape.object(
    {
      name: name === "required" ? Shape.string() : Shape.optional(Shape.string()),
      instanceTypes: Shape.array(Shape.either('an instance type (GpuInstance.of("g6.xlarge") or "g6.xlarge")', Shape.string(), Shape.instanceOf(GpuInstance, "a GpuInstance"))),
      capacity: Shape.optional(Shape.instanceOf(Capacity, "Capacity.onDemand() or Capacity.spot()")),
      minNodes: Shape.optional(Shape.number()),
      maxNodes: Shape.number(),
      desiredNodes: Shape.optional(Shape.number()),
      diskSizeGiB: Shape.optional(Shape.number()),
      labels: Shape.optional(LibraryShapes.labels),
      critical: Shape.optional(Shape.boolean()),
      multiNode: Shape.optional(Shape.boolean()),
      availabilityZone: Shape.optional(Shape.string()),
      provisioner: Shape.optional(Shape.string()),
      // Renamed in 0.2 (units in names, as endpoints' minReplicas/maxReplicas).
      minSize: Shape.renamed("minNodes"),
      maxSize: Shape.renamed("maxNodes"),
      desiredSize: Shape.renamed("desiredNodes"),
    },
    "a GPU pool",
  );
}
