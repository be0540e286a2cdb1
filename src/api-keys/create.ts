import { REFUSALS } from "../auth/credentials";
import { forgetKey } from "../auth/key-cache";
import { ApiError } from "../errors";
import { KeyTaken } from "../idempotency/claim";
import { sealedAnswer } from "../idempotency/sealed-answer";
import { generateApiKey, type KeyRecord } from "../lib/api-keys";
import { isoTime } from "../lib/encoding";
import { newId } from "../lib/ids";
import { logError } from "../lib/log";
import { jsonBody } from "../lib/openapi";
import { defineOperation } from "../operation/define";
import { newKeyExpiry } from "./expiry";
import { deleteKeyRecords, putKeyRecord } from "./kv";
import { markDelay, markListed } from "./mark";
import { insertListing, MAX_KEYS } from "./queries";
import { CreateKeyBody } from "./schemas";

const ANSWER = { one: "createdApiKey" } as const;

export default defineOperation({
  route: {
    method: "post",
    path: "/api/v1/api-keys",
    operationId: "create-api-key",
    summary: "Create an API key",
    description:
      "A new `standard` key of the calling key's organization and mode, made by the calling key (`createdBy`): deleting that key revokes this one too. It always expires (by default in 365 days) and never later than the key that creates it. The key itself is in this response only: store it now. At most 100 keys per organization and mode.",
    tags: ["API keys"],
    request: { body: jsonBody(CreateKeyBody) },
  },
  answer: ANSWER,
  status: 201,
  description: "The new key, with `apiKey` (shown only here).",
  errors: ["limit_exceeded"],
  handler: async (c) => {
    const { name, expiresInDays } = c.req.valid("json");
    const { tenant, auth } = c.var;
    const now = Date.now();
    const expiresAt = newKeyExpiry(now, expiresInDays, auth.expiresAt);
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
      // Lineage: the key making it, whoever made that one.
      createdBy: auth.keyId,
    };
    const listing = {
      id,
      name,
      prefix: apiKey.slice(0, 12),
      createdAt: now,
      expiresAt,
      createdBy: auth.keyId,
    };
    const result = { ...listing, lastUsedAt: null, apiKey };
    // Sealed before the KV write: without a usable encryption key no working key is left behind.
    const response = await sealedAnswer(c, ANSWER, result);
    // KV first (what authenticates), then the listing: until it commits, nobody has the key.
    const { kvKey, entry } = await putKeyRecord(c.env.API_KEYS, apiKey, record);
    const takeBack = () =>
      c.executionCtx.waitUntil(
        deleteKeyRecords(c.env.API_KEYS, kvKey, id).catch((err: unknown) =>
          logError(c, "unlisted API key not taken back (the reconciliation will)", err),
        ),
      );
    let outcome: Awaited<ReturnType<typeof insertListing>>;
    try {
      outcome = await insertListing(
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
    if (outcome !== "listed") takeBack();
    if (outcome === "maker_unlisted") {
      // A delete of the calling key has started (or it was never listed): it
      // is on its way out everywhere, so this isolate forgets it now.
      forgetKey(auth.keyId);
      throw new ApiError("unauthorized", { message: REFUSALS.key });
    }
    if (outcome === "full") {
      throw new ApiError("limit_exceeded", {
        message: `An organization and mode hold at most ${MAX_KEYS} API keys. Delete one first.`,
      });
    }
    // Listed: mark its id entry as such, so the reconciliation never takes it
    // for a create that crashed. Should this fail, the reconciliation marks it later.
    c.executionCtx.waitUntil(
      scheduler
        .wait(markDelay())
        .then(() => markListed(c.env.API_KEYS, [{ id, entry }]))
        .catch((err: unknown) =>
          logError(c, "API key not marked listed (the reconciliation will)", err),
        ),
    );
    return result;
  },
});
