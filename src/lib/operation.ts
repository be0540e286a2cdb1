import type { OpenAPIHono, RouteConfig, RouteHandler } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../env";
import type { ErrorCode } from "../errors";
import { KeyTaken } from "../idempotency/claim";
import { answerTakenKey } from "../idempotency/retry";
import { VERSIONS } from "../versions";
import { type Answer, type ResultFor, respond } from "../versions/present";
import type { RouteRef } from "../versions/types";

/** A route as `createRoute` takes it, without responses: each API version adds its own. */
export type RouteSpec = Omit<RouteConfig, "responses"> & { operationId: string };

/** The handler context of a route: typed params, query and body. */
export type OperationContext<R extends RouteSpec> = Parameters<
  RouteHandler<R & { responses: Record<200, { description: string }> }, AppEnv>
>[0];

/**
 * One API operation: its route and request schemas, what it answers (a shape
 * that each version presents), the error codes of its own, and a handler
 * that returns the internal result. `rebuild` answers an Idempotency-Key
 * retry whose first attempt's write committed but whose answer was lost,
 * from the committed state (null when that is gone).
 */
export type Operation<R extends RouteSpec = RouteSpec, A extends Answer = Answer> = {
  route: R;
  answer: A;
  status: 200 | 201;
  /** The success response's description. */
  description: string;
  errors: ErrorCode[];
  handler: (c: OperationContext<R>) => Promise<ResultFor<A>>;
  rebuild?: (c: OperationContext<R>, resourceId: string | null) => Promise<ResultFor<A> | null>;
};

export const defineOperation = <R extends RouteSpec, A extends Answer>(op: Operation<R, A>) =>
  op as unknown as Operation;

/** Every path the operation is served on: its own, and those any version gives it. */
export function routesOf(op: Operation): RouteRef[] {
  const own: RouteRef = { method: op.route.method, path: op.route.path };
  const extra = Object.values(VERSIONS).flatMap((v) => v.routes[op.route.operationId] ?? []);
  const byKey = new Map([own, ...extra].map((r) => [`${r.method} ${r.path}`, r]));
  return [...byKey.values()];
}

/** The handler Hono runs: the operation's result, presented in the request's version. */
function serve(op: Operation) {
  return async (c: Context<AppEnv>) => {
    const ctx = c as OperationContext<RouteSpec>;
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
