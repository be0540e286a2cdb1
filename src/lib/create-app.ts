import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../env";
import { validationError } from "./validation";

/**
 * Every router is built here so each gets the same validation hook: a failed
 * zod parse becomes our `validation_error`, thrown to the root app's onError.
 */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.error);
    },
  });
}
