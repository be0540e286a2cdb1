import { env } from "cloudflare:test";
import type { ApiResponse, Body, Client } from "./http";

/** A key no other test uses. */
export const newIdempotencyKey = () => `idem-${crypto.randomUUID()}`;

export function keyed<T = Body>(
  client: Client,
  method: string,
  path: string,
  key: string,
  body: unknown = {},
): Promise<ApiResponse<T>> {
  return client.call<T>(method, path, { body, headers: { "Idempotency-Key": key } });
}

const isInProgress = (res: ApiResponse) =>
  res.status === 409 && (res.body as Body).error?.code === "idempotency_in_progress";

/**
 * The first response is stored after it was sent (waitUntil), so a retry can
 * land before it is: repeat while the answer is "in progress".
 */
export async function settled<T>(send: () => Promise<ApiResponse<T>>): Promise<ApiResponse<T>> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const res = await send();
    if (!isInProgress(res as ApiResponse)) return res;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error("the first response was never stored");
}

export type StoredKey = {
  method: string;
  path: string;
  status_code: number | null;
  response_body: string | null;
  created_at: number;
};

export async function storedKey(orgId: string, key: string): Promise<StoredKey | null> {
  return env.DB.prepare(
    "SELECT method, path, status_code, response_body, created_at FROM idempotency_keys WHERE org_id = ? AND key = ?",
  )
    .bind(orgId, key)
    .first<StoredKey>();
}

export async function countRows(table: "plan_groups" | "plans", orgId: string): Promise<number> {
  const row = await env.DB.prepare(`SELECT count(*) AS n FROM ${table} WHERE org_id = ?`)
    .bind(orgId)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

/** Waits until the response of `key` is stored (it is written after being sent). */
export async function untilStored(orgId: string, key: string): Promise<StoredKey> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const row = await storedKey(orgId, key);
    if (row?.status_code != null) return row;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no stored response for ${key}`);
}
