export * from "./auth";
export * from "./model-reference";
export * from "./postgres-catalog";
export * from "./registry-database";
export * from "./model-registry";
export * from "./mlflow-server";
export * from "./model-registry-interface";
export * from "./database-bootstrap";
