import { Construct } from "constructs";
import { PriorityClassV1 } from "@cdktf/provider-kubernetes/lib/priority-class-v1";
import { StorageClassV1 } from "@cdktf/provider-kubernetes/lib/storage-class-v1";
import { Environment } from "../core/environment";
import { ENCRYPTED_GP3_STORAGE_CLASS, PRIORITY_CLASSES } from "./kubernetes";
import { ITrainingCluster } from "../gpu-cluster/cluster-interface";
import { LibraryShapes, checkShape } from "../core/shape";

export interface ClusterBaselineProps {
  readonly cluster: ITrainingCluster;
}

/**
 * Cluster-wide objects every later workload assumes exist, for the first in-cluster stack
 * (the addons stack): the encrypted gp3 default StorageClass, which Prometheus, Alertmanager
 * and Grafana claim volumes from in that same stack, and the PriorityClasses that let
 * serving preempt training. Created before anything that uses them, so a first apply
 * does not leave a volume Pending until Helm's wait times out.
 */
export class ClusterBaseline extends Construct {
  public readonly storageClass: StorageClassV1;
  public readonly trainingPriority: PriorityClassV1;
  public readonly servingPriority: PriorityClassV1;

  constructor(scope: Construct, id: string, props: ClusterBaselineProps) {
    super(scope, id);
    checkShape(this.node.path, props, {
      cluster: LibraryShapes.cluster,
    });
    const env = Environment.of(this);
    this.trainingPriority = new PriorityClassV1(this, "priority-training", {
      metadata: { name: PRIORITY_CLASSES.training },
      value: 1000,
      // Training waits for room instead of evicting anything.
      preemptionPolicy: "Never",
      description: "Preemptible batch training: yields to model serving",
    });
    this.servingPriority = new PriorityClassV1(this, "priority-serving", {
      metadata: { name: PRIORITY_CLASSES.serving },
      value: 100000,
      preemptionPolicy: "PreemptLowerPriority",
      description: "Model endpoints: may preempt training, never preempted by it",
    });
    this.storageClass = new StorageClassV1(this, "gp3-encrypted", {
      metadata: {
        name: ENCRYPTED_GP3_STORAGE_CLASS,
        annotations: { "storageclass.kubernetes.io/is-default-class": "true" },
      },
      storageProvisioner: "ebs.csi.aws.com",
      parameters: { type: "gp3", encrypted: "true", kmsKeyId: props.cluster.key.keyArn },
      // Volumes outlive their claims where data is protected (Prometheus history, for one).
      reclaimPolicy: env.protectsData ? "Retain" : "Delete",
      volumeBindingMode: "WaitForFirstConsumer",
      allowVolumeExpansion: true,
    });
  }
}
