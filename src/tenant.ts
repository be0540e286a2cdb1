export type Mode = "test" | "live";

/** The tenant every query is scoped to: one (organization, mode) world. */
export type Tenant = { orgId: string; mode: Mode };
