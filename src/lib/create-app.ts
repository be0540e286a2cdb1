import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../env";
import { validationError } from "./validation";

/**
 * Every router is built here so each gets the same validation hook: a failed
 * zod parse becomes our `validation_error`, thrown to the root app's onError.
 */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (result.success) return;
      const repeated =
        result.target === "query"
          ? new Set(
              Object.entries(c.req.queries())
                .filter(([, values]) => values.length > 1)
                .map(([name]) => name),
            )
          : undefined;
      throw validationError(result.error, repeated);
    },
  });
}
