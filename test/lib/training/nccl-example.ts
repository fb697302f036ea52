import * as path from "path";
import { ncclAllReduceTrainJob } from "../../../lib";
import { synthReferenceApp } from "../../support/reference-app";

/**
 * The NCCL all-reduce test job shipped in examples/training/: exactly what the library
 * generates for production's EFA pool (nccl-test.test.ts compares; UPDATE_EXAMPLES=1
 * regenerates). render.test.ts validates it against the rendered TrainJob CRD.
 */
export const NCCL_EXAMPLE = path.resolve(__dirname, "..", "..", "..", "examples", "training", "nccl-all-reduce.yaml");

/** Production's NCCL test job: team vision, the multi-node H100 pool, the environment's own training repository. */
export function productionNcclJob(): Record<string, unknown> {
  const prod = synthReferenceApp().stacks.find((s) => s.environment.isProduction)!;
  const env = prod.environment;
  return ncclAllReduceTrainJob(prod.training, {
    team: "vision",
    pool: "h100-multinode",
    image: `${env.accountId}.dkr.ecr.${env.region}.amazonaws.com/${env.prefix}/training:nccl-efa`,
    nodes: 2,
    minBusBandwidthGBps: 100,
  });
}
