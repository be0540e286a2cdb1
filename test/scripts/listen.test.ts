import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { DEFAULT_API_URL, parseListen } from "../../scripts/lib/listen-args";
import {
  EventsApiError,
  EventWindow,
  eventsApi,
  type FetchPage,
  forwardable,
  type ListedEvent,
  listSince,
  type PageQuery,
} from "../../scripts/lib/listen-events";
import {
  eventLine,
  forwardEvent,
  type PayloadContext,
  webhookPayload,
} from "../../scripts/lib/listen-forward";
import worker from "../../src/index";
import type { ApiVersion } from "../../src/versions/ids";
import { buildPayload } from "../../src/webhooks/payload";
import { newSigningSecret } from "../../src/webhooks/sign";
import { client } from "../helpers/http";
import { refusal } from "../helpers/usage";
import { commetVerifies, standardVerifies } from "../helpers/verify";

const KEY = `ck_test_${"a".repeat(32)}`;
const TO = ["--forward-to", "http://localhost:3000/hooks"];

describe("webhooks:listen arguments", () => {
  it("asks for help with --help or -h", () => {
    expect(parseListen(["--help"], {})).toBe("help");
    expect(parseListen([...TO, "-h"], {})).toBe("help");
  });

  it("reads every option", () => {
    const secret = newSigningSecret();
    expect(
      parseListen(
        [
          ...TO,
          "--api-url=https://api.example.com/api/v1/",
          "--api-key",
          KEY,
          "--api-version",
          "2026-07-11",
          "--events",
          "plan.created, plan_group.updated,plan.created",
          "--secret",
          secret,
          "--org",
          "org_1",
        ],
        { API_URL: "http://ignored", API_KEY: "ck_test_ignored" },
      ),
    ).toEqual({
      forwardTo: "http://localhost:3000/hooks",
      apiUrl: "https://api.example.com",
      apiKey: { key: KEY, from: "--api-key" },
      apiVersion: "2026-07-11",
      types: ["plan.created", "plan_group.updated"],
      secret,
      orgId: "org_1",
    });
  });

  it("defaults to npm run dev's address, and to API_URL and API_KEY when set", () => {
    expect(parseListen(TO, {})).toEqual({
      forwardTo: "http://localhost:3000/hooks",
      apiUrl: DEFAULT_API_URL,
      apiKey: null,
      apiVersion: null,
      types: null,
      secret: null,
      orgId: null,
    });
    expect(
      parseListen(TO, { API_URL: "https://api.example.com", API_KEY: ` ${KEY} ` }),
    ).toMatchObject({ apiUrl: "https://api.example.com", apiKey: { key: KEY, from: "API_KEY" } });
    expect(parseListen([...TO, "--events", "*"], {})).toMatchObject({ types: null });
  });

  it("points at the missing -- when npm kept an option for itself", () => {
    // `npm run webhooks:listen --forward-to <url>`: npm hands over the URL alone.
    const message = refusal(() =>
      parseListen(["http://localhost:3000/hooks"], { npm_config_forward_to: "true" }),
    );
    expect(message).toContain("npm kept --forward-to for itself: put -- before");
    expect(message).toContain("npm run webhooks:listen -- --forward-to");
    expect(refusal(() => parseListen(TO, { npm_config_api_url: "http://x" }))).toContain(
      "npm kept --api-url",
    );
  });

  it("answers a URL without a scheme with the URL it probably meant", () => {
    expect(refusal(() => parseListen(["--forward-to", "localhost:3000/hooks"], {}))).toBe(
      "--forward-to needs a scheme: did you mean --forward-to http://localhost:3000/hooks?",
    );
    expect(refusal(() => parseListen(["--forward-to", "3000/hooks"], {}))).toBe(
      "--forward-to needs a scheme: did you mean --forward-to http://localhost:3000/hooks?",
    );
    expect(refusal(() => parseListen([...TO, "--api-url", "127.0.0.1:8787"], {}))).toBe(
      "--api-url needs a scheme: did you mean --api-url http://127.0.0.1:8787?",
    );
    expect(refusal(() => parseListen(TO, { API_URL: "localhost:8787" }))).toBe(
      "API_URL needs a scheme: did you mean API_URL=http://localhost:8787?",
    );
    expect(refusal(() => parseListen(["--forward-to", "ftp://host/x"], {}))).toBe(
      '--forward-to must be an http or https URL, got "ftp://host/x"',
    );
  });

  it("refuses what it cannot use, saying what it wants", () => {
    expect(refusal(() => parseListen([], {}))).toBe("--forward-to is required");
    expect(refusal(() => parseListen(["http://localhost:3000/hooks"], {}))).toBe(
      "give the receiver as --forward-to http://localhost:3000/hooks",
    );
    expect(refusal(() => parseListen([...TO, "extra"], {}))).toBe("unexpected argument extra");
    expect(refusal(() => parseListen([...TO, "--events", "plan.create"], {}))).toMatch(
      /^--events: unknown event type "plan.create"; known: plan_group.created, /,
    );
    expect(refusal(() => parseListen([...TO, "--events", " , "], {}))).toBe(
      "--events needs at least one event type",
    );
    expect(refusal(() => parseListen([...TO, "--api-version", "2026-01-01"], {}))).toBe(
      '--api-version must be one of 2026-07-11, 2026-07-31, got "2026-01-01"',
    );
    expect(refusal(() => parseListen([...TO, "--secret", "whsec_not base64"], {}))).toBe(
      "--secret must be a signing secret: whsec_ followed by base64",
    );
    expect(refusal(() => parseListen([...TO, "--secret", "abc="], {}))).toContain("--secret");
    expect(refusal(() => parseListen([...TO, "--api-key", "sk_live_x"], {}))).toBe(
      "the API key is not one of this service's (ck_test_... or ck_live_...)",
    );
    expect(refusal(() => parseListen([...TO, "--org", " "], {}))).toBe("--org is required");
  });
});

