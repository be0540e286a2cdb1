import { z } from "@hono/zod-openapi";
import type { ApiKeyRecord } from "../api-keys/record";
import { DELIVERY_STATUSES } from "../db/history-schema";
import type { DeliveryLogRecord, RecoveryRecord } from "../deliveries/record";
import type { EventRecord } from "../events/record";
import { isoTime } from "../lib/encoding";
import { Livemode, Timestamp } from "../lib/fields";
import { EVENT_TYPES } from "../webhooks/events";
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
  lastUsedAt: Timestamp.nullable().openapi({
    description: "When the key last authenticated a request (to the minute), or `null`.",
  }),
};

const ApiKey = z.strictObject(apiKeyFields).openapi("ApiKey");

const keyFieldsOf = (key: ApiKeyRecord, livemode: boolean) => ({
  object: "api_key" as const,
  livemode,
  id: key.id,
  name: key.name,
  prefix: key.prefix,
  expiresAt: key.expiresAt === null ? null : isoTime(key.expiresAt),
  createdAt: isoTime(key.createdAt),
  createdBy: key.createdBy,
  lastUsedAt: key.lastUsedAt === null ? null : isoTime(key.lastUsedAt),
});

export const apiKey = shape(ApiKey, (key: ApiKeyRecord, { livemode }) =>
  keyFieldsOf(key, livemode),
);

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
    .openapi("WebhookTestResult", { description: "What the endpoint did with a test event." }),
  (d: WebhookDeliveryRecord, { livemode }) => ({
    object: "webhook_delivery" as const,
    livemode,
    success: d.success,
    deliveryId: d.deliveryId,
    deliveredAt: isoTime(d.deliveredAt),
  }),
);

const DeliveryAttempt = z
  .strictObject({
    at: Timestamp.openapi({ description: "When the POST was made." }),
    responseStatus: z.number().int().nullable().openapi({
      description: "The HTTP status the endpoint answered, or `null` (no answer, or nothing sent).",
      example: 500,
    }),
    durationMs: z
      .number()
      .int()
      .openapi({ description: "How long the attempt took, in milliseconds.", example: 132 }),
    error: z.string().nullable().openapi({
      description:
        "Why the attempt failed without an answer (a timeout, a refused address), or `null`.",
      example: null,
    }),
    responseExcerpt: z.string().nullable().openapi({
      description: "The first KiB of what the endpoint answered, or `null`.",
      example: "Internal Server Error",
    }),
  })
  .openapi("WebhookDeliveryAttempt");

export const WebhookDeliveryLog = z
  .strictObject({
    object: z.literal("webhook_delivery").openapi({ description: "Always `webhook_delivery`." }),
    livemode: Livemode,
    id: z.string().openapi({
      description: "The delivery's ID.",
      example: "whdl_01j2x3y4z5a6b7c8d9e0f1g2h3",
    }),
    endpointId: z.string().openapi({
      description: "The endpoint it is for.",
      example: "whep_01j2x3y4z5a6b7c8d9e0f1g2h3",
    }),
    eventId: z.string().openapi({
      description: "The event it carries (the payload's `id`).",
      example: "whev_01j2x3y4z5a6b7c8d9e0f1g2h3",
    }),
    type: z.string().openapi({
      description: "The event's type (`webhook.test` for a test send).",
      example: "plan.created",
    }),
    status: z.enum(DELIVERY_STATUSES).openapi({
      description:
        "`pending`: attempts remain; `succeeded`; `failed`: given up; `dropped`: not sent, the endpoint was gone or inactive.",
      example: "failed",
    }),
    attemptCount: z.number().int().openapi({ description: "Attempts made so far.", example: 3 }),
    nextAttemptAt: Timestamp.nullable().openapi({
      description: "When it is attempted next, while `pending`; otherwise `null`.",
    }),
    createdAt: Timestamp.openapi({ description: "When the delivery was created." }),
    attempts: z.array(DeliveryAttempt).openapi({
      description:
        "Its attempts, oldest first: every one when the delivery is fetched alone, the last 5 in a list.",
    }),
  })
  .openapi("WebhookDelivery", { description: "One event on its way to one endpoint." });

