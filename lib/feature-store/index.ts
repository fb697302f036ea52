export * from "./feature-store";
export * from "./feature-server";
export * from "./feast-image";
