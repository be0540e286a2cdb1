import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { docsRouter } from "./docs";
import { errorReference } from "./docs/error-reference";
import type { AppEnv } from "./env";
import { ApiError, errorBody } from "./errors";
import { healthRouter } from "./health";
import { lazyBodylessOperations } from "./lib/bodyless-operations";
import { createRouter } from "./lib/create-app";
import { frameworkError } from "./lib/framework-errors";
import { lazyAllowedMethods } from "./lib/method-not-allowed";
import { apiKeyAuth } from "./middleware/auth";
import { bodyGuard, bodySizeLimit } from "./middleware/body-guard";
import { database } from "./middleware/database";
import { noStore, securityHeaders } from "./middleware/hardening";
import { idempotency } from "./middleware/idempotency";
import { requestLogger } from "./middleware/logger";
import { rateLimit } from "./middleware/rate-limit";
import { requestId } from "./middleware/request-id";
import { routeGuard, unroutable } from "./middleware/route-guard";
import { planGroupsRouter } from "./plan-groups";
import { plansRouter } from "./plans";

const app = createRouter();
// One route table for the route guard and notFound, built on first use.
const methodsFor = lazyAllowedMethods(() => app.routes);
const takesNoBody = lazyBodylessOperations(() => app.openAPIRegistry.definitions);

app.use("*", requestId());
// Hardening and observability: the logger sees the final status of every request.
app.use("*", requestLogger(), securityHeaders());
app.use("/api/*", noStore());
app.use(
  "/api/*",
  apiKeyAuth(),
  rateLimit(),
  routeGuard(methodsFor),
  bodySizeLimit(),
  bodyGuard(takesNoBody),
  database(),
  idempotency(),
);

const routes = app
  .route("/", healthRouter)
  .route("/", errorReference)
  .route("/", planGroupsRouter)
  .route("/", plansRouter);

// Outside the typed chain: the document is not part of the API's client surface.
app.route("/", docsRouter(app));

function renderError(c: Context<AppEnv>, err: ApiError, status = err.status) {
  const res = c.json(errorBody(err, c.env.ERROR_DOCS_BASE_URL), status);
  for (const [name, value] of Object.entries(err.headers)) res.headers.set(name, value);
  return res;
}

app.notFound((c) => {
  return renderError(
    c,
    unroutable(methodsFor, c.req.method, c.req.path) ?? new ApiError("not_found"),
  );
});

/** The error and its causes: drizzle wraps the D1 error that says what went wrong. */
function describeError(err: unknown): unknown {
  if (!(err instanceof Error)) return String(err);
  return {
    name: err.name,
    message: err.message,
    stack: err.stack,
    cause: err.cause === undefined ? undefined : describeError(err.cause),
  };
}

app.onError((err, c) => {
  if (err instanceof ApiError) return renderError(c, err);
  // A finished response thrown past the handler (an idempotent replay).
  if (err instanceof HTTPException && err.res) return err.getResponse();
  // The framework's own 4xx keep their status: a client's mistake is never a 500.
  if (err instanceof HTTPException && err.status >= 400 && err.status < 500) {
    return renderError(c, frameworkError(err.status), err.status);
  }
  // Never leak internals: the client gets the request id, the log gets the rest.
  console.error(
    JSON.stringify({
      level: "error",
      requestId: c.get("requestId"),
      method: c.req.method,
      path: c.req.path,
      error: describeError(err),
    }),
  );
  return renderError(c, new ApiError("internal_error"));
});

export type AppType = typeof routes;
export default app;
