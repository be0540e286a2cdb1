import type { OpenAPIHono, RouteConfig, RouteHandler } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../env";
import { KeyTaken } from "../idempotency/claim";
import { answerTakenKey } from "../idempotency/retry";
import { respond } from "../versions/present";
import type { Operation, OperationContext } from "./define";
import { routesOf } from "./routes";

/** The handler Hono runs: the operation's result, presented in the request's version. */
function serve(op: Operation) {
  return async (c: Context<AppEnv>) => {
    const ctx = c as OperationContext<Operation["route"]>;
    try {
      return respond(c, op.answer, await op.handler(ctx), op.status);
    } catch (err) {
      if (!(err instanceof KeyTaken)) throw err;
      return answerTakenKey(c, err, async (resourceId) => {
        const result = op.rebuild ? await op.rebuild(ctx, resourceId) : null;
        return result === null ? null : respond(c, op.answer, result, op.status);
      });
    }
  };
}

/** Registers every path of every operation on `app` (documents are built per version: src/docs). */
export function mount(app: OpenAPIHono<AppEnv>, operations: readonly Operation[]) {
  for (const op of operations) {
    const handler = serve(op) as unknown as RouteHandler<RouteConfig, AppEnv>;
    for (const { method, path } of routesOf(op)) {
      const route = {
        ...op.route,
        method,
        path,
        responses: { [op.status]: { description: op.description } },
        // The app's own registry stays empty: each version builds its document.
        hide: true,
      };
      app.openapi(route as RouteConfig, handler);
    }
  }
}
