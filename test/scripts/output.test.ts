import { describe, expect, it } from "vitest";
import { createdLine, keyLines } from "../../scripts/lib/format";
import { parseBulkGet, parseKvKeyNames } from "../../scripts/lib/kv";
import type { ListedKey } from "../../scripts/lib/listing";
import type { KeyRecord } from "../../src/lib/api-keys";

const record = (over: Partial<KeyRecord>): KeyRecord => ({
  id: "key_a",
  orgId: "org_1",
  mode: "test",
  name: "ci",
  tier: "standard",
  createdAt: "2026-11-01T10:00:00.000Z",
  expiresAt: null,
  ...over,
});
const listed = (over: Partial<ListedKey>): ListedKey => ({
  id: "key_a",
  name: "ci",
  tier: "standard",
  createdAt: Date.parse("2026-11-01T10:00:00.000Z"),
  expiresAt: null,
  lastUsedAt: null,
  createdBy: null,
  ...over,
});
const now = Date.parse("2026-11-26T00:00:00.000Z");

describe("key lines", () => {
  it("says what was created, with its expiry", () => {
    expect(createdLine(record({ expiresAt: "2026-12-26T10:00:00.000Z" }), now)).toBe(
      "created key_a for org_1 (test, standard, expires 2026-12-26)",
    );
    expect(createdLine(record({}), now)).toBe(
      "created key_a for org_1 (test, standard, never expires)",
    );
  });

  it("lists keys in the order given (newest first), in columns, the maker, the name last", () => {
    const lines = keyLines(
      [
        listed({ id: "key_bb", createdAt: Date.parse("2026-11-02T00:00:00.000Z"), name: "" }),
        listed({
          expiresAt: Date.parse("2026-11-20T00:00:00.000Z"),
          lastUsedAt: Date.parse("2026-11-19T23:59:00.000Z"),
          tier: "unlimited",
          createdBy: "key_01m8cjah6ems22m6940mpxezdh",
        }),
      ],
      now,
    );
    expect(lines).toEqual([
      'key_bb  standard   created 2026-11-02  never expires       never used            by operator                        ""',
      'key_a   unlimited  created 2026-11-01  expired 2026-11-20  last used 2026-11-19  by key_01m8cjah6ems22m6940mpxezdh  "ci"',
    ]);
  });
});

describe("wrangler output", () => {
  it("reads kv bulk get as printed locally and from the Cloudflare API", () => {
    const local =
      '{\n  "a": {\n    "value": "{\\"x\\":1}"\n  },\n  "b": {\n    "value": null\n  }\n}\n\nSuccess!\n';
    expect([...parseBulkGet(local, ["a", "b", "c"])]).toEqual([
      ["a", '{"x":1}'],
      ["b", null],
      ["c", null],
    ]);
    const remote = '{ "a": "1", "b": null }\nSuccess!';
    expect([...parseBulkGet(remote, ["a", "b"])]).toEqual([
      ["a", "1"],
      ["b", null],
    ]);
  });

  it("reads kv key list", () => {
    expect(
      parseKvKeyNames('[\n  { "name": "apikey:1" },\n  { "name": "apikey:2", "expiration": 1 }\n]'),
    ).toEqual(["apikey:1", "apikey:2"]);
    expect(parseKvKeyNames("[]")).toEqual([]);
  });
});
