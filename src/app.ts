import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { docsRouter } from "./docs";
import { errorReference } from "./docs/error-reference";
import type { AppEnv } from "./env";
import { ApiError, docUrlFor } from "./errors";
import { healthRouter } from "./health";
import { createRouter } from "./lib/create-app";
import { EncryptionError } from "./lib/crypto";
import { errorDocsBase } from "./lib/doc-url";
import { frameworkError } from "./lib/framework-errors";
import { logError } from "./lib/log";
import { allowedMethods } from "./lib/method-not-allowed";
import { api } from "./middleware/api";
import { edge } from "./middleware/edge";
import { unroutable } from "./middleware/route-guard";
import { mount } from "./operation/mount";
import { lazyBodylessOperations } from "./operation/routes";
import { OPERATIONS } from "./operations";
import { VERSIONS } from "./versions";
import { CURRENT_VERSION } from "./versions/ids";

const app = createRouter();
// 404 or 405: the router itself says which methods a path answers.
const methodsFor = allowedMethods(app);
const takesNoBody = lazyBodylessOperations(() => OPERATIONS);

// Two layers in front of every handler (each one function, not a chain of
// them): around every request (id, version, headers, log line), and the API's
// own steps (key, limits, route, body, database).
app.use("*", edge());
app.use("/api/*", api(methodsFor, takesNoBody));

app.route("/", healthRouter).route("/", errorReference);
mount(app, OPERATIONS);
app.route("/", docsRouter());

/** The error body in the request's API version (the current one before it is known). */
function renderError(c: Context<AppEnv>, err: ApiError, status = err.status) {
  const version = VERSIONS[c.get("version") ?? CURRENT_VERSION];
  const body = version.error.body(err, docUrlFor(errorDocsBase(c), err.code));
  const res = c.json(body, status);
  for (const [name, value] of Object.entries(err.headers)) res.headers.set(name, value);
  return res;
}

app.notFound((c) => {
  return renderError(
    c,
    unroutable(methodsFor, c.req.method, c.req.path) ?? new ApiError("not_found"),
  );
});

app.onError((err, c) => {
  if (err instanceof ApiError) return renderError(c, err);
  // A finished response thrown past the handler.
  if (err instanceof HTTPException && err.res) return err.getResponse();
  // The framework's own 4xx keep their status: a client's mistake is never a 500.
  if (err instanceof HTTPException && err.status >= 400 && err.status < 500) {
    return renderError(c, frameworkError(err.status), err.status);
  }
  // A secret that cannot be stored: the operator's to fix (/health names it), never a value here.
  if (err instanceof EncryptionError && err.unconfigured) {
    logError(c, "not configured: cannot encrypt (see /health)", err);
    return renderError(
      c,
      new ApiError("internal_error", {
        message:
          "The service is not configured to store secrets: its encryption key is missing or malformed. Retry later.",
      }),
    );
  }
  // Never leak internals: the client gets the request id, the log gets the rest.
  logError(c, "unexpected error", err);
  return renderError(c, new ApiError("internal_error"));
});

export default app;
