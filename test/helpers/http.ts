import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import worker from "../../src/index";
import type { ApiVersion } from "../../src/versions/ids";
import { createKey, uniqueOrg } from "./keys";

export type ErrorInfo = {
  type: string;
  code: string;
  message: string;
  param: string | null;
  details: unknown;
  doc_url: string;
};

/** What any response body may hold; tests name a precise type where they read `data`. */
export type Body = {
  success?: boolean;
  data?: unknown;
  hasMore?: boolean;
  nextCursor?: string;
  error?: ErrorInfo;
  ok?: boolean;
};

export type ApiResponse<T = Body> = {
  status: number;
  headers: Headers;
  body: T;
  text: string;
};

type Init = {
  headers?: Record<string, string>;
  body?: unknown;
  rawBody?: string;
  /** Bindings in place of the test env's (another key, a missing secret): a restarted worker. */
  bindings?: Partial<Cloudflare.Env>;
};

/** Calls the worker over HTTP, as a client would. */
export async function call<T = Body>(
  method: string,
  path: string,
  init: Init = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...init.headers };
  let body: string | undefined = init.rawBody;
  if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    headers["content-type"] ??= "application/json";
  }
  // The worker's own fetch handler, called in this isolate with a fresh
  // execution context: `exports.default.fetch` goes through the pool's
  // module runner on every call and slows down quadratically with the number
  // of requests in a file (200 calls: 3 s, then 13 s, 26 s, 54 s).
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(`http://api.test${path}`, { method, headers, body }),
    init.bindings ? { ...env, ...init.bindings } : env,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {}
  return { status: res.status, headers: res.headers, body: parsed as T, text };
}

export type Client = {
  key: string;
  orgId: string;
  mode: "test" | "live";
  call: <T = Body>(method: string, path: string, init?: Init) => Promise<ApiResponse<T>>;
  get: <T = Body>(path: string) => Promise<ApiResponse<T>>;
  post: <T = Body>(path: string, body?: unknown) => Promise<ApiResponse<T>>;
  put: <T = Body>(path: string, body?: unknown) => Promise<ApiResponse<T>>;
  patch: <T = Body>(path: string, body?: unknown) => Promise<ApiResponse<T>>;
  del: <T = Body>(path: string) => Promise<ApiResponse<T>>;
};

/**
 * A client authenticated as a new key of `orgId` (a fresh organization by
 * default), speaking API version `version` (the envelope generation unless
 * told otherwise: most suites assert its `{ success, data }` bodies; the
 * versions suites cover both generations). `null` sends no Commet-Version.
 */
export async function client(
  orgId = uniqueOrg(),
  mode: "test" | "live" = "test",
  version: ApiVersion | null = "2026-07-11",
): Promise<Client> {
  const { key } = await createKey(orgId, mode, { tier: "unlimited" });
  const versioned: Record<string, string> = version ? { "Commet-Version": version } : {};
  const c = <T>(method: string, path: string, init: Init = {}) =>
    call<T>(method, `/api/v1${path}`, {
      ...init,
      headers: { "x-api-key": key, ...versioned, ...init.headers },
    });
  return {
    key,
    orgId,
    mode,
    call: c,
    get: (p) => c("GET", p),
    post: (p, body = {}) => c("POST", p, { body }),
    put: (p, body = {}) => c("PUT", p, { body }),
    patch: (p, body = {}) => c("PATCH", p, { body }),
    del: (p) => c("DELETE", p),
  };
}

export function expectError(
  res: ApiResponse,
  status: number,
  code: string,
  param: string | null = null,
): void {
  const body = res.body as Body;
  // Either generation's error body: `{ success: false, error }` or `{ error }`.
  if (
    res.status !== status ||
    (body?.success !== undefined && body.success !== false) ||
    body.error?.code !== code ||
    body.error?.param !== param
  ) {
    throw new Error(
      `expected ${status} ${code} param=${param}, got ${res.status} ${res.text.slice(0, 500)}`,
    );
  }
}
