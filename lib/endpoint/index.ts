export * from "./model-source";
export * from "./endpoint-metrics";
export * from "./slo";
export * from "./monitored-endpoint-props";
export * from "./monitored-endpoint";
export * from "./delivery-options";
export * from "./inference-log-bucket";
export * from "./drift-monitor";
