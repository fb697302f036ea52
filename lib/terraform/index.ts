export * from "./offline";
export * from "./state-from-plan";
export * from "./upgrade-harness";
export type { CtyType } from "./private/fake-values";
