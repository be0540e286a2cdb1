import { ApiError } from "../errors";
import { isoTime } from "../lib/encoding";

const DAY_MS = 86_400_000;
/** A new key's lifetime when the request names none. */
const DEFAULT_DAYS = 365;

/**
 * When a key made over the API expires: never after the key making it. An
 * explicit `expiresInDays` that would is refused (the caller asked for
 * something it cannot have, and says so, rather than getting less in
 * silence); the default is cut to the maker's expiry.
 */
export function newKeyExpiry(now: number, days: number | undefined, makerExpiresAt: number | null) {
  const wanted = now + (days ?? DEFAULT_DAYS) * DAY_MS;
  if (makerExpiresAt === null || wanted <= makerExpiresAt) return wanted;
  if (days === undefined) return makerExpiresAt;
  const latest = Math.floor((makerExpiresAt - now) / DAY_MS);
  const until = `the key making it expires at ${isoTime(makerExpiresAt)}`;
  throw ApiError.validation([
    {
      field: "expiresInDays",
      message:
        latest >= 1
          ? `must be at most ${latest}: ${until}`
          : `${until}, in less than a day: leave expiresInDays out to expire with it`,
    },
  ]);
}
