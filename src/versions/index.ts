import { v20260711 } from "./2026-07-11";
import { v20260731 } from "./2026-07-31";
import type { ApiVersion } from "./ids";
import type { Version } from "./types";

/** Every generation served, by its date: adding one is a file and a line here (and in ids.ts). */
export const VERSIONS: Record<ApiVersion, Version> = {
  "2026-07-11": v20260711,
  "2026-07-31": v20260731,
};
