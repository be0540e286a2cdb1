import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { MAX_BODY_BYTES, MAX_DRAIN_BYTES, MAX_JSON_DEPTH } from "../../src/middleware/body-guard";
import { createGroup, createPlan } from "../helpers/factories";
import { type ApiResponse, call, client, expectError } from "../helpers/http";
import { API_ROUTES, clientPath, encodeSegment, fillPath, idKind } from "../helpers/routes";

const json = { "content-type": "application/json" };

function expectSecureHeaders(res: ApiResponse) {
  expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  expect(res.headers.get("x-frame-options")).toBe("DENY");
  expect(res.headers.get("strict-transport-security")).toMatch(/^max-age=\d+; includeSubDomains$/);
  expect(res.headers.get("referrer-policy")).toBe("no-referrer");
  expect(res.headers.get("cross-origin-resource-policy")).toBe("same-origin");
  expect(res.headers.get("x-powered-by")).toBeNull();
}

function expectNoStore(res: ApiResponse) {
  expect(res.headers.get("cache-control")).toBe("no-store");
  expect(res.headers.get("content-security-policy")).toBe(
    "default-src 'none'; frame-ancestors 'none'",
  );
}

describe("security headers and caching", () => {
  it.each(API_ROUTES.map((r) => [`${r.method} ${r.path}`, r] as const))(
    "%s: secure and never cached, with or without a key",
    async (_, route) => {
      const path = fillPath(
        route,
        Object.fromEntries(route.params.map((p) => [p, encodeSegment("x")])),
      );
      const api = await client();
      const init = ["POST", "PUT", "PATCH"].includes(route.method) ? { body: {} } : {};
      const anonymous = await call(route.method, path, init);
      expect(anonymous.status).toBe(401);
      const authed = await api.call(route.method, path.replace(/^\/api\/v1/, ""), init);
      for (const res of [anonymous, authed]) {
        expectSecureHeaders(res);
        expectNoStore(res);
      }
    },
  );

  it("covers route-level errors, health and the error reference too", async () => {
    const api = await client();
    const notFound = await api.get("/nope");
    const notAllowed = await api.call("PATCH", "/plans");
    expectError(notFound, 404, "not_found");
    expectError(notAllowed, 405, "method_not_allowed");
    for (const res of [notFound, notAllowed]) expectNoStore(res);
    for (const res of [
      notFound,
      notAllowed,
      await call("GET", "/health"),
      await call("GET", "/errors"),
    ]) {
      expectSecureHeaders(res);
    }
  });
});

