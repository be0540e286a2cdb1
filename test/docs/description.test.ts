import { describe, expect, it } from "vitest";
import { describeVersion, ENVELOPE } from "../../src/docs/description";
import { API_VERSIONS } from "../../src/versions/ids";
import { fetchDocument } from "../helpers/openapi";

const TOPICS = [
  "**Authentication.**",
  "**Requests.**",
  "**Pagination.**",
  "**Idempotency.**",
  "**Rate limits.**",
  "**Request IDs.**",
];

describe("the reference's introduction", () => {
  it("is the served document's description, which /docs renders", async () => {
    const { info } = await fetchDocument();
    for (const topic of [...TOPICS, "**Envelope.**"]) expect(info.description).toContain(topic);
    expect(info.description).toContain("[/errors](/errors)");
  });

  it("tells each version's response shapes and the same rest", () => {
    for (const version of API_VERSIONS) {
      const text = describeVersion(version);
      expect(text).toContain(ENVELOPE[version]);
      for (const topic of TOPICS) expect(text).toContain(topic);
    }
    expect(ENVELOPE["2026-07-11"]).toContain('{ "success": true, "data": ... }');
    expect(ENVELOPE["2026-07-31"]).not.toContain('"success"');
    expect(ENVELOPE["2026-07-31"]).toContain('{ "object": "list", "data": [...]');
    expect(ENVELOPE["2026-07-31"]).toContain('{ "error": { type, code');
  });
});
