export * from "./prices";