const event = (ms: number, n = 0, over: Partial<ListedEvent> = {}): ListedEvent => ({
  id: `whev_${String(ms).padStart(8, "0")}_${n}`,
  type: "plan.created",
  createdAt: new Date(ms).toISOString(),
  createdMs: ms,
  livemode: false,
  apiVersion: "2026-07-31",
  data: { id: `plan_${ms}_${n}` },
  previousAttributes: null,
  organizationId: null,
  ...over,
});

/**
 * The events API as the listener sees it: what is visible now, newest first,
 * `limit` a page, `createdAfter` strict, the cursor
 * the last id of the page before.
 */
function fakeApi(limit = 3) {
  const visible: ListedEvent[] = [];
  const queries: PageQuery[] = [];
  let now = 0;
  const page: FetchPage = async (query) => {
    queries.push(query);
    const after = query.createdAfter ? Date.parse(query.createdAfter) : 0;
    const listed = visible
      .filter((e) => e.createdMs > after && (query.cursor === undefined || e.id < query.cursor))
      .sort((a, b) => (a.id < b.id ? 1 : -1));
    const events = listed.slice(0, limit);
    const hasMore = listed.length > limit;
    return {
      events,
      nextCursor: hasMore ? (events.at(-1)?.id ?? null) : null,
      version: "2026-07-31",
      serverTime: Math.floor(now / 1000) * 1000,
    };
  };
  return {
    page,
    queries,
    show: (...events: ListedEvent[]) => visible.push(...events),
    at: (ms: number) => {
      now = ms;
    },
  };
}

/** A listener started at the fake API's clock, as the script starts: `poll` says what it forwards. */
async function listener(api: ReturnType<typeof fakeApi>, lookBackMs = 30_000) {
  const first = await listSince(api.page, null, lookBackMs);
  const window = new EventWindow(first.serverTime ?? Date.now(), lookBackMs);
  window.prime(first.events);
  return {
    window,
    poll: async () =>
      window.take((await listSince(api.page, window.floor, lookBackMs)).events).map((e) => e.id),
  };
}

