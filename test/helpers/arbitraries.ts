import fc from "fast-check";

/** Numbers as JSON or query text, at the edges of int64, float64 and our own bounds. */
export const EDGE_NUMBER_LITERALS = [
  "0",
  "-0",
  "1",
  "-1",
  "99",
  "100",
  "101",
  "255",
  "256",
  "9007199254740991",
  "9007199254740992",
  "-9007199254740993",
  "2147483647",
  "-2147483648",
  "4294967296",
  "9223372036854775807",
  "-9223372036854775808",
  "9223372036854775808",
  "18446744073709551616",
  "1.5",
  "0.1",
  "1e2",
  "1E400",
  "1e308",
  "1.7976931348623157e308",
  "1e309",
  "-1e309",
  "5e-324",
  "-5e-324",
  "1e-400",
  "100.0",
  "0.000",
] as const;

/** Query values that are numbers only to a careless parser. */
const NUMERIC_LOOKALIKES = [
  "NaN",
  "Infinity",
  "-Infinity",
  "0x10",
  "0b1",
  "0o7",
  "1_000",
  " 5",
  "5 ",
  "+5",
  "05",
  "0005",
  "٣",
  "５",
  "1,5",
  "true",
  "null",
];

export const HOSTILE_STRINGS = [
  "",
  " ",
  "   padded   ",
  "\u0000",
  "a\u0000b",
  "\t",
  "\r\n",
  "line\nbreak",
  "\u001b[31mred",
  "\u007f",
  "\u0085",
  "\u009f",
  "\u00a0",
  "\u2028",
  "\u202e",
  "\u200b",
  "\ufeff",
  "\ufffd",
  "\ud800",
  "\udfff",
  "a\ud83d",
  "\ude00b",
  "🙂",
  "e\u0301",
  "👩‍👩‍👧",
  "' OR '1'='1",
  "'; DROP TABLE plans; --",
  '" OR 1=1 --',
  "1; SELECT * FROM plans",
  "%",
  "%25",
  "%00",
  "%ZZ",
  "_",
  "\\",
  "\\u0000",
  "..",
  ".",
  "../..",
  "/",
  "?",
  "#",
  "null",
  "undefined",
  "true",
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "{}",
  "[]",
  '{"a":1}',
  "<script>alert(1)</script>",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a log4j-style probe, verbatim.
  "${jndi:ldap://x/a}",
  "pgrp_00000000000000000000000000",
  "plan_00000000000000000000000000",
  "pro_monthly",
  "a".repeat(40),
  "a".repeat(41),
  "a".repeat(64),
  "a".repeat(65),
  "a".repeat(120),
  "a".repeat(121),
  "a".repeat(255),
  "a".repeat(256),
  "a".repeat(513),
  "a".repeat(1001),
  "é".repeat(600),
  ...NUMERIC_LOOKALIKES,
];

const controlChar = fc.integer({ min: 0, max: 0x9f }).map((n) => String.fromCharCode(n));
const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((n) => String.fromCharCode(n));

/** Unicode of every plane, control characters, lone surrogates, SQL-ish and very long text. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...HOSTILE_STRINGS), weight: 4 },
  { arbitrary: fc.constantFrom(...EDGE_NUMBER_LITERALS), weight: 1 },
  { arbitrary: fc.string({ unit: "grapheme", maxLength: 30 }), weight: 2 },
  { arbitrary: fc.string({ unit: "binary", maxLength: 30 }), weight: 2 },
  { arbitrary: fc.string({ unit: fc.oneof(controlChar, loneSurrogate), maxLength: 8 }), weight: 1 },
  { arbitrary: fc.constantFrom("x".repeat(2_000), "é".repeat(9_000)), weight: 1 },
);

/** A number written as raw JSON text, so literals like 1e309 or 2^63 reach the parser as sent. */
export class RawNumber {
  constructor(readonly literal: string) {}
  toJSON() {
    return `${RAW_MARK}${this.literal}${RAW_MARK}`;
  }
}
const RAW_MARK = "\u0001raw\u0001";

export type Fuzz = null | boolean | number | string | RawNumber | Fuzz[] | { [key: string]: Fuzz };

const fuzzNumber: fc.Arbitrary<Fuzz> = fc.oneof(
  fc.constantFrom(...EDGE_NUMBER_LITERALS).map((l) => new RawNumber(l)),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, -1, 0, 100, 101),
);

/** Any JSON value, with object keys drawn from `keys` (the schema's fields) and hostile text. */
export function fuzzJson(keys: string[] = [], maxDepth = 3): fc.Arbitrary<Fuzz> {
  const key = keys.length ? fc.oneof(fc.constantFrom(...keys), hostileString) : hostileString;
  const leaf: fc.Arbitrary<Fuzz> = fc.oneof(
    fc.constant(null),
    fc.boolean(),
    fuzzNumber,
    hostileString,
  );
  const { value } = fc.letrec<{ value: Fuzz }>((tie) => ({
    value: fc.oneof(
      { depthSize: "small", maxDepth, withCrossShrink: true },
      leaf,
      fc.array(tie("value"), { maxLength: 4 }),
      fc.dictionary(key, tie("value"), { maxKeys: 4 }),
    ),
  }));
  return value;
}

