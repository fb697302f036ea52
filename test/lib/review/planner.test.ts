import { mapLimit, resourceCount } from "../../../lib/review/planner";

describe("mapLimit", () => {
  test("GIVEN costs WHEN mapping THEN the costliest items start first and results keep the items' order", async () => {
    const started: string[] = [];
    const items = ["small", "large", "medium", "free"];
    const cost: Record<string, number> = { small: 1, large: 9, medium: 5, free: 0 };
    const results = await mapLimit(
      items,
      1,
      async (item) => {
        started.push(item);
        return item.toUpperCase();
      },
      (item) => cost[item],
    );
    expect(started).toEqual(["large", "medium", "small", "free"]);
    expect(results).toEqual(["SMALL", "LARGE", "MEDIUM", "FREE"]);
  });

  test("GIVEN no costs WHEN mapping THEN items start in their order", async () => {
    const started: number[] = [];
    await mapLimit([3, 1, 2], 1, async (n) => {
      started.push(n);
    });
    expect(started).toEqual([3, 1, 2]);
  });
});

describe("resourceCount", () => {
  test("counts managed resources across types; data sources are not resources", () => {
    expect(resourceCount({ resource: { aws_s3_bucket: { a: {}, b: {} }, aws_iam_role: { r: {} } }, data: { aws_iam_policy_document: { d: {} } } })).toBe(3);
    expect(resourceCount({})).toBe(0);
  });
});
