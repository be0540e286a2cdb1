import { z } from "@hono/zod-openapi";
import { DELIVERY_STATUSES } from "../db/history-schema";
import { ListQuery } from "../lib/openapi";
import { EVENT_TYPES, TEST_EVENT } from "../webhooks/events";
import { EndpointIdParam } from "../webhooks/schemas";

export const DeliveryParams = EndpointIdParam.extend({
  deliveryId: z
    .string()
    .min(1)
    .max(255)
    .openapi({
      param: { name: "deliveryId", in: "path" },
      description: "The delivery's ID.",
      example: "whdl_01j2x3y4z5a6b7c8d9e0f1g2h3",
    }),
});

const DELIVERY_TYPES = [...EVENT_TYPES, TEST_EVENT] as const;

export const ListDeliveriesQuery = ListQuery.extend({
  status: z
    .enum(DELIVERY_STATUSES, `must be one of ${DELIVERY_STATUSES.join(", ")}`)
    .optional()
    .openapi({ description: "Only deliveries in this status.", example: "failed" }),
  type: z
    .enum(DELIVERY_TYPES, `must be one of ${DELIVERY_TYPES.join(", ")}`)
    .optional()
    .openapi({ description: "Only deliveries of events of this type.", example: "plan.created" }),
});

const Time = z.iso.datetime({ offset: true });

export const RecoverBody = z
  .strictObject({
    since: Time.openapi({
      description:
        "Start of the range (included), an ISO 8601 time; history is kept 30 days, so an older one starts 30 days ago.",
      example: "2026-07-11T09:30:00.000Z",
    }),
    until: Time.optional().openapi({
      description:
        "End of the range (excluded): an ISO 8601 time after `since`, within the last 30 days and not in the future. Default: now.",
      example: "2026-07-12T09:30:00.000Z",
    }),
  })
  .openapi({ example: { since: "2026-07-11T09:30:00.000Z" } });
