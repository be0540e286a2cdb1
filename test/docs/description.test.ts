import { describe, expect, it } from "vitest";
import { describeVersion } from "../../src/docs/description";
import { VERSIONS } from "../../src/versions";
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
    for (const topic of [...TOPICS, "**Responses.**", "**API version 2026-07-31.**"]) {
      expect(info.description).toContain(topic);
    }
    expect(info.description).toContain("[/errors](/errors)");
  });

  it("tells each version's response shapes and the same rest", () => {
    for (const version of Object.values(VERSIONS)) {
      const text = describeVersion(version);
      expect(text).toContain(version.envelope);
      expect(text).toContain(`Commet-Version: ${version.id}`);
      for (const topic of TOPICS) expect(text).toContain(topic);
    }
    const { "2026-07-11": legacy, "2026-07-31": current } = VERSIONS;
    expect(legacy.envelope).toContain('{ "success": true, "data": ... }');
    expect(current.envelope).not.toContain('"success"');
    expect(current.envelope).toContain('{ "object": "list", "data": [...]');
    expect(current.envelope).toContain('{ "error": { type, code');
  });
});
