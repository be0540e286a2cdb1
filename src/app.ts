import type { Context } from "hono";
import { errorReference } from "./docs/error-reference";
import type { AppEnv } from "./env";
import { ApiError, errorBody } from "./errors";
import { healthRouter } from "./health";
import { createRouter } from "./lib/create-app";
import { allowedMethods } from "./lib/method-not-allowed";
import { apiKeyAuth } from "./middleware/auth";
import { bodyGuard } from "./middleware/body-guard";
import { database } from "./middleware/database";
import { noStore, securityHeaders } from "./middleware/hardening";
import { requestLogger } from "./middleware/logger";
import { requestId } from "./middleware/request-id";
import { planGroupsRouter } from "./plan-groups";
import { plansRouter } from "./plans";

const app = createRouter();

app.use("*", requestId());
// Hardening and observability: the logger sees the final status of every request.
app.use("*", requestLogger(), securityHeaders());
app.use("/api/*", noStore());
app.use("/api/*", apiKeyAuth(), bodyGuard(), database());

const routes = app
  .route("/", healthRouter)
  .route("/", errorReference)
  .route("/", planGroupsRouter)
  .route("/", plansRouter);

function renderError(c: Context<AppEnv>, err: ApiError) {
  const res = c.json(errorBody(err, c.env.ERROR_DOCS_BASE_URL), err.status);
  for (const [name, value] of Object.entries(err.headers)) res.headers.set(name, value);
  return res;
}

let methodsFor: ((path: string) => string[]) | undefined;

app.notFound((c) => {
  methodsFor ??= allowedMethods(app.routes);
  const allow = methodsFor(c.req.path);
  if (allow.length > 0) {
    return renderError(
      c,
      new ApiError("method_not_allowed", { headers: { Allow: allow.join(", ") } }),
    );
  }
  return renderError(c, new ApiError("not_found"));
});

app.onError((err, c) => {
  if (err instanceof ApiError) return renderError(c, err);
  // Never leak internals: the client gets the request id, the log gets the rest.
  console.error(
    JSON.stringify({
      level: "error",
      requestId: c.get("requestId"),
      method: c.req.method,
      path: c.req.path,
      error:
        err instanceof Error
          ? { name: err.name, message: err.message, stack: err.stack }
          : String(err),
    }),
  );
  return renderError(c, new ApiError("internal_error"));
});

export type AppType = typeof routes;
export default app;
