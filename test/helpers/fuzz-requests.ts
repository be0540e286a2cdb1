import fc from "fast-check";
import {
  authorization,
  commetVersion,
  contentType,
  EDGE_NUMBER_LITERALS,
  type Fuzz,
  fuzzJson,
  headerValue,
  hostileString,
  RawNumber,
  REAL_KEY,
  rawBodyText,
  toJsonText,
} from "./arbitraries";
import type { Sent } from "./contract";
import type { Client } from "./http";
import { type ApiRoute, encodeSegment, fillPath, idKind, takesCode } from "./routes";

/** Real objects of the caller, so some fuzzed requests reach the handlers' happy paths. */
export type Fixture = {
  key: string;
  groupId: string;
  memberIds: string[];
  freePlanId: string;
  code: string;
  apiKeyId: string;
  webhookId: string;
  eventId: string;
};

let codes = 0;
const freshCode = () => `fz_${Date.now().toString(36)}_${++codes}`;

export async function makeFixture(api: Client): Promise<Fixture> {
  const group = await api.post<{ data: { id: string } }>("/plan-groups", { name: "fuzz" });
  const memberIds: string[] = [];
  for (let i = 0; i < 2; i++) {
    const plan = await api.post<{ data: { id: string } }>("/plans/manage", {
      name: `member ${i}`,
      code: freshCode(),
      planGroupId: group.body.data.id,
    });
    memberIds.push(plan.body.data.id);
  }
  const code = freshCode();
  const free = await api.post<{ data: { id: string } }>("/plans/manage", { name: "free", code });
  const apiKey = await api.post<{ data: { id: string } }>("/api-keys", { name: "fuzz" });
  const webhook = await api.post<{ data: { id: string } }>("/webhooks", {
    url: "http://fuzz.invalid:9/fuzz",
    events: ["*"],
  });
  const events = await api.get<{ data: { id: string }[] }>("/events?limit=1");
  return {
    webhookId: webhook.body.data.id,
    eventId: events.body.data[0]?.id ?? "",
    apiKeyId: apiKey.body.data.id,
    key: api.key,
    groupId: group.body.data.id,
    memberIds,
    freePlanId: free.body.data.id,
    code,
  };
}

/** Placeholders for real values, resolved against the fixture when the request is sent. */
const REAL = [
  "group",
  "member0",
  "member1",
  "free",
  "code",
  "newCode",
  "apiKey",
  "webhook",
  "event",
] as const;
type RealName = (typeof REAL)[number];
const TOKEN = "\u0002real:";
const token = (name: RealName) => `${TOKEN}${name}`;

function resolveToken(text: string, fx: Fixture): string {
  if (!text.startsWith(TOKEN)) return text;
  const name = text.slice(TOKEN.length) as RealName;
  if (name === "group") return fx.groupId;
  if (name === "free") return fx.freePlanId;
  if (name === "code") return fx.code;
  if (name === "newCode") return freshCode();
  if (name === "apiKey") return fx.apiKeyId;
  if (name === "webhook") return fx.webhookId;
  if (name === "event") return fx.eventId;
  return fx.memberIds[name === "member0" ? 0 : 1] ?? "";
}

function resolveDeep(value: Fuzz, fx: Fixture): Fuzz {
  if (typeof value === "string") return resolveToken(value, fx);
  if (Array.isArray(value)) return value.map((v) => resolveDeep(v, fx));
  if (value && typeof value === "object" && !(value instanceof RawNumber)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveDeep(v, fx)]));
  }
  return value;
}

const planToken = fc.constantFrom(token("member0"), token("member1"), token("free"));
const anyToken = fc.constantFrom(...REAL.map(token));

/** A value of the right kind for `field`: a real ID of the fixture, a fresh code. Null if any value goes. */
function rightValue(route: ApiRoute, field: string): fc.Arbitrary<Fuzz> | null {
  if (field === "planIds") {
    return fc.shuffledSubarray([token("member0"), token("member1")], { minLength: 2 });
  }
  if (field === "code") return fc.constant(token("newCode"));
  const kind = idKind(route, field);
  if (kind === "group") return fc.constant(token("group"));
  if (kind === "plan") return planToken;
  if (kind === "apiKey") return fc.constant(token("apiKey"));
  if (kind === "webhook") return fc.constant(token("webhook"));
  if (kind === "event") return fc.constant(token("event"));
  return null;
}

