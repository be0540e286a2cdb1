/**
 * The listener's side of `GET /api/v1/events` (API.md, Events and
 * deliveries): one page at a time, and which of the listed events are new.
 * No Node imports (fetch is passed in), so the tests run it in workerd.
 */

import { type EventType, TEST_EVENT } from "../../src/webhooks/events";

/** An event as the events API lists it, with its time as a number. */
export type ListedEvent = {
  id: string;
  type: string;
  createdAt: string;
  createdMs: number;
  livemode: boolean | null;
  apiVersion: string | null;
  data: unknown;
  previousAttributes: Record<string, unknown> | null;
  /** Only if the API says it; the Event object has no such field today. */
  organizationId: string | null;
};

export type EventPage = {
  /** Newest first, as listed. */
  events: ListedEvent[];
  nextCursor: string | null;
  /** `Commet-Version` of the answer: the version `data` is shaped in. */
  version: string | null;
  /** The server's clock (`Date`, whole seconds), so no local clock is trusted. */
  serverTime: number | null;
};

export type PageQuery = { createdAfter?: string; cursor?: string };
export type FetchPage = (query: PageQuery) => Promise<EventPage>;

/**
 * Why a page did not come. `transient`: the server is away, busy or failing,
 * worth asking again (after `retryAfterMs` when it says); otherwise asking
 * again cannot help (a refused key, a server without the events API).
 */
export class EventsApiError extends Error {
  constructor(
    message: string,
    readonly transient: boolean,
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
  }
}

const PAGE_LIMIT = 100;

type ApiOptions = {
  apiUrl: string;
  apiKey: string;
  apiVersion: string | null;
  types: readonly EventType[] | null;
  fetch?: typeof fetch;
};

/** One page of events per call, newest first, with the listener's filters. */
export function eventsApi(options: ApiOptions): FetchPage {
  const send = options.fetch ?? fetch;
  const headers: Record<string, string> = { "x-api-key": options.apiKey };
  // Without it the organization's pin decides, as for an endpoint without a pin.
  if (options.apiVersion !== null) headers["commet-version"] = options.apiVersion;
  return async (query) => {
    // Appended, not resolved: an API served under a path prefix keeps it.
    const url = new URL(`${options.apiUrl}/api/v1/events`);
    url.searchParams.set("limit", String(PAGE_LIMIT));
    if (options.types !== null) url.searchParams.set("type", options.types.join(","));
    if (query.createdAfter !== undefined) url.searchParams.set("createdAfter", query.createdAfter);
    if (query.cursor !== undefined) url.searchParams.set("cursor", query.cursor);
    let res: Response;
    try {
      res = await send(url.href, { headers, signal: AbortSignal.timeout(10_000) });
    } catch (err) {
      throw new EventsApiError(`cannot reach ${options.apiUrl} (${failureOf(err)})`, true);
    }
    const body: unknown = await res.json().catch(() => undefined);
    if (!res.ok) throw refusal(res, body, options.apiUrl);
    return {
      ...parseList(body, options.apiUrl),
      version: res.headers.get("commet-version"),
      serverTime: dateOf(res.headers.get("date")),
    };
  };
}

/** Node's (undici's) codes for a request that got no answer, in words. */
const FAILURES: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host name lookup failed",
  ETIMEDOUT: "connection timed out",
  EHOSTUNREACH: "host unreachable",
  UND_ERR_SOCKET: "the connection closed without an answer",
  UND_ERR_CONNECT_TIMEOUT: "connection timed out",
};

/** The one line a failed `fetch` deserves; Node puts the socket's reason in `cause`. */
export function failureOf(err: unknown): string {
  if (err instanceof Error && err.name === "TimeoutError") return "no answer within 10 s";
  const cause = err instanceof Error ? (err.cause as { code?: unknown; message?: unknown }) : null;
  const code = typeof cause?.code === "string" ? cause.code : null;
  const message = typeof cause?.message === "string" ? cause.message : null;
  if (code !== null) return FAILURES[code] ?? (message === null ? code : `${message} (${code})`);
  return message ?? (err instanceof Error ? err.message : String(err));
}

function refusal(res: Response, body: unknown, apiUrl: string): EventsApiError {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  const said =
    typeof error?.code === "string"
      ? `${res.status} ${error.code}: ${String(error.message)}`
      : `${res.status}, not an answer of this API`;
  if (res.status === 401) return new EventsApiError(`the API key was refused (${said})`, false);
  if (res.status === 404 && (error === undefined || error.code === "not_found")) {
    return new EventsApiError(
      `${apiUrl} has no events API (GET /api/v1/events answered ${said}): is it this service, up to date?`,
      false,
    );
  }
  if (res.status === 429) {
    const seconds = Number(res.headers.get("retry-after"));
    const wait = Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 1000;
    return new EventsApiError(`rate limited (${said})`, true, wait);
  }
  const transient = res.status >= 500 || res.status === 408;
  return new EventsApiError(`GET /api/v1/events answered ${said}`, transient);
}

