/**
 * URLs people type for the scripts and examples (`--forward-to`, `API_URL=`).
 * No Node imports here, so the tests can import it.
 */
import { UsageError } from "./args";

/**
 * An http(s) URL; a host or port without a scheme is answered with the URL it
 * probably meant. `label` is where it came from: `--forward-to` or `API_URL=`.
 */
export function httpUrl(value: string, label: string): string {
  const text = value.trim();
  let url: URL | null = null;
  try {
    url = new URL(text);
  } catch {
    // Not a URL at all: see below.
  }
  if (url && (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "") {
    return url.href;
  }
  // `127.0.0.1:9500` parses, as scheme `127.0.0.1:`; `localhost:3000` as `localhost:`.
  if (!text.includes("://")) {
    const meant = /^\d+(\/|$)/.test(text) ? `http://localhost:${text}` : `http://${text}`;
    const name = label.replace(/=$/, "");
    const spelled = label.endsWith("=") ? `${label}${meant}` : `${label} ${meant}`;
    throw new UsageError(`${name} needs a scheme: did you mean ${spelled}?`);
  }
  throw new UsageError(
    `${label.replace(/=$/, "")} must be an http or https URL, got ${JSON.stringify(value)}`,
  );
}

/** The server's origin: the README's `.../api/v1` form works too. */
export const apiOrigin = (url: string) => url.replace(/\/+$/, "").replace(/\/api\/v1$/, "");
