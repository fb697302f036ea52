import { DriftMonitor, DriftMonitorProps, InferenceLogBucket } from "../../../lib";
import { endpointFixture } from "./fixture";

export const LOG_BUCKET = "ml-test-inference-logs-123456789012";
export const REFERENCE_URI = "s3://ml-test-reference/ranker/reference.jsonl";

/** An endpoint "fraud" logging to an InferenceLogBucket, and a function making its DriftMonitor. */
export function driftFixture(tier: "development" | "production" = "development") {
  const f = endpointFixture({ tier });
  const logs = new InferenceLogBucket(f.infra, "inference-logs", { key: f.cluster.key, bucketName: LOG_BUCKET });
  const endpointRole = f.role("fraud");
  const endpoint = f.endpoint("fraud", { serviceAccountRole: endpointRole, inferenceLogs: logs, ...(tier === "production" ? { minReplicas: 2 } : {}) });
  const driftRole = f.role("fraud-drift");
  const monitor = (props: Partial<DriftMonitorProps> = {}, id = "fraud-drift") =>
    new DriftMonitor(f.platform, id, {
      endpoint,
      serviceAccountRole: driftRole,
      inferenceLogs: logs,
      referenceUri: REFERENCE_URI,
      features: ["amount", "merchant_category"],
      image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/drift-job:1.0.0",
      ...props,
    });
  return { ...f, makeEndpoint: f.endpoint, logs, endpointRole, endpoint, driftRole, monitor };
}
