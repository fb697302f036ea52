export * from "./secure-bucket";
export * from "./bootstrap-stack";
export * from "./access-log-bucket";
