export * from "./cluster-interface";
