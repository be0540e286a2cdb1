// RFC 9110 §5.6.2 token characters.
const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
// RFC 9110 §8.3.1: `type "/" subtype *( OWS ";" OWS [ parameter ] )`.
const ESSENCE = new RegExp(`^[\\t ]*(${TOKEN})/(${TOKEN})[\\t ]*(?:;|$)`);

/**
 * The `type/subtype` of a Content-Type value, lower-cased (both are
 * case-insensitive), or null when the value is not a media type. Parameters
 * are not interpreted: `application/json` defines none, and JSON is UTF-8
 * whatever a `charset` says (RFC 8259 §8.1), so a malformed one is ignored as
 * Fetch's MIME type parser ignores it.
 */
export function mediaType(value: string | undefined): string | null {
  const match = value === undefined ? null : ESSENCE.exec(value);
  return match ? `${match[1]}/${match[2]}`.toLowerCase() : null;
}

export const isJsonMediaType = (value: string | undefined) =>
  mediaType(value) === "application/json";
