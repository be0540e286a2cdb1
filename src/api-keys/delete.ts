import { ApiError } from "../errors";
import { defineOperation } from "../lib/operation";
import { forgetKey } from "../middleware/auth";
import { deleteKeyRecords } from "./kv";
import { removeListing, startRevocation } from "./queries";
import { KeyIdParam } from "./schemas";

export default defineOperation({
  route: {
    method: "delete",
    path: "/api/v1/api-keys/{id}",
    operationId: "delete-api-key",
    summary: "Delete an API key",
    description:
      "Revokes the key: this isolate refuses it at once, every other within the revocation delay (README). A key may delete itself: to rotate, create the new key, deploy it, then delete the old one.",
    tags: ["API keys"],
    request: { params: KeyIdParam },
  },
  answer: { one: "deletedApiKey" },
  status: 200,
  description: "The key is revoked.",
  errors: ["api_key_not_found"],
  // Two round trips, on purpose: the KV record (what authenticates) must go
  // before the listing, so the KV key is read first, and a failure between
  // leaves a listed key that no longer works, never a working one unlisted.
  handler: async (c) => {
    const { id } = c.req.valid("param");
    const kvKey = await startRevocation(c.var.db, c.var.tenant, id, Date.now());
    if (kvKey === null) throw new ApiError("api_key_not_found", { param: "id" });
    await deleteKeyRecords(c.env.API_KEYS, kvKey, id);
    forgetKey(id);
    await removeListing(c.var.db, c.var.tenant, id);
    return { id };
  },
});
