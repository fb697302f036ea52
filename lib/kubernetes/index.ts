export * from "./charts";
export * from "./helm-chart";
export * from "./monitoring";
export * from "./kubernetes";
export * from "./external-secrets";
export * from "./reloader";
export * from "./network-policy";
export * from "./cluster-baseline";