describe("webhooks:listen polling", () => {
  it("forwards only what was created after it started, each event once, oldest first", async () => {
    const api = fakeApi();
    api.at(100_000);
    api.show(event(90_000), event(99_000), event(99_500));
    const { poll } = await listener(api);
    expect(await poll()).toEqual([]);

    api.show(event(101_000), event(100_500));
    expect(await poll()).toEqual([event(100_500).id, event(101_000).id]);
    expect(await poll()).toEqual([]);
  });

  it("misses none of several events that share a millisecond, across a page boundary", async () => {
    const api = fakeApi(2);
    api.at(100_000);
    const { poll } = await listener(api);
    const burst = [0, 1, 2, 3, 4].map((n) => event(100_200, n));
    api.show(...burst);
    expect(await poll()).toEqual(burst.map((e) => e.id));
    api.show(event(100_200, 5));
    expect(await poll()).toEqual([event(100_200, 5).id]);
  });

  it("walks every page when a poll finds more events than a page holds", async () => {
    const api = fakeApi(3);
    api.at(100_000);
    const { poll } = await listener(api);
    const many = Array.from({ length: 10 }, (_, n) => event(100_100 + n * 10));
    api.show(...[...many].reverse());
    expect(await poll()).toEqual(many.map((e) => e.id));
    // Later pages ask with the cursor and the same filter.
    const last = api.queries.at(-1);
    expect(last?.cursor).toBeDefined();
    expect(last?.createdAfter).toBe(api.queries.at(-2)?.createdAfter);
  });

  it("forwards an event listed after newer ones (a slow write), once", async () => {
    const api = fakeApi();
    api.at(100_000);
    const { poll } = await listener(api);
    api.show(event(105_000));
    expect(await poll()).toEqual([event(105_000).id]);
    api.show(event(104_000));
    expect(await poll()).toEqual([event(104_000).id]);
    expect(await poll()).toEqual([]);
  });

  it("asks from the look-back before the newest event, and forgets what is older", async () => {
    const api = fakeApi();
    api.at(100_000);
    const { poll, window } = await listener(api, 1000);
    expect(window.floor).toBe(99_000);
    for (let ms = 101_000; ms <= 120_000; ms += 1000) {
      api.show(event(ms), event(ms, 1));
      expect(await poll()).toEqual([event(ms).id, event(ms, 1).id]);
    }
    expect(window.floor).toBe(119_000);
    expect(api.queries.at(-1)?.createdAfter).toBe(new Date(118_000 - 1).toISOString());
    expect(window.remembered).toBeLessThanOrEqual(4);
  });

  it("learns the server's clock from the first answer and asks the next pages from it", async () => {
    const api = fakeApi(2);
    api.at(200_000);
    api.show(...Array.from({ length: 20 }, (_, n) => event(100_000 + n * 5000)));
    const first = await listSince(api.page, null, 10_000);
    expect(first.serverTime).toBe(200_000);
    // 190 000 and newer: the look-back before the server's clock, not before this machine's.
    expect(first.events.map((e) => e.createdMs)).toEqual([195_000, 190_000]);
    expect(api.queries).toEqual([
      {},
      { createdAfter: new Date(189_999).toISOString(), cursor: event(190_000).id },
    ]);
  });

  it("forwards the types asked for, and never a test event", () => {
    expect(forwardable({ type: "plan.created" }, null)).toBe(true);
    expect(forwardable({ type: "webhook.test" }, null)).toBe(false);
    expect(forwardable({ type: "plan.created" }, ["plan.updated"])).toBe(false);
    expect(forwardable({ type: "plan.updated" }, ["plan.updated"])).toBe(true);
  });
});

type Call = { url: string; init: RequestInit | undefined };

/** A fetch that records its calls and answers with `answer`. */
function stubFetch(answer: (call: Call) => Response | Promise<Response>) {
  const calls: Call[] = [];
  const send = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const call = { url: String(input), init };
    calls.push(call);
    return answer(call);
  }) as typeof fetch;
  return { send, calls };
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });

const apiEvent = {
  object: "event",
  livemode: false,
  id: "whev_01",
  type: "plan.updated",
  createdAt: "2026-08-01T10:00:00.123Z",
  apiVersion: "2026-07-31",
  data: { object: "plan", id: "plan_1", name: "Pro" },
  previousAttributes: { name: "Basic" },
  request: { id: "req_1", idempotencyKey: null },
};

describe("webhooks:listen events API client", () => {
  const api = (send: typeof fetch, over: Partial<Parameters<typeof eventsApi>[0]> = {}) =>
    eventsApi({
      apiUrl: "http://api.test",
      apiKey: KEY,
      apiVersion: null,
      types: null,
      fetch: send,
      ...over,
    });

  it("asks with the key, the filters and the cursor, and reads a 2026-07-31 list", async () => {
    const { send, calls } = stubFetch(() =>
      json({ object: "list", data: [apiEvent], hasMore: true, nextCursor: "c2" }, 200, {
        "commet-version": "2026-07-31",
        date: "Sat, 01 Aug 2026 10:00:01 GMT",
      }),
    );
    const page = await api(send, { types: ["plan.created", "plan.updated"] })({
      createdAfter: "2026-08-01T09:59:31.000Z",
      cursor: "c1",
    });
    const url = new URL(calls[0]?.url ?? "");
    expect(url.origin + url.pathname).toBe("http://api.test/api/v1/events");
    expect(Object.fromEntries(url.searchParams)).toEqual({
      limit: "100",
      type: "plan.created,plan.updated",
      createdAfter: "2026-08-01T09:59:31.000Z",
      cursor: "c1",
    });
    const headers = new Headers(calls[0]?.init?.headers);
    expect(headers.get("x-api-key")).toBe(KEY);
    // No version asked: the organization's pin shapes data, as for an endpoint without one.
    expect(headers.get("commet-version")).toBeNull();
    expect(page).toEqual({
      events: [
        {
          id: "whev_01",
          type: "plan.updated",
          createdAt: "2026-08-01T10:00:00.123Z",
          createdMs: Date.parse("2026-08-01T10:00:00.123Z"),
          livemode: false,
          apiVersion: "2026-07-31",
          data: apiEvent.data,
          previousAttributes: { name: "Basic" },
          organizationId: null,
        },
      ],
      nextCursor: "c2",
      version: "2026-07-31",
      serverTime: Date.parse("2026-08-01T10:00:01.000Z"),
    });
  });

  it("reads a 2026-07-11 list (the envelope) and sends the version asked for", async () => {
    const { send, calls } = stubFetch(() =>
      json({ success: true, data: [apiEvent], hasMore: false }),
    );
    const page = await api(send, { apiVersion: "2026-07-11" })({});
    expect(new Headers(calls[0]?.init?.headers).get("commet-version")).toBe("2026-07-11");
    expect(page.events.map((e) => e.id)).toEqual(["whev_01"]);
    expect(page.nextCursor).toBeNull();
    expect(new URL(calls[0]?.url ?? "").searchParams.has("createdAfter")).toBe(false);
  });

  const failure = async (send: typeof fetch) => {
    try {
      await api(send)({});
    } catch (err) {
      if (err instanceof EventsApiError) return err;
      throw err;
    }
    throw new Error("expected an EventsApiError");
  };
  const errorBody = (code: string, message: string) => ({ error: { code, message } });

  it("gives up on a refused key, and on a server without the events API", async () => {
    const refused = await failure(
      stubFetch(() => json(errorBody("unauthorized", "not a valid key"), 401)).send,
    );
    expect(refused.transient).toBe(false);
    expect(refused.message).toBe("the API key was refused (401 unauthorized: not a valid key)");
    const missing = await failure(
      stubFetch(() => json(errorBody("not_found", "no such route"), 404)).send,
    );
    expect(missing.transient).toBe(false);
    expect(missing.message).toContain("http://api.test has no events API");
    const other = await failure(stubFetch(() => new Response("<html>", { status: 200 })).send);
    expect(other.transient).toBe(false);
    expect(other.message).toContain("something else than a list");
  });

  it("tries again when the server is away, busy or failing", async () => {
    const limited = await failure(
      stubFetch(() => json(errorBody("rate_limited", "slow down"), 429, { "retry-after": "7" }))
        .send,
    );
    expect(limited).toMatchObject({ transient: true, retryAfterMs: 7000 });
    const failing = await failure(
      stubFetch(() => json(errorBody("internal_error", "oops"), 500)).send,
    );
    expect(failing.transient).toBe(true);
    expect(failing.message).toBe("GET /api/v1/events answered 500 internal_error: oops");
    const away = await failure(
      stubFetch(() => {
        throw new TypeError("fetch failed", { cause: { code: "ECONNREFUSED" } });
      }).send,
    );
    expect(away).toMatchObject({
      transient: true,
      message: "cannot reach http://api.test (connection refused)",
    });
  });
});

