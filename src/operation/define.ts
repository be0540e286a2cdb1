import type { RouteConfig, RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../env";
import type { ErrorCode } from "../errors";
import type { Answer, ResultFor } from "../versions/present";

/** A route as `createRoute` takes it, without responses: each API version adds its own. */
type RouteSpec = Omit<RouteConfig, "responses"> & { operationId: string };

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
