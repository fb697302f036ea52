import { WorkloadOptions } from "../cluster-capacity";

const TOLERATE_ALL = [{ operator: "Exists" as const }];

/**
 * The pods of the EKS add-ons GpuTrainingCluster installs (not rendered by the library: EKS
 * applies them), with the requests and placement of their upstream manifests. They count in
 * the capacity model like the library's own workloads: the DaemonSets on every node, the
 * Deployments on the untainted system nodes.
 */
export const EKS_ADDON_WORKLOADS: readonly WorkloadOptions[] = [
  {
    // Init container aws-vpc-cni-init 25m; containers aws-node 25m and aws-network-policy-agent 25m
    // (nodeAgent.resources defaults to resources); no memory request; tolerations: [Exists].
    kind: "DaemonSet",
    namespace: "kube-system",
    name: "aws-node",
    requests: { cpu: "50m" },
    tolerations: TOLERATE_ALL,
    source: "aws/amazon-vpc-cni-k8s charts/aws-vpc-cni 1.23.1 values.yaml (resources.requests.cpu 25m, tolerations) and templates/daemonset.yaml, commit b5218838",
  },
  {
    kind: "DaemonSet",
    namespace: "kube-system",
    name: "kube-proxy",
    requests: { cpu: "100m" },
    tolerations: TOLERATE_ALL,
    source: "EKS kube-proxy add-on DaemonSet: cpu 100m as in kubernetes/kubernetes cluster/addons/kube-proxy, no memory request (aws/containers-roadmap#1509)",
  },
  {
    // ebs-plugin 10m/40Mi (node.resources), node-driver-registrar and liveness-probe 10m/32Mi each
    // (the template's defaults when sidecars.*.resources is empty). The cluster sets node.tolerateAllTaints.
    kind: "DaemonSet",
    namespace: "kube-system",
    name: "ebs-csi-node",
    requests: { cpu: "30m", memory: "104Mi" },
    tolerations: TOLERATE_ALL,
    source: "kubernetes-sigs/aws-ebs-csi-driver charts/aws-ebs-csi-driver 2.64.0 values.yaml node.resources, templates/_node.tpl, commit 429e202e",
  },
  {
    // ebs-plugin, csi-provisioner, csi-attacher, csi-resizer 10m/40Mi each (controller.resources),
    // liveness-probe 10m/32Mi; csi-snapshotter only with the snapshot CRDs, which EKS does not install.
    // Tolerations CriticalAddonsOnly and NoExecute only: never on the GPU taint (NoSchedule).
    kind: "Deployment",
    namespace: "kube-system",
    name: "ebs-csi-controller",
    replicas: 2,
    requests: { cpu: "50m", memory: "192Mi" },
    tolerations: [
      { key: "CriticalAddonsOnly", operator: "Exists" },
      { operator: "Exists", effect: "NoExecute" },
    ],
    source:
      "kubernetes-sigs/aws-ebs-csi-driver charts/aws-ebs-csi-driver 2.64.0 values.yaml controller (replicaCount 2, resources, tolerations), templates/controller.yaml, commit 429e202e",
  },
  {
    kind: "Deployment",
    namespace: "kube-system",
    name: "coredns",
    replicas: 2,
    requests: { cpu: "100m", memory: "70Mi" },
    tolerations: [
      { key: "CriticalAddonsOnly", operator: "Exists" },
      { key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" },
    ],
    source: "EKS CoreDNS add-on: 2 replicas; requests cpu 100m, memory 70Mi as kubernetes/kubernetes cluster/addons/dns/coredns/coredns.yaml.base",
  },
  {
    kind: "Deployment",
    namespace: "kube-system",
    name: "metrics-server",
    replicas: 1,
    requests: { cpu: "100m", memory: "200Mi" },
    source:
      "kubernetes-sigs/metrics-server chart 3.13.1 values.yaml (replicas 1, resources.requests cpu 100m, memory 200Mi, no tolerations), which the EKS community add-on packages",
  },
];
