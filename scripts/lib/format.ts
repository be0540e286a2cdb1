/** How the scripts print keys. Never a secret: records hold none. No Node imports. */
import type { KeyRecord } from "../../src/lib/api-keys";

/** `2026-11-26` (UTC): a key's dates are whole days for a reader. */
export const day = (iso: string) => iso.slice(0, 10);

function expiry(record: KeyRecord, now: number): string {
  if (record.expiresAt === null) return "never expires";
  return `${Date.parse(record.expiresAt) <= now ? "expired" : "expires"} ${day(record.expiresAt)}`;
}

/** `created key_... for org_1 (test, standard, expires 2026-12-26)` */
export function createdLine(record: KeyRecord, now = Date.now()): string {
  return `created ${record.id} for ${record.orgId} (${record.mode}, ${record.tier}, ${expiry(record, now)})`;
}

/**
 * One line per key, in columns: id, tier, created, expiry, name (last, as JSON,
 * since it is free text).
 */
export function keyLines(records: readonly KeyRecord[], now = Date.now()): string[] {
  const sorted = [...records].sort(
    (a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id),
  );
  const idWidth = Math.max(0, ...sorted.map((r) => r.id.length));
  return sorted.map((r) =>
    [
      r.id.padEnd(idWidth),
      r.tier.padEnd(9),
      `created ${day(r.createdAt)}`,
      expiry(r, now).padEnd(18),
      JSON.stringify(r.name),
    ].join("  "),
  );
}
