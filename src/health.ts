import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "./lib/create-app";

export const healthRoute = createRoute({
  method: "get",
  path: "/health",
  operationId: "health",
  summary: "Liveness check",
  description:
    "For load balancers and benchmarks. No authentication, never rate limited, touches no storage.",
  tags: ["Health"],
  responses: {
    200: {
      description: "The worker is serving.",
      content: {
        "application/json": {
          schema: z.object({ ok: z.literal(true).openapi({ description: "Always `true`." }) }),
        },
      },
    },
  },
});

export const healthRouter = createRouter().openapi({ ...healthRoute, hide: true }, (c) =>
  c.json({ ok: true as const }, 200),
);
