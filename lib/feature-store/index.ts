export * from "./feature-store";
export * from "./feature-server";
