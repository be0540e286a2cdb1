import { ApiError } from "../errors";
import { sealedAnswer } from "../idempotency/sealed-answer";
import { encrypt, sealedFor } from "../lib/crypto";
import { newId } from "../lib/ids";
import { jsonBody } from "../lib/openapi";
import { defineOperation } from "../operation/define";
import { insertEndpoint, MAX_ENDPOINTS } from "./queries";
import { CreateEndpointBody } from "./schemas";
import { newSigningSecret } from "./sign";
import { urlPolicy, vetWebhookUrl } from "./url";

const ANSWER = { one: "createdWebhook" } as const;

export default defineOperation({
  route: {
    method: "post",
    path: "/api/v1/webhooks",
    operationId: "create-webhook",
    summary: "Create a webhook endpoint",
    description:
      "From now on, every change to a plan or plan group of this organization and mode that matches `events` is POSTed to `url`, signed with `secretKey`. The secret is in this response only: store it now. At most 16 endpoints per organization and mode.",
    tags: ["Webhooks"],
    request: { body: jsonBody(CreateEndpointBody) },
  },
  answer: ANSWER,
  status: 201,
  description: "The new endpoint, with `secretKey` (shown only here).",
  errors: ["limit_exceeded"],
  handler: async (c) => {
    const body = c.req.valid("json");
    const url = await vetWebhookUrl(body.url, urlPolicy(c.env, c.var.tenant.mode), "register");
    if (!url.ok) throw ApiError.validation([{ field: "url", message: url.reason }]);
    const now = Date.now();
    const endpoint = {
      id: newId("whep", now),
      url: body.url,
      events: body.events,
      description: body.description ?? null,
      apiVersion: body.apiVersion ?? null,
    };
    const secretKey = newSigningSecret();
    const result = { ...endpoint, isActive: true, createdAt: now, secretKey };
    const response = await sealedAnswer(c, ANSWER, result);
    const secret = await encrypt(c.env, sealedFor.endpointSecret(endpoint.id), secretKey);
    const stored = { ...endpoint, secret };
    if (!(await insertEndpoint(c.var.db, c.var.tenant, stored, now, response))) {
      throw new ApiError("limit_exceeded", {
        message: `An organization and mode have at most ${MAX_ENDPOINTS} webhook endpoints. Delete one first.`,
      });
    }
    return result;
  },
});
