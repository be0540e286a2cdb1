import { z } from "@hono/zod-openapi";
import type { ApiKeyRecord } from "../api-keys/record";
import { isoTime } from "../lib/encoding";
import { Livemode, Timestamp } from "../lib/fields";
import type { WebhookDeliveryRecord, WebhookRecord } from "../webhooks/record";
import { type Shape, shape } from "./types";

/**
 * Shapes both generations share (they differ only in how a body wraps them).
 * A version file takes these as they are or replaces them.
 */

export const ErrorObject = z
  .strictObject({
    type: z.string().openapi({
      description: "The broad class of the error; one type covers several codes.",
      example: "validation_error",
    }),
    code: z.string().openapi({
      description: "Stable and machine-readable: branch on this, not on `message`.",
      example: "validation_error",
    }),
    message: z.string().openapi({
      description: "For people reading logs; may change without notice.",
      example: "name: must contain at least 1 character",
    }),
    param: z.string().nullable().openapi({
      description: "The parameter or field at fault, when there is one.",
      example: "name",
    }),
    details: z
      .union([
        z.array(z.strictObject({ field: z.string(), message: z.string() })),
        z.record(z.string(), z.unknown()),
        z.null(),
      ])
      .openapi({
        description:
          "For `validation_error`, one `{ field, message }` per problem (`field` is a dotted path). Otherwise `null` or an object with context.",
      }),
    doc_url: z.string().url().openapi({
      description: "The error reference page for this code.",
      example: "https://api.example.com/errors/validation_error",
    }),
  })
  .openapi({ description: "What went wrong." });

const deleted = <O extends string>(object: O, name: string) =>
  shape(
    z
      .strictObject({
        id: z.string().openapi({ description: "The deleted object's ID." }),
        deleted: z.literal(true).openapi({ description: "Always `true`." }),
        object: z.literal(object).openapi({ description: `Always \`${object}\`.` }),
        livemode: Livemode,
      })
      .openapi(name),
    (d: { id: string }, { livemode }) => ({ id: d.id, deleted: true as const, object, livemode }),
  );

export const deletedPlanGroup = deleted("plan_group", "DeletedPlanGroup");
export const deletedPlan = deleted("plan", "DeletedPlan");
export const deletedApiKey = deleted("api_key", "DeletedApiKey");
export const deletedWebhook = deleted("webhook", "DeletedWebhook");

const apiKeyFields = {
  object: z.literal("api_key").openapi({ description: "Always `api_key`." }),
  livemode: Livemode,
  id: z.string().openapi({ description: "The key's ID (not the key).", example: "key_01j2x3y4z5" }),
  name: z.string().openapi({ description: "Your name for the key.", example: "production" }),
  prefix: z.string().openapi({
    description:
      "The first 12 characters of the key, enough to recognise it, never enough to use it. Only `ck_test_` or `ck_live_` for keys made before keys were listed.",
    example: "ck_live_AbCd",
  }),
  expiresAt: Timestamp.nullable().openapi({
    description: "When the key stops working, or `null`.",
  }),
  createdAt: Timestamp.openapi({ description: "When the key was made." }),
  createdBy: z.string().nullable().openapi({
    description:
      "The key that made this one over the API, or `null`: made by the operator (the command line), or over the API before keys recorded their maker.",
    example: "key_01j2x3y4z5a6b7c8d9e0f1g2h3",
  }),
};

export const ApiKey = z
  .strictObject({
    ...apiKeyFields,
    lastUsedAt: Timestamp.nullable().openapi({
      description: "When the key last authenticated a request (to the minute), or `null`.",
    }),
  })
  .openapi("ApiKey");

const keyFieldsOf = (key: ApiKeyRecord, livemode: boolean) => ({
  object: "api_key" as const,
  livemode,
  id: key.id,
  name: key.name,
  prefix: key.prefix,
  expiresAt: key.expiresAt === null ? null : isoTime(key.expiresAt),
  createdAt: isoTime(key.createdAt),
  createdBy: key.createdBy,
});

