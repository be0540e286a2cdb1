import { z } from "@hono/zod-openapi";
import { PathId } from "../lib/fields";
import { ListQuery } from "../lib/openapi";
import { EVENT_TYPES } from "../webhooks/events";

export const EventIdParam = z.object({
  id: PathId("The event's ID.", "whev_01j2x3y4z5a6b7c8d9e0f1g2h3"),
});

const KNOWN_TYPES: ReadonlySet<string> = new Set(EVENT_TYPES);

/** `?type=a&type=b`, `?type=a,b` or both: the distinct names, each a known event type. */
const Types = z
  .union([z.string(), z.array(z.string())])
  .transform((value, ctx) => {
    const names = (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(","));
    const unknown = names.find((name) => !KNOWN_TYPES.has(name));
    if (unknown !== undefined) {
      ctx.addIssue({
        code: "custom",
        message: `must be event types (${EVENT_TYPES.join(", ")}); ${JSON.stringify(unknown.slice(0, 64))} is not one`,
      });
      return z.NEVER;
    }
    return [...new Set(names)];
  })
  .optional()
  .openapi({
    type: "array",
    items: { type: "string", enum: [...EVENT_TYPES] },
    param: { style: "form", explode: true },
    description:
      "Only events of these types: repeat the parameter (`type=a&type=b`) or separate them with commas.",
    example: ["plan.created", "plan.updated"],
  });

/** An ISO 8601 time with its offset (`Z` or `+02:00`), as epoch milliseconds. */
const Time = (description: string) =>
  z.iso
    .datetime({ offset: true })
    .transform((value, ctx) => {
      const ms = Date.parse(value);
      if (Number.isNaN(ms)) {
        ctx.addIssue({ code: "custom", message: "must be an ISO 8601 date and time" });
        return z.NEVER;
      }
      return ms;
    })
    .optional()
    .openapi({
      type: "string",
      format: "date-time",
      description,
      example: "2026-07-11T09:30:00.000Z",
    });

export const ListEventsQuery = ListQuery.extend({
  type: Types,
  objectId: z
    .string()
    .min(1, "must not be empty")
    .max(255, "must be at most 255 characters")
    .optional()
    .openapi({
      description: "Only events about this plan group or plan (the ID of their `data`).",
      example: "pgrp_01j2x3y4z5a6b7c8d9e0f1g2h3",
    }),
  createdAfter: Time("Only events created strictly after this time (ISO 8601, with its offset)."),
  createdBefore: Time("Only events created strictly before this time (ISO 8601, with its offset)."),
  deliveryFailed: z.enum(["true", "false"], "must be true or false").optional().openapi({
    description:
      "`true`: only events with a delivery whose latest attempt failed, whether retries are still pending or it was given up. `false`: only events without one.",
    example: "true",
  }),
});
