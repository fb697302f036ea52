import { Construct } from "constructs";
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { EcrLifecyclePolicy } from "@cdktf/provider-aws/lib/ecr-lifecycle-policy";
import { Environment } from "../core/environment";
import { IEnvironmentKey } from "../core/environment-key";
import { Validator } from "../core/errors";
import { LibraryShapes, Shape, checkShape } from "../core/shape";
import { claimPhysicalName } from "../core/physical-names";

export interface ImageRepositoryProps {
  /** Repository name, e.g. `ml-prod/training`. */
  readonly repositoryName: string;
  readonly key: IEnvironmentKey;
  /** Untagged images (failed or superseded pushes) are deleted after this many days. @default 14 */
  readonly untaggedExpiryDays?: number;
  /** Tagged images kept; older ones beyond this count are deleted. @default 500 */
  readonly maxImages?: number;
}

/**
 * An ECR repository for training or serving images: immutable tags (a tag names one
 * image for ever, so a model endpoint cannot silently change), scan on push, KMS
 * encryption with the environment key, and a lifecycle policy so storage does not grow
 * without bound.
 */
export class ImageRepository extends Construct {
  public readonly repository: EcrRepository;

  constructor(scope: Construct, id: string, props: ImageRepositoryProps) {
    super(scope, id);
    checkShape(this.node.path, props, {
      repositoryName: Shape.string(),
      key: LibraryShapes.key,
      untaggedExpiryDays: Shape.optional(Shape.number()),
      maxImages: Shape.optional(Shape.number()),
    });
    const env = Environment.of(this);
    const untaggedExpiryDays = props.untaggedExpiryDays ?? 14;
    const maxImages = props.maxImages ?? 500;
    const v = new Validator(this.node.path);
    v.check(
      /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/.test(props.repositoryName) && props.repositoryName.length <= 256,
      "repositoryName",
      props.repositoryName,
      "must be an ECR repository name: lowercase letters, digits, '.', '_', '-' and '/' separated path parts",
    );
    v.check(Number.isInteger(untaggedExpiryDays) && untaggedExpiryDays >= 1, "untaggedExpiryDays", untaggedExpiryDays, "must be a whole number of days >= 1");
    v.check(Number.isInteger(maxImages) && maxImages >= 1, "maxImages", maxImages, "must be a whole number >= 1");
    v.throwIfAny();
    claimPhysicalName(this, "ECR repository", "repositoryName", props.repositoryName, "region");

    this.repository = new EcrRepository(this, "repository", {
      name: props.repositoryName,
      imageTagMutability: "IMMUTABLE",
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: [{ encryptionType: "KMS", kmsKey: props.key.keyArn }],
      forceDelete: !env.protectsData,
    });
    new EcrLifecyclePolicy(this, "lifecycle", {
      repository: this.repository.name,
      policy: JSON.stringify({
        rules: [
          {
            rulePriority: 1,
            description: `expire untagged images after ${untaggedExpiryDays} days`,
            selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: untaggedExpiryDays },
            action: { type: "expire" },
          },
          {
            rulePriority: 2,
            description: `keep the newest ${maxImages} images`,
            selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: maxImages },
            action: { type: "expire" },
          },
        ],
      }),
    });
  }

  public get repositoryUrl(): string {
    return this.repository.repositoryUrl;
  }

  public get repositoryArn(): string {
    return this.repository.arn;
  }
}
