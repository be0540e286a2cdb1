import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "./lib/create-app";
import { checkKeys } from "./lib/key-ring";
import { logLine } from "./lib/log";

const check = (name: string) =>
  z
    .string()
    .optional()
    .openapi({ description: `Present when ${name} is \`missing\` or \`malformed: ...\`.` });

export const healthRoute = createRoute({
  method: "get",
  path: "/health",
  operationId: "health",
  summary: "Readiness check",
  description:
    "For load balancers and benchmarks. No authentication, never rate limited, touches no storage. Ready means the Worker secrets it needs are set and well formed (checked once per isolate).",
  tags: ["Health"],
  responses: {
    200: {
      description: "The worker is serving and configured.",
      content: {
        "application/json": {
          schema: z.object({ ok: z.literal(true).openapi({ description: "Ready." }) }),
        },
      },
    },
    503: {
      description:
        "A Worker secret is missing or malformed: `checks` names each one and what is wrong, never its value.",
      content: {
        "application/json": {
          schema: z.object({
            ok: z.literal(false),
            checks: z.object({
              ENCRYPTION_KEY: check("ENCRYPTION_KEY"),
              ENCRYPTION_KEYS_PREVIOUS: check("ENCRYPTION_KEYS_PREVIOUS"),
            }),
          }),
        },
      },
    },
  },
});

// One error line per isolate and problem: load balancers poll /health often.
const logged = new Set<string>();

export const healthRouter = createRouter().openapi({ ...healthRoute, hide: true }, (c) => {
  const checks = checkKeys(c.env);
  if (Object.keys(checks).length === 0) return c.json({ ok: true as const }, 200);
  const said = JSON.stringify(checks);
  if (!logged.has(said)) {
    logged.add(said);
    logLine("error", "not ready: a Worker secret is missing or malformed", { checks });
  }
  return c.json({ ok: false as const, checks }, 503);
});
