import { errorOf } from "../../support/synth";
import { trainingFixture } from "./fixture";

describe("DistributedTraining refuses bad team quotas, one clear error each", () => {
  test("a quota on a pool the cluster does not have", () => {
    const { training } = trainingFixture();
    expect(errorOf(() => training.addTeam("vision", { gpuQuota: { a10g: 8 } }))).toBe(
      'test-platform/training/team "vision": gpuQuota.a10g is 8; "a10g" is not a GPU pool of the cluster (pools: "general", "multi"): a quota needs the pool\'s ResourceFlavor',
    );
  });

  test("a team quota above what its pool can hold (maxNodes x GPUs per node)", () => {
    const { training } = trainingFixture();
    expect(errorOf(() => training.addTeam("vision", { gpuQuota: { multi: 24 } }))).toBe(
      'test-platform/training/team "vision": gpuQuota.multi is 24; pool "multi" holds at most 16 GPUs (maxNodes 2 x 8 A10G per node): Kueue would admit jobs no node can run; lower the quota or raise the pool\'s maxNodes',
    );
  });

  test("the teams' quotas on a pool together above what it holds (the budget guard over team quotas)", () => {
    const { training } = trainingFixture();
    training.addTeam("vision", { gpuQuota: { multi: 8 } });
    expect(errorOf(() => training.addTeam("nlp", { gpuQuota: { multi: 16 } }))).toBe(
      'test-platform/training: the teams\' GPU quotas on pool "multi" add up to 24 (vision 8, nlp 16); the pool holds at most 16 (maxNodes 2 x 8 A10G per node): ' +
        "lower the quotas (teams borrow each other's idle GPUs anyway) or raise the pool's maxNodes",
    );
  });

  test("a fractional or negative quota, and a borrowing limit on an unknown pool", () => {
    const { training } = trainingFixture();
    expect(errorOf(() => training.addTeam("vision", { gpuQuota: { general: 1.5 } }))).toBe(
      'test-platform/training/team "vision": gpuQuota.general is 1.5; must be a whole number of GPUs >= 0',
    );
    expect(errorOf(() => training.addTeam("vision", { gpuQuota: { general: 1 }, gpuBorrowingLimit: { h100: 2 } }))).toBe(
      'test-platform/training/team "vision": gpuBorrowingLimit.h100 is 2; "h100" is not a GPU pool of the cluster (pools: "general", "multi"): a quota needs the pool\'s ResourceFlavor',
    );
  });

  test("two teams in one namespace, and a team in the shared training namespace", () => {
    const { training } = trainingFixture();
    training.addTeam("vision", { gpuQuota: { general: 1 } });
    expect(errorOf(() => training.addTeam("nlp", { namespace: "vision", gpuQuota: { general: 1 } }))).toBe(
      'test-platform/training/team "nlp": namespace is "vision"; another team already uses this namespace: each team has its own',
    );
    expect(errorOf(() => training.addTeam("shared", { namespace: "training", gpuQuota: { general: 1 } }))).toBe(
      'test-platform/training/team "shared": namespace is "training"; is the cluster\'s shared training namespace (GpuClusterAddons owns it): choose a namespace of the team\'s own',
    );
  });
});
