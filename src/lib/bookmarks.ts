/**
 * A D1 bookmark as sessions return them: three 8-digit hex counters and a
 * hex hash (32 digits locally; D1's docs also show 64).
 */
const BOOKMARK = /^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{32,64}$/;

export const isBookmark = (value: unknown): value is string =>
  typeof value === "string" && BOOKMARK.test(value);

/** D1 bookmarks sort lexicographically from oldest to newest (D1 Time Travel docs). */
export function laterBookmark(a: string, b: string | null): string {
  return b !== null && b > a ? b : a;
}
