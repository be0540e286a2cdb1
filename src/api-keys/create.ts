import { ApiError } from "../errors";
import { KeyTaken } from "../idempotency/claim";
import { generateApiKey, type KeyRecord } from "../lib/api-keys";
import { encrypt } from "../lib/crypto";
import { isoTime } from "../lib/encoding";
import { newId } from "../lib/ids";
import { logError } from "../lib/log";
import { jsonBody } from "../lib/openapi";
import { defineOperation } from "../lib/operation";
import { bodyOf } from "../versions/present";
import { deleteKeyRecords, putKeyRecord } from "./kv";
import { insertListing, MAX_KEYS } from "./queries";
import { CreateKeyBody } from "./schemas";

const DAY_MS = 86_400_000;
const ANSWER = { one: "createdApiKey" } as const;

export default defineOperation({
  route: {
    method: "post",
    path: "/api/v1/api-keys",
    operationId: "create-api-key",
    summary: "Create an API key",
    description:
      "A new `standard` key of the calling key's organization and mode. It always expires (by default in 365 days) and never later than the key that creates it. The key itself is in this response only: store it now. At most 100 keys per organization and mode.",
    tags: ["API keys"],
    request: { body: jsonBody(CreateKeyBody) },
  },
  answer: ANSWER,
  status: 201,
  description: "The new key, with `apiKey` (shown only here).",
  errors: ["limit_exceeded"],
  handler: async (c) => {
    const { name, expiresInDays = 365 } = c.req.valid("json");
    const { tenant, auth } = c.var;
    const now = Date.now();
    const wanted = now + expiresInDays * DAY_MS;
    const expiresAt = auth.expiresAt === null ? wanted : Math.min(wanted, auth.expiresAt);
    const id = newId("key", now);
    const apiKey = generateApiKey(tenant.mode);
    const record: KeyRecord = {
      id,
      orgId: tenant.orgId,
      mode: tenant.mode,
      name,
      tier: "standard",
      createdAt: isoTime(now),
      expiresAt: isoTime(expiresAt),
    };
    const listing = { id, name, prefix: apiKey.slice(0, 12), createdAt: now, expiresAt };
    const result = { ...listing, lastUsedAt: null, apiKey };
    // KV first (what authenticates), then the listing: until it commits, nobody has the key.
    const kvKey = await putKeyRecord(c.env.API_KEYS, apiKey, record);
    const takeBack = () =>
      c.executionCtx.waitUntil(
        deleteKeyRecords(c.env.API_KEYS, kvKey, id).catch((err: unknown) =>
          logError(c, "unlisted API key not taken back (the reconciliation will)", err),
        ),
      );
    // The secret cannot be rebuilt from what is stored (only its hash): a keyed
    // create stores its answer with its claim, encrypted.
    const response = c.var.idempotency
      ? {
          status: 201,
          body: await encrypt(c.env.ENCRYPTION_KEY, JSON.stringify(bodyOf(c, ANSWER, result))),
        }
      : undefined;
    let listed: boolean;
    try {
      listed = await insertListing(
        c.var.db,
        tenant,
        { ...listing, lastUsedAt: null, tier: "standard", kvKey },
        response,
      );
    } catch (err) {
      // A retry of a used Idempotency-Key listed nothing: its key goes. Any
      // other failure may have committed: the reconciliation decides later.
      if (err instanceof KeyTaken) takeBack();
      throw err;
    }
    if (!listed) {
      takeBack();
      throw new ApiError("limit_exceeded", {
        message: `An organization and mode hold at most ${MAX_KEYS} API keys. Delete one first.`,
      });
    }
    return result;
  },
});
