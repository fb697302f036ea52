import { GPU_INSTANCES, GpuInstance } from "../../../lib";
import { GPU_PRICES } from "../../../lib/gpu-cluster";
import { errorOf } from "../../support/synth";

describe("GPU instance catalog", () => {
  test("covers the g5, g6, g6e, p4d and p5 families", () => {
    // GIVEN the catalog  THEN every family the platform offers is present
    expect(new Set(GPU_INSTANCES.map((s) => s.family))).toEqual(new Set(["g5", "g6", "g6e", "p4d", "p5"]));
  });

  test("has no duplicate instance type", () => {
    const types = GPU_INSTANCES.map((s) => s.instanceType);
    expect(new Set(types).size).toBe(types.length);
  });

  test("every entry has positive specs and a price, and its family matches its type", () => {
    for (const s of GPU_INSTANCES) {
      expect([s.instanceType, s.family]).toEqual([s.instanceType, s.instanceType.split(".")[0]]);
      expect([s.instanceType, s.gpuCount > 0 && s.gpuMemoryGiB > 0 && s.vcpu > 0 && s.memoryGiB > 0 && s.onDemandUsdPerHour > 0]).toEqual([s.instanceType, true]);
    }
  });

  test("prices state their date, source and region", () => {
    expect(GPU_PRICES.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(GPU_PRICES.source).toMatch(/pricing/i);
    expect(GPU_PRICES.region).toBe("us-east-1");
  });

  test("known figures: g5.xlarge is one 24 GiB A10G, p5.48xlarge is eight H100 with EFA", () => {
    expect(GpuInstance.of("g5.xlarge").spec).toMatchObject({ gpuModel: "A10G", gpuCount: 1, gpuMemoryGiB: 24, vcpu: 4, memoryGiB: 16, efa: false });
    expect(GpuInstance.of("p5.48xlarge").spec).toMatchObject({ gpuModel: "H100", gpuCount: 8, gpuMemoryGiB: 80, efa: true, efaInterfaces: 32 });
  });

  test("within a family and GPU count, more vCPUs never cost less (guards against a slipped decimal point)", () => {
    for (const a of GPU_INSTANCES) {
      for (const b of GPU_INSTANCES.filter((x) => x.family === a.family && x.gpuCount === a.gpuCount && x.vcpu > a.vcpu)) {
        expect([a.instanceType, b.instanceType, b.onDemandUsdPerHour > a.onDemandUsdPerHour]).toEqual([a.instanceType, b.instanceType, true]);
      }
    }
  });

  test("GpuInstance.of refuses an unknown type, listing the catalog", () => {
    expect(errorOf(() => GpuInstance.of("g5.huge"))).toMatch(/^GpuInstance.of: instanceType is "g5.huge"; not in the GPU instance catalog: must be one of g5.xlarge, g5.2xlarge, /);
  });

  test("GpuInstance.of refuses a CPU type", () => {
    expect(errorOf(() => GpuInstance.of("m6i.large"))).toBe(
      'GpuInstance.of: instanceType is "m6i.large"; m6i.large has no GPU: a GPU pool takes only GPU instance types (families g5, g6, g6e, p4d, p5)',
    );
  });

  test("monthlyUsd is the hourly price times 730 hours", () => {
    expect(GpuInstance.of("g5.xlarge").monthlyUsd).toBeCloseTo(1.006 * 730, 6);
  });
});
