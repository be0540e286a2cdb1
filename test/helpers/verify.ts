import { Commet } from "@commet/node";
import { Webhook } from "standardwebhooks";

process.env.COMMET_NO_UPDATE_CHECK = "1";
const commet = new Commet({ apiKey: `ck_test_${"a".repeat(40)}`, telemetry: false });

/** What `@commet/node` 7.10.0's `webhooks.verify` says of a delivery (it calls nothing). */
export function commetVerifies(body: string, signature: string | null, secret: string): boolean {
  return commet.webhooks.verify({ payload: body, signature: signature ?? "", secret });
}

/** What the `standardwebhooks` library says (true, or the error it throws). */
export function standardVerifies(
  body: string,
  headers: Headers | Record<string, string>,
  secret: string,
): true | string {
  const get = (name: string) =>
    headers instanceof Headers ? (headers.get(name) ?? "") : (headers[name] ?? "");
  try {
    new Webhook(secret).verify(body, {
      "webhook-id": get("webhook-id"),
      "webhook-timestamp": get("webhook-timestamp"),
      "webhook-signature": get("webhook-signature"),
    });
    return true;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}
