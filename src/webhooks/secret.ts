import { encodeBase64 } from "hono/utils/encode";

/** A signing secret: `whsec_` + base64 of 32 random bytes (API.md, Webhooks). */
export const newSigningSecret = () =>
  `whsec_${encodeBase64(crypto.getRandomValues(new Uint8Array(32)).buffer)}`;