/** JSON text for a fuzz value, raw number literals included verbatim. */
export function toJsonText(value: Fuzz): string {
  return JSON.stringify(value).replace(/"\\u0001raw\\u0001([-+.eE0-9]+)\\u0001raw\\u0001"/g, "$1");
}

/** Bodies that are not JSON objects, or not JSON at all. */
export const rawBodyText: fc.Arbitrary<string> = fc.oneof(
  hostileString,
  fc.constantFrom(
    "",
    "{",
    '{"name":',
    "{'name':'x'}",
    '{"name":"x",}',
    "[]",
    "null",
    "0",
    '"text"',
    "\ufeff{}",
    '{"name":"x"}garbage',
    '{"name":"x"}{"name":"y"}',
    '{"a":NaN}',
    '{"a":Infinity}',
    `${"[".repeat(3000)}${"]".repeat(3000)}`,
    `{"metadata":${'{"a":'.repeat(2000)}1${"}".repeat(2000)}}`,
  ),
);

// Fetch refuses NUL, CR and LF in a header value; workerd accepts other
// non-ASCII text but warns on every request, so the fuzzer keeps to ASCII
// (test/middleware/hardening.test.ts sends non-ASCII headers once).
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point.
const HEADER_SAFE = /^[\x01-\x09\x0b\x0c\x0e-\x7f]*$/;
const headerChar = fc
  .integer({ min: 1, max: 0x7f })
  .filter((n) => n !== 0x0a && n !== 0x0d)
  .map((n) => String.fromCharCode(n));

/** Hostile header values: control characters, separators, very long, SQL-ish. */
export const headerValue: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: "grapheme-ascii", maxLength: 300 }),
  fc.string({ unit: headerChar, maxLength: 40 }),
  fc.constantFrom(...HOSTILE_STRINGS.filter((s) => HEADER_SAFE.test(s))),
);

/** Content types a client might send, right, almost right and wrong. */
export const contentType: fc.Arbitrary<string | undefined> = fc.oneof(
  { arbitrary: fc.constant("application/json"), weight: 6 },
  {
    // RFC 9110 media types that all mean application/json.
    arbitrary: fc.constantFrom(
      "application/json; charset=utf-8",
      "Application/JSON",
      "APPLICATION/JSON;CHARSET=UTF-8",
      "application/json;charset=latin1",
      " application/json ",
      "application/json ; charset=utf-8",
      "application/json\t;\tcharset=utf-8",
      "application/json;",
      "application/json;;",
      "application/json; charset",
      "application/json; charset=",
      'application/json; charset="utf-8"',
      'application/json; foo="a;b"',
    ),
    weight: 3,
  },
  {
    arbitrary: fc.constantFrom(
      undefined,
      "",
      ";",
      "/",
      "application/",
      "/json",
      "application / json",
      "application/json, text/plain",
      "text/plain",
      "text/json",
      "application/jsonx",
      "application/json-patch+json",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
      "application/xml",
      "*/*",
    ),
    weight: 2,
  },
  { arbitrary: headerValue, weight: 1 },
);

/** `Commet-Version` values: the versions, near misses and garbage. */
export const commetVersion: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    "2026-07-11",
    "2026-07-31",
    " 2026-07-31 ",
    "2026-07-32",
    "2026-7-31",
    "2026-07-31, 2026-07-11",
    "2026-07-11;q=1",
    "latest",
    "",
    "0",
    "9999-99-99",
  ),
  headerValue,
);

/** Marks the caller's real key inside a generated header value; replaced when the request is sent. */
export const REAL_KEY = "\u0002key";

/** `Authorization` values: the real key as a Bearer token (spelled many ways) and everything else. */
export const authorization: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    `Bearer ${REAL_KEY}`,
    `bearer ${REAL_KEY}`,
    `BEARER  ${REAL_KEY}  `,
    `Bearer\t${REAL_KEY}`,
    `Bearer ${REAL_KEY} extra`,
    `Bearer ${REAL_KEY}x`,
    `Basic ${REAL_KEY}`,
    REAL_KEY,
    "Bearer",
    "Bearer ",
    "Bearer ck_test_",
    `Bearer ck_live_${"A".repeat(40)}`,
    `Bearer ck_test_${"_".repeat(40)}`,
    "Basic dXNlcjpwYXNz",
    "Digest username=x",
  ),
  headerValue.map((v) => `Bearer ${v}`),
  headerValue,
);