describe("webhooks:listen forwarding", () => {
  const ctx: PayloadContext = { orgId: "org_1", livemode: false, apiVersion: "2026-07-11" };
  const listed = event(Date.parse("2026-08-01T10:00:00.123Z"), 0, {
    type: "plan.updated",
    previousAttributes: { name: "Basic" },
  });

  it("builds the delivery's payload, fields in the service's order", () => {
    const body = webhookPayload(listed, ctx);
    expect(Object.keys(JSON.parse(body))).toEqual([
      "id",
      "event",
      "timestamp",
      "organizationId",
      "mode",
      "apiVersion",
      "data",
      "previousAttributes",
    ]);
    expect(JSON.parse(body)).toEqual({
      id: listed.id,
      event: "plan.updated",
      timestamp: "2026-08-01T10:00:00.123Z",
      organizationId: "org_1",
      mode: "sandbox",
      // The event's own version wins over the page's.
      apiVersion: "2026-07-31",
      data: listed.data,
      previousAttributes: { name: "Basic" },
    });
  });

  it("leaves organizationId out when nobody said it, and takes what the event does not say from the key", () => {
    const body = JSON.parse(
      webhookPayload(
        { ...listed, livemode: null, apiVersion: null },
        { orgId: null, livemode: true, apiVersion: "2026-07-11" },
      ),
    );
    expect(body).not.toHaveProperty("organizationId");
    expect(body).toMatchObject({ mode: "live", apiVersion: "2026-07-11" });
    // An organization the API states wins.
    expect(
      JSON.parse(webhookPayload({ ...listed, organizationId: "org_api" }, ctx)).organizationId,
    ).toBe("org_api");
  });

  it("POSTs the body signed with both schemes, follows no redirect", async () => {
    const secret = newSigningSecret();
    const body = webhookPayload(listed, ctx);
    const { send, calls } = stubFetch(() => new Response("ok"));
    const out = await forwardEvent("http://localhost:3000/hooks", secret, listed.id, body, send);
    expect(out).toMatchObject({ status: 200, note: null });
    const init = calls[0]?.init;
    expect(calls[0]?.url).toBe("http://localhost:3000/hooks");
    expect(init).toMatchObject({ method: "POST", body, redirect: "manual" });
    const headers = new Headers(init?.headers);
    expect(headers.get("content-type")).toBe("application/json");
    expect(headers.get("x-commet-event-id")).toBe(listed.id);
    expect(headers.get("webhook-id")).toBe(listed.id);
    expect(commetVerifies(body, headers.get("x-commet-signature"), secret)).toBe(true);
    expect(standardVerifies(body, headers, secret)).toBe(true);
    expect(commetVerifies(body, headers.get("x-commet-signature"), newSigningSecret())).toBe(false);
  });

  it("reports what a failing receiver said, a redirect, or why nothing answered", async () => {
    const post = (answer: () => Response) =>
      forwardEvent("http://r.test/", newSigningSecret(), "whev_1", "{}", stubFetch(answer).send);
    expect(await post(() => new Response("bad\n  signature", { status: 400 }))).toMatchObject({
      status: 400,
      note: '"bad signature"',
    });
    expect(await post(() => new Response(null, { status: 500 }))).toMatchObject({
      status: 500,
      note: null,
    });
    expect(
      await post(() => new Response(null, { status: 302, headers: { location: "/elsewhere" } })),
    ).toMatchObject({ status: 302, note: "(redirects are not followed: /elsewhere)" });
    expect(
      await post(() => {
        throw new TypeError("fetch failed", { cause: { code: "ECONNREFUSED" } });
      }),
    ).toMatchObject({ status: null, note: "connection refused" });
    expect(
      await post(() => {
        throw new TypeError("fetch failed", {
          cause: { code: "UND_ERR_WHATEVER", message: "other side said no" },
        });
      }),
    ).toMatchObject({ status: null, note: "other side said no (UND_ERR_WHATEVER)" });
  });

  it("prints one line per event: time, type, id, status or error, duration", () => {
    const at = new Date(2026, 7, 1, 14, 3, 7);
    const e = { id: "whev_1", type: "plan.created" };
    expect(eventLine(at, e, { status: 200, note: null, durationMs: 12 })).toBe(
      `14:03:07  ${"plan.created".padEnd(26)}  whev_1  200  12 ms`,
    );
    expect(eventLine(at, e, { status: 400, note: '"bad signature"', durationMs: 3 })).toBe(
      `14:03:07  ${"plan.created".padEnd(26)}  whev_1  400 "bad signature"  3 ms`,
    );
    expect(eventLine(at, e, { status: null, note: "connection refused", durationMs: 1 })).toBe(
      `14:03:07  ${"plan.created".padEnd(26)}  whev_1  error: connection refused  1 ms`,
    );
  });
});

