export * from "./alert-receiver";
export * from "./dashboard";
export * from "./observability-secrets";
export * from "./observability";