export const apiKey = shape(ApiKey, (key: ApiKeyRecord, { livemode }) => ({
  ...keyFieldsOf(key, livemode),
  lastUsedAt: key.lastUsedAt === null ? null : isoTime(key.lastUsedAt),
}));

export const createdApiKey = shape(
  z
    .strictObject({
      ...apiKeyFields,
      expiresAt: Timestamp.openapi({ description: "When the key stops working." }),
      apiKey: z.string().openapi({
        description: "The key itself. Shown only in this response: store it now.",
        example: "ck_live_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789ABCD",
      }),
    })
    .openapi("CreatedApiKey"),
  (key: ApiKeyRecord & { apiKey: string }, { livemode }) => ({
    ...keyFieldsOf(key, livemode),
    expiresAt: isoTime(key.expiresAt ?? key.createdAt),
    apiKey: key.apiKey,
  }),
);

const webhookFields = {
  object: z.literal("webhook").openapi({ description: "Always `webhook`." }),
  livemode: Livemode,
  id: z.string().openapi({ description: "The endpoint's ID.", example: "whep_01j2x3y4z5" }),
  url: z
    .string()
    .openapi({ description: "Where events are POSTed.", example: "https://example.com/hooks" }),
  events: z.array(z.string()).openapi({
    description: "The event types sent to it; `*` for all.",
    example: ["plan.created", "plan_group.plan_added"],
  }),
  description: z.string().nullable().openapi({ description: "Your note, or `null`." }),
  isActive: z.boolean().openapi({
    description:
      "Inactive endpoints receive nothing (an endpoint failing for 72 hours is deactivated).",
  }),
  apiVersion: z.string().nullable().openapi({
    description: "The API version of its payloads; `null`: the organization's.",
    example: "2026-07-31",
  }),
  createdAt: Timestamp.openapi({ description: "When the endpoint was created." }),
};

const webhookFieldsOf = (w: WebhookRecord, livemode: boolean) => ({
  object: "webhook" as const,
  livemode,
  id: w.id,
  url: w.url,
  events: w.events,
  description: w.description,
  isActive: w.isActive,
  apiVersion: w.apiVersion,
  createdAt: isoTime(w.createdAt),
});

export const webhook: Shape<WebhookRecord> = shape(
  z.strictObject(webhookFields).openapi("Webhook"),
  (w: WebhookRecord, { livemode }) => webhookFieldsOf(w, livemode),
);

export const createdWebhook = shape(
  z
    .strictObject({
      ...webhookFields,
      secretKey: z.string().openapi({
        description:
          "The signing secret (`whsec_` + base64). Shown only in this response: store it to verify deliveries.",
      }),
    })
    .openapi("CreatedWebhook"),
  (w: WebhookRecord & { secretKey: string }, { livemode }) => ({
    ...webhookFieldsOf(w, livemode),
    secretKey: w.secretKey,
  }),
);

export const webhookDelivery = shape(
  z
    .strictObject({
      object: z.literal("webhook_delivery").openapi({ description: "Always `webhook_delivery`." }),
      livemode: Livemode,
      success: z.boolean().openapi({ description: "Whether the endpoint answered 2xx in time." }),
      deliveryId: z.string().openapi({ description: "The delivery's ID, as in the logs." }),
      deliveredAt: Timestamp.openapi({ description: "When the attempt was made." }),
    })
    .openapi("WebhookDelivery"),
  (d: WebhookDeliveryRecord, { livemode }) => ({
    object: "webhook_delivery" as const,
    livemode,
    success: d.success,
    deliveryId: d.deliveryId,
    deliveredAt: isoTime(d.deliveredAt),
  }),
);

/** A list's `hasMore` and `nextCursor`, the same in every generation. */
export const pageFields = {
  hasMore: z.boolean().openapi({ description: "Whether another page follows." }),
  nextCursor: z
    .string()
    .optional()
    .openapi({ description: "Present only when `hasMore` is true: pass it as `cursor`." }),
};
