export * from "./core";
export * from "./network";
export * from "./iam";
export * from "./storage";
export * from "./terraform";
export * from "./platform";
export * from "./gpu-cluster";
export * from "./policy";
