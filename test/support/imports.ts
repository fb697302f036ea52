/** Attributes of an existing VPC and KMS key (the test environment's region, account and range), for the fromAttributes tests. */
export const VPC = {
  vpcId: "vpc-0a1b2c3d4e5f67890",
  vpcCidr: "10.0.0.0/16",
  privateSubnetIds: ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0bbbbbbbbbbbbbbb2", "subnet-0ccccccccccccccc3"],
};
export const KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