export const webhookDeliveryLog = shape(
  WebhookDeliveryLog,
  (d: DeliveryLogRecord, { livemode }) => ({
    object: "webhook_delivery" as const,
    livemode,
    id: d.id,
    endpointId: d.endpointId,
    eventId: d.eventId,
    type: d.type,
    status: d.status,
    attemptCount: d.attemptCount,
    nextAttemptAt:
      d.status === "pending" && d.nextAttemptAt !== null ? isoTime(d.nextAttemptAt) : null,
    createdAt: isoTime(d.createdAt),
    attempts: d.attempts.map((a) => ({
      at: isoTime(a.at),
      responseStatus: a.statusCode,
      durationMs: a.durationMs,
      error: a.error,
      responseExcerpt: a.responseExcerpt,
    })),
  }),
);

export const WebhookRecovery = z
  .strictObject({
    object: z.literal("webhook_recovery").openapi({ description: "Always `webhook_recovery`." }),
    livemode: Livemode,
    queued: z
      .number()
      .int()
      .openapi({ description: "Events queued for the endpoint by this call.", example: 12 }),
    hasMore: z.boolean().openapi({
      description: "Whether the range holds more events to recover: call again from `nextSince`.",
    }),
    nextSince: Timestamp.optional().openapi({
      description: "Present only when `hasMore` is true: the `since` of the next call.",
    }),
  })
  .openapi("WebhookRecovery", { description: "What a recover queued." });

export const webhookRecovery = shape(WebhookRecovery, (r: RecoveryRecord, { livemode }) => ({
  object: "webhook_recovery" as const,
  livemode,
  queued: r.queued,
  hasMore: r.hasMore,
  ...(r.hasMore && r.nextSince !== null ? { nextSince: isoTime(r.nextSince) } : {}),
}));

/**
 * An event of the events API. `objects` is the version's schema of what
 * `data` may be (its plan group detail or plan): the object after the change,
 * in the request's version, as the webhook payload carries it.
 */
export const eventSchema = <T extends z.ZodType>(objects: T) =>
  z
    .strictObject({
      object: z.literal("event").openapi({ description: "Always `event`." }),
      livemode: Livemode,
      id: z.string().openapi({
        description: "The event's ID, as in its webhook payload (`id`, `webhook-id`).",
        example: "whev_01j2x3y4z5a6b7c8d9e0f1g2h3",
      }),
      type: z.enum(EVENT_TYPES).openapi({
        description: "What happened.",
        example: "plan.updated",
      }),
      createdAt: Timestamp.openapi({ description: "When the change was made." }),
      apiVersion: z.string().openapi({
        description:
          "The API version `data` and `previousAttributes` are shaped in: this request's.",
        example: "2026-07-31",
      }),
      data: objects.nullable().openapi({
        description:
          "The object after the change (the plan group with its plans for `plan_group.*`, the plan for `plan.*`; for a deletion, its last state). `null` only when the stored object cannot be read.",
      }),
      previousAttributes: z
        .record(z.string(), z.unknown())
        .nullable()
        .openapi({
          description:
            "For `*.updated`, the fields that changed with their values before; for `plan_group.plans_reordered`, the previous order as `plans`. Otherwise `null`.",
          example: { name: "Basic" },
        }),
      request: z
        .strictObject({
          id: z.string().nullable().openapi({
            description:
              "The `x-request-id` of the write that made the event, or `null` if unknown.",
            example: "req_01j2x3y4z5a6b7c8d9e0f1g2h3",
          }),
          idempotencyKey: z.string().nullable().openapi({
            description: "The `Idempotency-Key` it was sent with, or `null`.",
            example: null,
          }),
        })
        .openapi({ description: "The write that caused the event." }),
    })
    .openapi("Event", { description: "A change to a plan or a plan group." });

export const eventShape = (objects: z.ZodType) =>
  shape(eventSchema(objects), (e: EventRecord, { livemode }) => ({
    object: "event" as const,
    livemode,
    id: e.id,
    type: e.type as (typeof EVENT_TYPES)[number],
    createdAt: isoTime(e.createdAt),
    apiVersion: e.apiVersion,
    data: e.data,
    previousAttributes: e.previousAttributes,
    request: { id: e.requestId, idempotencyKey: e.idempotencyKey },
  }));

/** A list's `hasMore` and `nextCursor`, the same in every generation. */
export const pageFields = {
  hasMore: z.boolean().openapi({ description: "Whether another page follows." }),
  nextCursor: z
    .string()
    .optional()
    .openapi({ description: "Present only when `hasMore` is true: pass it as `cursor`." }),
};
