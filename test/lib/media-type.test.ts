import { describe, expect, it } from "vitest";
import { isJsonMediaType, mediaType } from "../../src/lib/media-type";

describe("mediaType", () => {
  it.each([
    ["application/json", "application/json"],
    ["Application/JSON", "application/json"],
    ["APPLICATION/JSON;CHARSET=UTF-8", "application/json"],
    ["application/json; charset=utf-8", "application/json"],
    ["application/json ; charset=utf-8", "application/json"],
    ["application/json\t;\tcharset=utf-8", "application/json"],
    ["application/json;", "application/json"],
    ["application/json;;", "application/json"],
    ["application/json; charset", "application/json"],
    ['application/json; charset="utf-8"', "application/json"],
    [" application/json ", "application/json"],
    ["application/merge-patch+json", "application/merge-patch+json"],
    ["text/plain; charset=us-ascii", "text/plain"],
  ])("%j is %s", (value, essence) => {
    expect(mediaType(value)).toBe(essence);
  });

  it.each([
    undefined,
    "",
    ";",
    "json",
    "application",
    "application/",
    "/json",
    "application / json",
    "application/ json",
    "application /json",
    "application/json, text/plain",
    "application/json text/plain",
    "application/json/x",
    "appli(cation)/json",
    "\u00e9/json",
  ])("%j is not a media type", (value) => {
    expect(mediaType(value)).toBeNull();
  });

  it("takes only application/json as JSON", () => {
    expect(isJsonMediaType("application/json; charset=utf-8")).toBe(true);
    for (const other of ["application/jsonp", "text/json", "application/json-patch+json", "*/*"]) {
      expect(isJsonMediaType(other)).toBe(false);
    }
  });
});
