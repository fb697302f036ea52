export * from "./secure-bucket";
export * from "./bootstrap-stack";
