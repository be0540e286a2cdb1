import { describe, expect, it } from "vitest";
import { API_VERSIONS, CURRENT_VERSION } from "../../src/versions/ids";
import { call, type ErrorInfo } from "../helpers/http";

describe("GET /openapi/{version}.json for a version that does not exist", () => {
  it("answers 404 naming the documents there are, with their URLs", async () => {
    for (const path of [
      "/openapi/2026-07-32.json",
      "/openapi/latest.json",
      "/openapi/2026-07-31",
    ]) {
      const res = await call<{ error: ErrorInfo }>("GET", path);
      expect(res.status, path).toBe(404);
      expect(res.body.error.code).toBe("not_found");
      expect(res.body.error.details).toEqual({
        documents: API_VERSIONS.map((version) => ({
          version,
          url: `http://api.test/openapi/${version}.json`,
        })),
      });
      for (const version of API_VERSIONS) {
        expect(res.body.error.message).toContain(`http://api.test/openapi/${version}.json`);
      }
      expect(res.body.error.message).toContain(
        `http://api.test/openapi.json is the current one (${CURRENT_VERSION})`,
      );
    }
  });

  it("serves each document it names", async () => {
    const res = await call<{ error: { details: { documents: { url: string }[] } } }>(
      "GET",
      "/openapi/nope.json",
    );
    for (const { url } of res.body.error.details.documents) {
      expect((await call("GET", new URL(url).pathname)).status, url).toBe(200);
    }
  });
});