/** A value for `field` that is wrong in some way: a real ID of another kind, or hostile JSON. */
function wrongValue(route: ApiRoute, field: string): fc.Arbitrary<Fuzz> {
  const fuzz = fuzzJson(route.bodyFields);
  if (field === "planIds") {
    return fc.oneof(fc.array(fc.oneof(anyToken, hostileString), { maxLength: 4 }), fuzz);
  }
  if (field === "code") return fc.oneof(fc.constant(token("code")), fuzz);
  return idKind(route, field) ? fc.oneof(anyToken, fuzz) : fuzz;
}

const segment: fc.Arbitrary<{ raw: string } | { text: string }> = fc.oneof(
  { arbitrary: hostileString.map((text) => ({ text })), weight: 3 },
  {
    arbitrary: fc
      .constantFrom("%ZZ", "%", "%0", "%00", "%ED%A0%80", "%C0%AF", "%FF", "%2F", "%2e%2E", "%20")
      .map((raw) => ({ raw })),
    weight: 1,
  },
);

function pathValue(route: ApiRoute, param: string) {
  const kind = idKind(route, param);
  const right =
    kind === "group" || kind === "apiKey" || kind === "webhook" || kind === "event"
      ? fc.constant(token(kind))
      : planToken;
  const forCode = takesCode(route, param) ? [fc.constant(token("code"))] : [];
  return fc.oneof(
    { arbitrary: fc.oneof(right, ...forCode).map((text) => ({ text })), weight: 3 },
    { arbitrary: anyToken.map((text) => ({ text })), weight: 1 },
    { arbitrary: segment, weight: 3 },
  );
}

type BodySpec = { json: Fuzz } | { text: string };

/** The route's example body with every ID and code made real: the happy path. */
function validBody(route: ApiRoute): fc.Arbitrary<Record<string, Fuzz>> {
  const example = (route.example ?? {}) as Record<string, Fuzz>;
  const right = Object.entries(example).flatMap(([field]) => {
    const arb = rightValue(route, field);
    return arb ? [[field, arb] as const] : [];
  });
  return fc.record(Object.fromEntries(right)).map((real) => ({ ...example, ...real }));
}

function bodyArb(route: ApiRoute): fc.Arbitrary<BodySpec> {
  const fields = route.bodyFields;
  const valid = validBody(route);
  const someField = fc.constantFrom(...(fields.length ? fields : ["x"]));
  const oneWrong = fc
    .tuple(valid, someField)
    .chain(([body, field]) => wrongValue(route, field).map((v) => ({ ...body, [field]: v })));
  const oneMissing = fc.tuple(valid, someField).map(([body, field]) => {
    const { [field]: _, ...rest } = body;
    return rest;
  });
  const oneUnknown = fc
    .tuple(valid, hostileString, fuzzJson())
    .map(([body, key, value]) => ({ ...body, [key]: value }));
  const anyFields = fc.dictionary(fc.oneof(someField, hostileString), fuzzJson(fields), {
    maxKeys: 5,
  });
  const json = (arb: fc.Arbitrary<Fuzz>) => arb.map((j): BodySpec => ({ json: j }));
  return fc.oneof(
    { arbitrary: json(valid), weight: 3 },
    { arbitrary: json(oneWrong), weight: 4 },
    { arbitrary: json(oneMissing), weight: 1 },
    { arbitrary: json(oneUnknown), weight: 1 },
    { arbitrary: json(anyFields), weight: 2 },
    { arbitrary: json(fuzzJson(fields)), weight: 1 },
    { arbitrary: rawBodyText.map((text): BodySpec => ({ text })), weight: 1 },
  );
}

const queryPair = (route: ApiRoute) =>
  fc.tuple(
    fc.oneof(
      route.queryFields.length ? fc.constantFrom(...route.queryFields) : hostileString,
      hostileString,
    ),
    fc.oneof(
      fc.constantFrom(...EDGE_NUMBER_LITERALS),
      hostileString,
      fc.base64String({ maxLength: 80 }),
    ),
  );

