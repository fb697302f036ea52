import { TerraformStack } from "cdktf";
import { checkStack } from "../../lib/policy";
import { stackJsonFromDir, synthReferenceApp } from "../support/reference-app";

/**
 * The reference platform passes its own policy pack: staging and production have no
 * unsuppressed finding of any severity, and no stack of any environment has an
 * unsuppressed high one (which would fail `npm run policy`).
 */
describe("the reference platform against the policy pack", () => {
  const { outdir, stacks } = synthReferenceApp();
  const all = stacks.flatMap(({ environment, ...rest }) =>
    (Object.values(rest) as unknown[]).filter((s): s is TerraformStack => s instanceof TerraformStack).map((s) => ({ environment, name: s.node.id })),
  );

  for (const { environment, name } of all) {
    const report = () => checkStack(name, stackJsonFromDir(outdir, name));
    if (environment.protectsData) {
      test(`${name} (${environment.tier}) has no unsuppressed finding`, () => {
        expect(report().findings.map((f) => `${f.severity} ${f.ruleId} ${f.resourceAddress}`)).toEqual([]);
      });
    } else {
      test(`${name} (${environment.tier}) has no unsuppressed high-severity finding`, () => {
        expect(
          report()
            .findings.filter((f) => f.severity === "high")
            .map((f) => `${f.ruleId} ${f.resourceAddress}`),
        ).toEqual([]);
      });
    }
    test(`${name}: every suppression still matches a finding`, () => {
      expect(
        report()
          .suppressions.filter((s) => s.matched === 0)
          .map((s) => `${s.ruleId} at ${s.constructPath}`),
      ).toEqual([]);
    });
  }

  describe("the rules see the reference stacks' real shapes: breaking a control in ml-prod-infra is found", () => {
    const prodInfra = () => stackJsonFromDir(outdir, "ml-prod-infra");
    const ruleIds = (json: object) => checkStack("ml-prod-infra", json).findings.map((f) => `${f.ruleId} ${f.resourceAddress.split(".")[0]}`);

    test("no flow log on the VPC", () => {
      const json = prodInfra();
      delete json.resource.aws_flow_log;
      expect(ruleIds(json)).toEqual(["VPC-FLOW-LOGS aws_vpc"]);
    });

    test("no public access block on the buckets", () => {
      const json = prodInfra();
      delete json.resource.aws_s3_bucket_public_access_block;
      expect(new Set(ruleIds(json))).toEqual(new Set(["S3-PUBLIC-ACCESS-BLOCK aws_s3_bucket"]));
    });

    test("EKS secrets not encrypted", () => {
      const json = prodInfra();
      for (const c of Object.values(json.resource.aws_eks_cluster) as any[]) delete c.encryption_config;
      expect(ruleIds(json)).toEqual(["EKS-SECRETS-KMS aws_eks_cluster"]);
    });

    test("launch templates allowing IMDSv1 are found on the templates and on their node groups", () => {
      const json = prodInfra();
      for (const t of Object.values(json.resource.aws_launch_template) as any[]) t.metadata_options = { ...t.metadata_options, http_tokens: "optional" };
      expect(new Set(ruleIds(json))).toEqual(new Set(["EC2-IMDSV2 aws_launch_template", "EKS-NODEGROUP-IMDSV2 aws_eks_node_group"]));
    });
  });
});
