import { DashboardOptions } from "../dashboard";

/**
 * GPU health of every node, from dcgm-exporter's DCGM_FI_DEV_* gauges (one series per
 * GPU: labels `Hostname`, `gpu`, `modelName`, and `namespace`/`pod` of the pod using it).
 */
export const DCGM_DASHBOARD: DashboardOptions = {
  uid: "ml-platform-dcgm-gpus",
  title: "GPUs (NVIDIA DCGM)",
  tags: ["ml-platform", "gpu", "dcgm"],
  panels: [
    {
      title: "GPU utilisation",
      unit: "percent",
      queries: [{ expr: "avg by (Hostname, gpu) (DCGM_FI_DEV_GPU_UTIL)", legend: "{{Hostname}} gpu {{gpu}}" }],
    },
    {
      title: "GPU memory used",
      unit: "decmbytes",
      description: "Frame buffer used (DCGM reports MiB)",
      queries: [
        { expr: "max by (Hostname, gpu) (DCGM_FI_DEV_FB_USED)", legend: "{{Hostname}} gpu {{gpu}} used" },
        { expr: "max by (Hostname, gpu) (DCGM_FI_DEV_FB_USED + DCGM_FI_DEV_FB_FREE)", legend: "{{Hostname}} gpu {{gpu}} total" },
      ],
    },
    {
      title: "GPU temperature",
      unit: "celsius",
      queries: [{ expr: "max by (Hostname, gpu) (DCGM_FI_DEV_GPU_TEMP)", legend: "{{Hostname}} gpu {{gpu}}" }],
    },
    {
      title: "GPU power draw",
      unit: "watt",
      queries: [{ expr: "max by (Hostname, gpu) (DCGM_FI_DEV_POWER_USAGE)", legend: "{{Hostname}} gpu {{gpu}}" }],
    },
  ],
};