export type FuzzRequest = {
  segments: Record<string, { raw: string } | { text: string }>;
  query: [string, string][];
  body: BodySpec | null;
  contentType: string | undefined;
  requestId: string | null;
  idempotencyKey: string | null;
  commetVersion: string | null;
  /** Sent as `Authorization`; with `instead`, no `x-api-key` is sent, so it is the credential. */
  authorization: { value: string; instead: boolean } | null;
};

// What the SDKs send to an operation without a body: nothing, or `{}`.
const noBody = fc.option(fc.constantFrom<BodySpec>({ text: "" }, { text: "{}" }), { nil: null });

export function requestArb(route: ApiRoute): fc.Arbitrary<FuzzRequest> {
  const canSendBody = route.method !== "GET" && route.method !== "HEAD";
  return fc.record({
    segments: fc.record(Object.fromEntries(route.params.map((p) => [p, pathValue(route, p)]))),
    query: fc.array(queryPair(route), { maxLength: route.queryFields.length ? 3 : 1 }),
    body: route.body ? bodyArb(route) : canSendBody ? noBody : fc.constant(null),
    contentType: canSendBody ? contentType : fc.constant(undefined),
    requestId: fc.option(
      fc.oneof(fc.string({ unit: "grapheme-ascii", maxLength: 140 }), headerValue),
      { freq: 4 },
    ),
    idempotencyKey: fc.option(
      fc.oneof(fc.string({ unit: "grapheme-ascii", maxLength: 300 }), headerValue),
      { freq: 4 },
    ),
    commetVersion: fc.option(commetVersion, { freq: 2 }),
    // Mostly absent: a wrong credential ends in 401, and the run must also reach the handlers.
    authorization: fc.oneof(
      { arbitrary: fc.constant(null), weight: 4 },
      { arbitrary: fc.record({ value: authorization, instead: fc.boolean() }), weight: 1 },
    ),
  });
}

const DOT_SEGMENTS = new Set(["", ".", ".."]);

function topLevelKeys(text: string): string[] {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === "object" && !Array.isArray(value) ? Object.keys(value) : [];
  } catch {
    return [];
  }
}

/** The concrete request for the fixture: path under /api/v1, init for `call` (credentials included), and what was sent. */
export function materialize(route: ApiRoute, req: FuzzRequest, fx: Fixture) {
  const encoded: Record<string, string> = {};
  let mayMissRoute = false;
  for (const [name, seg] of Object.entries(req.segments)) {
    const value = "raw" in seg ? seg.raw : encodeSegment(resolveToken(seg.text, fx));
    if (DOT_SEGMENTS.has(value.replace(/%2e/gi, "."))) mayMissRoute = true;
    encoded[name] = value;
  }
  const query = req.query.map(([k, v]) => `${encodeSegment(k)}=${encodeSegment(v)}`).join("&");
  const path = fillPath(route, encoded).replace(/^\/api\/v1/, "") + (query ? `?${query}` : "");
  // The key is sent here, not by the client helper, so a request may carry only Authorization.
  const headers: Record<string, string> = req.authorization?.instead ? {} : { "x-api-key": fx.key };
  if (req.contentType !== undefined) headers["content-type"] = req.contentType;
  if (req.requestId !== null) headers["x-request-id"] = req.requestId;
  if (req.idempotencyKey !== null) headers["idempotency-key"] = req.idempotencyKey;
  if (req.commetVersion !== null) headers["commet-version"] = req.commetVersion;
  if (req.authorization !== null) {
    headers.authorization = req.authorization.value.split(REAL_KEY).join(fx.key);
  }
  let rawBody: string | undefined;
  let bodyKeys: string[] = [];
  if (req.body && "text" in req.body) {
    rawBody = req.body.text;
    bodyKeys = topLevelKeys(rawBody);
  }
  if (req.body && "json" in req.body) {
    const json = resolveDeep(req.body.json, fx);
    rawBody = toJsonText(json);
    if (json && typeof json === "object" && !Array.isArray(json)) bodyKeys = Object.keys(json);
  }
  const sent: Sent = { bodyKeys, mayMissRoute };
  return { path, init: { headers, rawBody }, sent };
}
