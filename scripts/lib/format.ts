/** How the scripts print keys. Never a secret: records and listings hold none. No Node imports. */
import type { KeyRecord } from "../../src/lib/api-keys";
import type { ListedKey } from "./listing";

/** `2026-11-26` (UTC): a key's dates are whole days for a reader. */
const day = (time: string | number) => new Date(time).toISOString().slice(0, 10);

function expiry(expiresAt: string | number | null, now: number): string {
  if (expiresAt === null) return "never expires";
  return `${new Date(expiresAt).getTime() <= now ? "expired" : "expires"} ${day(expiresAt)}`;
}

/** `created key_... for org_1 (test, standard, expires 2026-12-26)` */
export function createdLine(record: KeyRecord, now = Date.now()): string {
  return `created ${record.id} for ${record.orgId} (${record.mode}, ${record.tier}, ${expiry(record.expiresAt, now)})`;
}

/**
 * One line per key, in the order given (the listing's: newest first), in
 * columns: id, tier, created, expiry, last used, maker (the operator, or the
 * key that made it over the API), name (last, as JSON, since it is free text).
 */
export function keyLines(keys: readonly ListedKey[], now = Date.now()): string[] {
  const idWidth = Math.max(0, ...keys.map((k) => k.id.length));
  const makerWidth = Math.max(11, ...keys.map((k) => 3 + (k.createdBy?.length ?? 0)));
  return keys.map((k) =>
    [
      k.id.padEnd(idWidth),
      k.tier.padEnd(9),
      `created ${day(k.createdAt)}`,
      expiry(k.expiresAt, now).padEnd(18),
      (k.lastUsedAt === null ? "never used" : `last used ${day(k.lastUsedAt)}`).padEnd(20),
      (k.createdBy === null ? "by operator" : `by ${k.createdBy}`).padEnd(makerWidth),
      JSON.stringify(k.name),
    ].join("  "),
  );
}
