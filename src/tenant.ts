export const MODES = ["test", "live"] as const;
export type Mode = (typeof MODES)[number];

/** The tenant every query is scoped to: one (organization, mode) world. */
export type Tenant = { orgId: string; mode: Mode };
