import { API_KEY_PATTERN, MAX_API_KEY_LENGTH } from "../lib/api-keys";
import type { Mode } from "../tenant";

/** What a request presented: nothing, something that is not one of our keys, or a key. */
type Credential =
  | { kind: "missing" }
  | { kind: "malformed" }
  | { kind: "key"; key: string; mode: Mode };

const HOW = "Send it in the x-api-key header, or as Authorization: Bearer <key>.";

/** The 401 message for each case. None echoes what was sent. */
export const REFUSALS = {
  missing: `No API key. ${HOW}`,
  malformed: `This is not an API key of this service: keys start with ck_test_ or ck_live_, followed by 32 to 40 letters and digits. ${HOW}`,
  key: `This API key is not valid: it is unknown, expired or revoked. ${HOW}`,
} as const satisfies Record<Credential["kind"], string>;

/** `x-api-key` wins; otherwise `Authorization: Bearer <key>`. Another scheme is malformed. */
export function readCredential(header: (name: string) => string | undefined): Credential {
  let presented = header("x-api-key")?.trim();
  if (!presented) {
    const authorization = header("authorization")?.trim();
    if (!authorization) return { kind: "missing" };
    const bearer = authorization.match(/^Bearer(?:\s+(.*))?$/i);
    if (!bearer) return { kind: "malformed" };
    presented = bearer[1]?.trim();
    if (!presented) return { kind: "missing" };
  }
  // Before anything else looks at it: nothing longer than a key we issue is hashed, looked up or cached.
  if (presented.length > MAX_API_KEY_LENGTH) return { kind: "malformed" };
  const match = presented.match(API_KEY_PATTERN);
  const mode = match?.[1];
  if (mode !== "test" && mode !== "live") return { kind: "malformed" };
  return { kind: "key", key: presented, mode };
}
