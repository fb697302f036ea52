export * from "./kueue-api";
export * from "./training-alerts";
export * from "./training-operator";
export * from "./distributed-training";
export * from "./nccl-test";