describe("CORS is off: a server-to-server API", () => {
  it("grants nothing to a preflight, which carries no key and so gets 401", async () => {
    const preflight = {
      origin: "https://evil.example",
      "access-control-request-method": "POST",
      "access-control-request-headers": "x-api-key, content-type",
    };
    const res = await call("OPTIONS", "/api/v1/plan-groups", { headers: preflight });
    expectError(res, 401, "unauthorized");
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    const api = await client();
    const keyed = await api.call("OPTIONS", "/plan-groups", { headers: preflight });
    expectError(keyed, 405, "method_not_allowed");
    expect(keyed.headers.get("allow")).toBe("GET, HEAD, POST");
    expect(keyed.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("never grants a browser origin on a real call", async () => {
    const api = await client();
    const res = await api.call("GET", "/plan-groups", {
      headers: { origin: "https://evil.example" },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    expect(res.headers.get("access-control-allow-credentials")).toBeNull();
  });
});

describe("strings are normalised or refused", () => {
  it("trims names on create and update", async () => {
    const api = await client();
    const group = await api.post<{ data: { id: string; name: string } }>("/plan-groups", {
      name: "  Pro \u00a0",
    });
    expect(group.body.data.name).toBe("Pro");
    // Surrounding tabs and newlines are whitespace, trimmed like spaces; inside a name they are refused.
    const renamed = await api.patch<{ data: { name: string } }>(
      `/plan-groups/${group.body.data.id}`,
      {
        name: "\tTeam\n",
      },
    );
    expect(renamed.body.data.name).toBe("Team");
    const plan = await api.post<{ data: { name: string } }>("/plans/manage", {
      name: " Starter ",
      code: "s1",
    });
    expect(plan.body.data.name).toBe("Starter");
  });

  it.each(["", "   ", "a\u0000b", "a\u0007", "a\nb", "a\tb", "a\u007f", "a\u0085", "a\u009b"])(
    "refuses the name %j",
    async (name) => {
      const api = await client();
      expectError(await api.post("/plan-groups", { name }), 400, "validation_error", "name");
      expectError(
        await api.post("/plans/manage", { name, code: "c" }),
        400,
        "validation_error",
        "name",
      );
    },
  );

  it("keeps description text as sent, newlines and tabs included, but refuses other controls", async () => {
    const api = await client();
    const kept = await api.post<{ data: { description: string } }>("/plan-groups", {
      name: "g",
      description: "  line one\n\tline two  ",
    });
    expect(kept.body.data.description).toBe("  line one\n\tline two  ");
    for (const description of ["a\u0000", "a\u001b[31m", "a\u0085"]) {
      expectError(
        await api.post("/plan-groups", { name: "g", description }),
        400,
        "validation_error",
        "description",
      );
    }
  });

  it("refuses control characters in metadata keys and NUL anywhere in metadata", async () => {
    const api = await client();
    const key = await api.post("/plans/manage", {
      name: "p",
      code: "m1",
      metadata: { "a\u0007": 1 },
    });
    expectError(key, 400, "validation_error", "metadata.a\u0007");
    expect(key.body.error?.message).toContain("control characters");
    const nested = { a: { b: ["ok", "x\u0000y"] } };
    expectError(
      await api.post("/plans/manage", { name: "p", code: "m2", metadata: nested }),
      400,
      "validation_error",
      "metadata",
    );
    const fine = { note: "line\nbreak\ttab", constructor: "kept", nested: { toString: 1 } };
    const ok = await api.post<{ data: { metadata: unknown } }>("/plans/manage", {
      name: "p",
      code: "m3",
      metadata: fine,
    });
    expect(ok.status).toBe(201);
    expect(ok.body.data.metadata).toEqual(fine);
  });

  it("refuses unpaired surrogates wherever they are, naming the field", async () => {
    const api = await client();
    expectError(
      await api.post("/plan-groups", { name: "a\ud800" }),
      400,
      "validation_error",
      "name",
    );
    const meta = await api.post("/plans/manage", {
      name: "p",
      code: "u1",
      metadata: { k: ["\udc00"] },
    });
    expectError(meta, 400, "validation_error", "metadata.k.0");
    // A well-formed pair is text like any other.
    const emoji = await api.post<{ data: { name: string } }>("/plan-groups", {
      name: "\ud83d\ude00",
    });
    expect(emoji.body.data.name).toBe("😀");
  });

  it("refuses __proto__ keys instead of silently dropping them", async () => {
    const api = await client();
    const rawBody = '{"name":"p","code":"pr","metadata":{"a":1,"__proto__":{"b":2}}}';
    const res = await api.call("POST", "/plans/manage", { rawBody, headers: json });
    expectError(res, 400, "validation_error", "metadata.__proto__");
  });
});

describe("JSON nesting is bounded", () => {
  const nested = (depth: number) => {
    // The body object is level 1, so metadata's value holds levels 2 to `depth`.
    let inner = "1";
    for (let i = 0; i < depth - 1; i++) inner = `{"k":${inner}}`;
    return `{"name":"p","code":"d${depth}","metadata":${inner}}`;
  };

  it(`accepts ${MAX_JSON_DEPTH} levels`, async () => {
    const api = await client();
    const res = await api.call("POST", "/plans/manage", {
      rawBody: nested(MAX_JSON_DEPTH),
      headers: json,
    });
    expect(res.status).toBe(201);
  });

  it(`refuses ${MAX_JSON_DEPTH + 1} levels as invalid_json`, async () => {
    const api = await client();
    const res = await api.call("POST", "/plans/manage", {
      rawBody: nested(MAX_JSON_DEPTH + 1),
      headers: json,
    });
    expectError(res, 400, "invalid_json");
    expect(res.body.error?.details).toEqual({ maxDepth: MAX_JSON_DEPTH });
  });

  it("survives a body that is nothing but nesting, just under the size limit", async () => {
    const api = await client();
    const depth = 32_000;
    const rawBody = `{"metadata":${"[".repeat(depth)}${"]".repeat(depth)}}`;
    expect(rawBody.length).toBeLessThan(64 * 1024);
    const res = await api.call("POST", "/plans/manage", { rawBody, headers: json });
    expectError(res, 400, "invalid_json");
  });
});

/** A JSON-looking body of `total` bytes in 16 KiB chunks, counting what the worker pulled. */
function countedBody(total: number) {
  const chunk = new TextEncoder().encode(" ".repeat(16 * 1024));
  const counter = { pulled: 0 };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (counter.pulled >= total) return controller.close();
      counter.pulled += chunk.byteLength;
      controller.enqueue(
        counter.pulled === chunk.byteLength ? new TextEncoder().encode('{"name":"') : chunk,
      );
    },
  });
  return { stream, counter };
}

async function post(path: string, headers: Record<string, string>, body: BodyInit) {
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(`http://api.test${path}`, { method: "POST", headers, body }),
    env,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return res;
}

describe("bodies are bounded while they stream", () => {
  it("answers 413 to an 8 MB chunked body once it has read and dropped all of it", async () => {
    const api = await client();
    const total = 8 * 1024 * 1024;
    // No Content-Length: the body arrives in chunks, as `Transfer-Encoding: chunked` would.
    const { stream, counter } = countedBody(total);
    const res = await post(
      "/api/v1/plan-groups",
      { "x-api-key": api.key, "content-type": "application/json" },
      stream,
    );
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
      "payload_too_large",
    );
    // The client finished its upload before the answer, so it reads the 413.
    expect(counter.pulled).toBe(total);
  });

  it("stops reading a body past 16 MB and still answers 413", async () => {
    const api = await client();
    const { stream, counter } = countedBody(64 * 1024 * 1024);
    const res = await post(
      "/api/v1/plan-groups",
      { "x-api-key": api.key, "content-type": "application/json" },
      stream,
    );
    expect(res.status).toBe(413);
    expect(counter.pulled).toBeGreaterThanOrEqual(MAX_DRAIN_BYTES);
    expect(counter.pulled).toBeLessThan(MAX_DRAIN_BYTES + 1024 * 1024);
  });

  it("answers 413 to a declared Content-Length past the limit", async () => {
    const api = await client();
    const res = await post(
      "/api/v1/plan-groups",
      { "x-api-key": api.key, "content-type": "application/json" },
      `{"name":"${" ".repeat(MAX_BODY_BYTES)}"}`,
    );
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
      "payload_too_large",
    );
  });

  it("reads and drops the body of a request refused before its body (401)", async () => {
    const total = 1024 * 1024;
    const { stream, counter } = countedBody(total);
    const res = await post("/api/v1/plan-groups", { "content-type": "application/json" }, stream);
    expect(res.status).toBe(401);
    expect(counter.pulled).toBe(total);
  });

  it("still takes a chunked body under the limit", async () => {
    const api = await client();
    const parts = ['{"name":', '"chunked"', "}"].map((p) => new TextEncoder().encode(p));
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = parts.shift();
        if (next) controller.enqueue(next);
        else controller.close();
      },
    });
    const ctx = createExecutionContext();
    const res = await worker.fetch(
      new Request("http://api.test/api/v1/plan-groups", {
        method: "POST",
        headers: { "x-api-key": api.key, "content-type": "application/json" },
        body,
      }),
      env,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(201);
  });
});

