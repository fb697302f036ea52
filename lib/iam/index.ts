export * from "./policy-statement";
export * from "./service-account-role";
