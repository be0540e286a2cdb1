import type { Context } from "hono";
import type { AppEnv } from "../env";
import { encrypt, sealedFor } from "../lib/crypto";
import { type Answer, bodyOf, type ResultFor } from "../versions/present";

/**
 * A keyed create whose answer holds a secret stores that answer with its
 * claim, sealed: the secret cannot be rebuilt from what is stored (only its
 * hash, or its own sealed copy). Nothing for a request without a key.
 */
export async function sealedAnswer<A extends Answer>(
  c: Context<AppEnv>,
  answer: A,
  result: ResultFor<A>,
  status = 201,
): Promise<{ status: number; body: string } | undefined> {
  const keyed = c.var.idempotency;
  if (!keyed) return undefined;
  const body = JSON.stringify(bodyOf(c, answer, result));
  return { status, body: await encrypt(c.env, sealedFor.storedResponse(keyed), body) };
}
