/**
 * `pgrp` plan group, `plan` plan, `key` API key, `whep` webhook endpoint,
 * `whev` event, `whdl` delivery, `what` delivery attempt.
 */
type IdPrefix = "pgrp" | "plan" | "key" | "whep" | "whev" | "whdl" | "what";

const CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz";
const TIME_LIMIT = 32 ** 10 - 1;

/**
 * `prefix_` + 10 chars of millisecond time + 16 random chars (Crockford
 * base32), so IDs sort by creation time as strings, like ULIDs.
 * Within one millisecond the random tail decides the order, which is still a
 * total order: pagination by ID never skips or repeats a row.
 */
export function newId(prefix: IdPrefix, now = Date.now()): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let rand = "";
  for (const b of bytes) rand += CROCKFORD[b % 32];
  return `${idFloor(prefix, now)}${rand}`;
}

/**
 * How far an event's ID time may be from its `created_at` (a write takes its
 * time before its IDs are made): time bounds turned into ID bounds are this
 * much wider, and `created_at` decides exactly.
 */
export const ID_SKEW_MS = 60_000;

/**
 * `prefix_` + the time part of `ms`: every ID of `prefix` made before `ms`
 * sorts below it, every one made at `ms` or later at or above it, so a time
 * range is an ID range (and reads by an index on the ID).
 */
export function idFloor(prefix: IdPrefix, ms: number): string {
  let time = "";
  // Clamped to the times ten characters hold (about year 37,000): Infinity is "no bound".
  let t = Math.min(Math.max(0, Math.floor(ms)), TIME_LIMIT);
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32] + time;
    t = Math.floor(t / 32);
  }
  return `${prefix}_${time}`;
}

export const ID_PATTERN = /^[a-z]+_[0-9a-z]{26}$/;
