import { z } from "@hono/zod-openapi";
import { Description, PathId } from "../lib/fields";
import { API_VERSIONS } from "../versions/ids";
import { EVENT_TYPES } from "./events";

export const EndpointIdParam = z.object({
  id: PathId("The endpoint's ID.", "whep_01j2x3y4z5a6b7c8d9e0f1g2h3"),
});

const SUBSCRIBABLE = [...EVENT_TYPES, "*"] as const;

const Url = z
  .string()
  .min(1, "must not be empty")
  .max(2048, "must be at most 2048 characters")
  .openapi({
    description:
      "Where events are POSTed: `https` on the default port and a host name in live mode; test mode also takes `http`, other ports and public IP addresses. Never an address, or a name resolving to one, that is loopback, private, link-local (cloud metadata), CGNAT, reserved, multicast, documentation or unique-local, nor `localhost`, `*.local`, `*.internal` or a cloud metadata name. At most 2,048 characters, no user name or password. Redirects are never followed.",
    example: "https://example.com/hooks/commet",
  });

const Events = z
  .array(z.enum(SUBSCRIBABLE, `must be one of ${SUBSCRIBABLE.join(", ")}`))
  .min(1, "must list at least 1 event")
  .max(20, "must list at most 20 events")
  .openapi({
    description: "The event types to receive (at least 1, at most 20); `*` for all.",
    example: ["plan.created", "plan_group.plan_added"],
  });

const ApiVersion = z.enum(API_VERSIONS, `must be one of ${API_VERSIONS.join(", ")}`).openapi({
  description:
    "The API version whose shapes the payloads use. Without it, the organization's pinned version at delivery time.",
  example: "2026-07-31",
});

export const CreateEndpointBody = z
  .strictObject({
    url: Url,
    events: Events,
    description: Description.optional(),
    apiVersion: ApiVersion.optional(),
  })
  .openapi({
    example: { url: "https://example.com/hooks/commet", events: ["*"], apiVersion: "2026-07-31" },
  });

export const UpdateEndpointBody = z
  .strictObject({
    url: Url.optional(),
    events: Events.optional(),
    description: Description.optional(),
    isActive: z
      .boolean()
      .optional()
      .openapi({ description: "`false` stops deliveries; `true` starts them again." }),
    apiVersion: ApiVersion.nullable()
      .optional()
      .openapi({ description: "`null`: the organization's pinned version." }),
  })
  .openapi({
    description: "Only the fields sent change.",
    example: { isActive: true, events: ["*"] },
  });