/** The worker itself as `fetch`, so the listener's client reads the real events API. */
const workerFetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(input, init), env, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}) as typeof fetch;

type StoredRow = {
  id: string;
  org_id: string;
  mode: "test" | "live";
  type: string;
  data: string | null;
  previous: string | null;
  created_at: number;
};

/** The body the service's own delivery of event `id` carries, in `version`. */
async function deliveredBody(id: string, version: ApiVersion): Promise<string> {
  const sql = "SELECT id, org_id, mode, type, data, previous, created_at FROM";
  const row =
    (await env.DB.prepare(`${sql} webhook_events WHERE id = ?`).bind(id).first<StoredRow>()) ??
    (await env.HISTORY_DB.prepare(`${sql} events WHERE id = ?`).bind(id).first<StoredRow>());
  if (row === null) throw new Error(`event ${id} is stored nowhere`);
  const { org_id: orgId, created_at: createdAt, ...rest } = row;
  return buildPayload({ ...rest, orgId, createdAt }, version);
}

describe("webhooks:listen against the events API", () => {
  for (const version of ["2026-07-31", "2026-07-11"] as const) {
    it(`forwards what changed after it started, as the service delivers it (${version})`, async () => {
      const api = await client(undefined, "test", "2026-07-31");
      const before = await api.post<{ id: string }>("/plan-groups", { name: "Before" });
      expect(before.status).toBe(201);

      const page = eventsApi({
        apiUrl: "http://api.test",
        apiKey: api.key,
        apiVersion: version,
        types: null,
        fetch: workerFetch,
      });
      const first = await listSince(page, null);
      expect(first.version).toBe(version);
      const window = new EventWindow(first.serverTime ?? first.events[0]?.createdMs ?? Date.now());
      window.prime(first.events);

      const group = await api.post<{ id: string }>("/plan-groups", { name: "After" });
      await api.patch(`/plan-groups/${group.body.id}`, { name: "Renamed" });
      const fresh = window.take((await listSince(page, window.floor)).events);
      expect(fresh.map((e) => e.type)).toEqual(["plan_group.created", "plan_group.updated"]);

      const ctx = { orgId: api.orgId, livemode: false, apiVersion: version };
      for (const event of fresh) {
        expect(webhookPayload(event, ctx)).toBe(await deliveredBody(event.id, version));
      }
      expect(window.take((await listSince(page, window.floor)).events)).toEqual([]);
    });
  }
});
