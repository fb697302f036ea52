export * from "./errors";
export * from "./environment";
export * from "./environment-key";
export * from "./stacks";
export * from "./data-protection";
export * from "./stateful-resources";
export * from "./shape";
export * from "./stack-records";