describe("operations without a body", () => {
  const deletes = API_ROUTES.filter((r) => r.method === "DELETE");

  it.each(
    deletes.flatMap((r) =>
      ["", "{}"].map((body) => [`${r.method} ${r.path}`, JSON.stringify(body), r, body] as const),
    ),
  )("%s takes %s sent as application/json", async (_, __, route, rawBody) => {
    const api = await client();
    const group = await createGroup(api);
    const plan = await createPlan(api, { planGroupId: group.id });
    const key = await api.post<{ data: { id: string } }>("/api-keys", { name: "doomed" });
    const hook = await api.post<{ data: { id: string } }>("/webhooks", {
      url: "http://hooks.invalid:9/h",
      events: ["*"],
    });
    const ids: Record<string, string> = {
      group: group.id,
      plan: plan.id,
      apiKey: key.body.data.id,
      webhook: hook.body.data.id,
    };
    const path = fillPath(
      route,
      Object.fromEntries(
        route.params.map((p) => {
          const kind = idKind(route, p);
          const id = kind ? ids[kind] : undefined;
          if (!id) throw new Error(`teach this test the ID kind of ${route.path} {${p}}`);
          return [p, id];
        }),
      ),
    );
    const res = await api.call("DELETE", clientPath(path), {
      rawBody,
      headers: { "content-type": "application/json" },
    });
    expect(res.status, res.text).toBe(200);
  });

  it("a POST that takes no body accepts nothing or {} whatever its content type", async () => {
    const api = await client();
    const hook = await api.post<{ data: { id: string } }>("/webhooks", {
      url: "http://hooks.invalid:9/h",
      events: ["*"],
    });
    for (const [rawBody, type] of [
      ["", "application/json"],
      ["{}", "application/json"],
      ["", undefined],
      ["{}", "text/plain"],
    ] as const) {
      const res = await api.call("POST", `/webhooks/${hook.body.data.id}/test`, {
        rawBody,
        headers: type === undefined ? {} : { "content-type": type },
      });
      expect(res.status, `${type} ${rawBody}: ${res.text}`).toBe(200);
    }
    // An operation with a body still holds it to the transport rules.
    expectError(
      await api.call("POST", "/plan-groups", {
        rawBody: "",
        headers: { "content-type": "application/json" },
      }),
      400,
      "invalid_json",
    );
    expectError(
      await api.call("POST", "/plan-groups", {
        rawBody: "{}",
        headers: { "content-type": "text/plain" },
      }),
      415,
      "unsupported_media_type",
    );
  });
});

describe("a request never gets a 5xx for its headers", () => {
  it("survives non-ASCII header values (workerd encodes them as UTF-8)", async () => {
    const api = await client();
    const weird = "\u00e9\u2028\ud83d\ude00\u00ff";
    const headers = {
      "content-type": `application/json; charset=${weird}`,
      "commet-version": weird,
      "idempotency-key": weird,
      "x-request-id": weird,
      authorization: `Bearer ${weird}`,
    };
    const created = await api.call("POST", "/plan-groups", { body: { name: "h" }, headers });
    expect(created.status).toBeLessThan(500);
    expect(created.status).not.toBe(201);
    // The first header at fault: the version, checked before the Idempotency-Key.
    expect(created.body.error?.param).toBe("Commet-Version");
  });
});
