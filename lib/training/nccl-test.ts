import { ConfigError, Validator, formatValue } from "../core/errors";
import { imageReferenceProblem, objectNameProblem } from "../core/validators";
import { DistributedTraining, runtimeNameOf } from "./distributed-training";
import { KUEUE, TRAINER } from "./kueue-api";

export interface NcclAllReduceTestOptions {
  /** The team whose queue runs the test (its namespace and `default` LocalQueue). */
  readonly team: string;
  /** The GPU pool to test, by name: its ClusterTrainingRuntime. */
  readonly pool: string;
  /**
   * An image with PyTorch, NCCL and, for EFA, libfabric and the aws-ofi-nccl plugin: without the
   * plugin NCCL falls back to TCP sockets and the test measures the ENA network, not EFA. AWS's
   * Deep Learning Containers for PyTorch training (EC2 variants) ship all three.
   */
  readonly image: string;
  /** Nodes (all GPUs of each). @default 2 */
  readonly nodes?: number;
  /** @default "nccl-all-reduce" */
  readonly name?: string;
  /** The job fails when the measured all-reduce bus bandwidth is below this (GB/s). @default 0 (report only) */
  readonly minBusBandwidthGBps?: number;
}

/**
 * The all-reduce benchmark run by torchrun on every node (Trainer sets the PET_* rendezvous
 * variables torchrun reads). Bus bandwidth as nccl-tests defines it (NVIDIA/nccl-tests
 * doc/PERFORMANCE.md: busbw = algbw x 2(n-1)/n for all-reduce).
 */
const ALL_REDUCE_SCRIPT = `
import os, sys, time, torch, torch.distributed as dist
dist.init_process_group("nccl")
rank, world = dist.get_rank(), dist.get_world_size()
torch.cuda.set_device(int(os.environ["LOCAL_RANK"]))
x = torch.ones(256 * 1024 * 1024 // 4, device="cuda")  # 256 MiB of float32
for _ in range(5): dist.all_reduce(x)
torch.cuda.synchronize()
iters = 20
start = time.time()
for _ in range(iters): dist.all_reduce(x)
torch.cuda.synchronize()
seconds = (time.time() - start) / iters
algbw = x.numel() * 4 / seconds / 1e9
busbw = algbw * 2 * (world - 1) / world
minimum = float(os.environ.get("MIN_BUS_BANDWIDTH_GBPS", "0"))
if rank == 0:
    print(f"all_reduce 256MiB over {world} GPUs: {seconds * 1e3:.2f} ms, algbw {algbw:.1f} GB/s, busbw {busbw:.1f} GB/s (minimum {minimum})", flush=True)
dist.destroy_process_group()
sys.exit(1 if busbw < minimum else 0)
`.trim();

/**
 * A TrainJob that measures NCCL all-reduce bandwidth across `nodes` nodes of a pool, through
 * the pool's runtime (EFA and NCCL settings included) and the team's queue (gang admission).
 * Not applied by the library: write it to a file and `kubectl apply -f` it after deploy.
 */
export function ncclAllReduceTrainJob(training: DistributedTraining, options: NcclAllReduceTestOptions): Record<string, unknown> {
  const where = `${training.node.path} NCCL test`;
  const nodes = options.nodes ?? 2;
  const name = options.name ?? "nccl-all-reduce";
  const minimum = options.minBusBandwidthGBps ?? 0;
  const team = training.teams.find((t) => t.name === options.team);
  const pool = training.cluster.gpuPools.find((p) => p.name === options.pool);
  const v = new Validator(where);
  v.check(
    team !== undefined,
    "team",
    options.team,
    `must be a team of ${training.node.path} (${training.teams.map((t) => `"${t.name}"`).join(", ") || "none yet: addTeam first"})`,
  );
  v.check(pool !== undefined, "pool", options.pool, `must be a GPU pool of the cluster (${training.cluster.gpuPools.map((p) => `"${p.name}"`).join(", ")})`);
  v.checkProblem("image", options.image, imageReferenceProblem(options.image));
  v.checkProblem("name", name, objectNameProblem(name));
  v.check(typeof minimum === "number" && minimum >= 0, "minBusBandwidthGBps", minimum, "must be a number of GB/s >= 0");
  if (pool) {
    v.check(Number.isInteger(nodes) && nodes >= 1 && nodes <= pool.maxNodes, "nodes", nodes, `must be a whole number from 1 to pool "${pool.name}"'s maxNodes (${pool.maxNodes})`);
  }
  v.throwIfAny();
  if (!team || !pool) throw new ConfigError([`${where}: ${formatValue(options)}`]);
  return {
    apiVersion: TRAINER.api,
    kind: "TrainJob",
    metadata: { name, namespace: team.namespace, labels: { [KUEUE.queueLabel]: team.localQueue } },
    spec: {
      runtimeRef: { name: runtimeNameOf(pool.name) },
      trainer: {
        numNodes: nodes,
        numProcPerNode: pool.gpusPerNode,
        image: options.image,
        command: ["bash", "-c", `cat > /tmp/all_reduce.py <<'PY'\n${ALL_REDUCE_SCRIPT}\nPY\nexec torchrun /tmp/all_reduce.py`],
        env: [
          // INFO prints the transport NCCL chose: "NET/OFI Selected provider is efa" on an EFA pool.
          { name: "NCCL_DEBUG", value: "INFO" },
          { name: "MIN_BUS_BANDWIDTH_GBPS", value: String(minimum) },
        ],
      },
    },
  };
}
