export * from "./rule";
export * from "./stack-index";
export * from "./pack";
export * from "./suppressions";
export * from "./check";
export * from "./format";
export * from "./checkov";
export type { PolicyDocument, Statement as PolicyDocumentStatement } from "./private/policy-document";