/** A list in either generation: both carry `data`, `hasMore` and `nextCursor` at the top. */
function parseList(body: unknown, apiUrl: string): Pick<EventPage, "events" | "nextCursor"> {
  const list = body as { data?: unknown; hasMore?: unknown; nextCursor?: unknown } | undefined;
  if (!Array.isArray(list?.data)) {
    throw new EventsApiError(
      `${apiUrl} answered GET /api/v1/events with something else than a list`,
      false,
    );
  }
  const events = list.data.map((item) => {
    const event = parseEvent(item);
    if (event === null) {
      throw new EventsApiError(`${apiUrl} listed an event without id, type or createdAt`, false);
    }
    return event;
  });
  const nextCursor =
    list.hasMore === true && typeof list.nextCursor === "string" ? list.nextCursor : null;
  return { events, nextCursor };
}

function parseEvent(item: unknown): ListedEvent | null {
  if (item === null || typeof item !== "object") return null;
  const e = item as Record<string, unknown>;
  const createdMs = typeof e.createdAt === "string" ? Date.parse(e.createdAt) : Number.NaN;
  if (typeof e.id !== "string" || typeof e.type !== "string" || Number.isNaN(createdMs)) {
    return null;
  }
  const previous = e.previousAttributes;
  return {
    id: e.id,
    type: e.type,
    createdAt: e.createdAt as string,
    createdMs,
    livemode: typeof e.livemode === "boolean" ? e.livemode : null,
    apiVersion: typeof e.apiVersion === "string" ? e.apiVersion : null,
    data: e.data ?? null,
    previousAttributes:
      previous !== null && typeof previous === "object" && !Array.isArray(previous)
        ? (previous as Record<string, unknown>)
        : null,
    organizationId: typeof e.organizationId === "string" ? e.organizationId : null,
  };
}

function dateOf(header: string | null): number | null {
  const ms = header === null ? Number.NaN : Date.parse(header);
  return Number.isNaN(ms) ? null : ms;
}

/**
 * How long after its `createdAt` an event may first be listed: its time is
 * taken before its write commits, so a slow write shows an older event late.
 * Each poll looks back this far and skips what it has seen.
 */
export const LOOK_BACK_MS = 30_000;

/**
 * Which events are new. Events are remembered by id, not by a position in the
 * list: several share a millisecond, and one may be listed after newer ones.
 * Ids older than the look-back are forgotten, since no query returns them again.
 */
export class EventWindow {
  private readonly seen = new Map<string, number>();
  private newest: number;

  constructor(
    start: number,
    private readonly lookBackMs = LOOK_BACK_MS,
  ) {
    this.newest = start;
  }

  /** The oldest `createdAt` the next poll asks for. */
  get floor(): number {
    return this.newest - this.lookBackMs;
  }

  /** How many ids are remembered (for the tests: the memory stays bounded). */
  get remembered(): number {
    return this.seen.size;
  }

  /** Events listed before listening started: remembered, never forwarded. */
  prime(events: readonly ListedEvent[]): void {
    this.take(events);
  }

  /** The events not seen before, oldest first; from now on they are seen. */
  take(events: readonly ListedEvent[]): ListedEvent[] {
    const fresh = new Map<string, ListedEvent>();
    for (const event of events) {
      if (!this.seen.has(event.id)) fresh.set(event.id, event);
    }
    for (const event of fresh.values()) {
      this.seen.set(event.id, event.createdMs);
      this.newest = Math.max(this.newest, event.createdMs);
    }
    const floor = this.floor;
    for (const [id, createdMs] of this.seen) {
      if (createdMs < floor) this.seen.delete(id);
    }
    return [...fresh.values()].sort(
      (a, b) => a.createdMs - b.createdMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    );
  }
}

/**
 * Whether the listener forwards `event`: the types asked for (every one
 * when none was named), never a `webhook.test`, which the service sends only
 * to the endpoint it tests.
 */
export function forwardable(event: Pick<ListedEvent, "type">, types: readonly string[] | null) {
  if (event.type === TEST_EVENT) return false;
  return types === null || types.includes(event.type);
}

export type Listed = { events: ListedEvent[]; version: string | null; serverTime: number | null };

/** `createdAfter` is strict: asking from one millisecond before keeps `at` itself. */
const from = (at: number) => new Date(at - 1).toISOString();

/**
 * Every event created at or after `floor`, walking every page (newest
 * first). Without a floor (the first poll), the floor is the server's clock
 * minus the look-back, learnt from the first answer; the pages after it ask
 * from there. Events are listed in ID order, and an ID is made a little after
 * its `createdAt`, so times are not strictly ordered: no page is skipped on
 * the strength of one old event.
 */
export async function listSince(
  page: FetchPage,
  floor: number | null,
  lookBackMs = LOOK_BACK_MS,
): Promise<Listed> {
  let answer = await page(floor === null ? {} : { createdAfter: from(floor) });
  const { version, serverTime } = answer;
  const bound = floor ?? (serverTime ?? answer.events[0]?.createdMs ?? Date.now()) - lookBackMs;
  const events: ListedEvent[] = [];
  for (;;) {
    events.push(...answer.events.filter((event) => event.createdMs >= bound));
    if (answer.nextCursor === null) return { events, version, serverTime };
    answer = await page({ createdAfter: from(bound), cursor: answer.nextCursor });
  }
}
