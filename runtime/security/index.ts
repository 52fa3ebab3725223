/** Security: rules rendering, roles from custom claims, the audit trail and audited actions. */
export * from "./actions";
export * from "./audit";
export * from "./collections";
export * from "./roles";
export * from "./rules";
