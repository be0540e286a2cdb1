import { forgetKeys } from "../auth/key-cache";
import { ApiError } from "../errors";
import { defineOperation } from "../operation/define";
import { deleteKeyRecords } from "./kv";
import { removeListings, startRevocation } from "./revoke-queries";
import { KeyIdParam } from "./schemas";

export default defineOperation({
  route: {
    method: "delete",
    path: "/api/v1/api-keys/{id}",
    operationId: "delete-api-key",
    summary: "Delete an API key",
    description:
      "Revokes the key and every key it made, directly or through them: this isolate refuses them at once, every other within the revocation delay (about 90 s). A key made over the API may delete only itself and the keys it made; a key made by the operator (the command line) any key of its organization and mode. To rotate, create the new key, deploy it, then delete the old one.",
    tags: ["API keys"],
    request: { params: KeyIdParam },
  },
  answer: { one: "deletedApiKey" },
  status: 200,
  description: "The key is revoked, and so is every key it made.",
  errors: ["api_key_not_found", "forbidden"],
  // Two round trips, on purpose: the KV records (what authenticates) must go
  // before the listings, so the KV keys are read first, and a failure between
  // leaves listed keys that no longer work, never a working one unlisted.
  handler: async (c) => {
    const { id } = c.req.valid("param");
    const { auth, tenant, db } = c.var;
    const manager = auth.managesAll ? null : auth.keyId;
    const revocation = await startRevocation(db, tenant, id, manager, Date.now());
    if (revocation.outcome === "not_found")
      throw new ApiError("api_key_not_found", { param: "id" });
    if (revocation.outcome === "forbidden") throw new ApiError("forbidden", { param: "id" });
    const { keys } = revocation;
    const deleted = await Promise.allSettled(
      keys.map((k) => deleteKeyRecords(c.env.API_KEYS, k.kvKey, k.id)),
    );
    // This isolate refuses at once every key whose record is gone. One whose
    // record could not be deleted still works everywhere until a retry (or
    // the reconciliation) deletes it, so it works here too.
    forgetKeys(keys.filter((_, i) => deleted[i]?.status === "fulfilled").map((k) => k.id));
    for (const result of deleted) if (result.status === "rejected") throw result.reason;
    const ids = keys.map((k) => k.id);
    await removeListings(db, tenant, ids);
    return { id };
  },
});
