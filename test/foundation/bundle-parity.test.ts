import { describe, expect, it } from "vitest";
import { z } from "zod";

// wrangler.toml's [alias] drops zod's translations from the deployed bundle;
// vitest.config.ts applies the same table, so the tests run that code too.
describe("the tested code is the shipped code", () => {
  it("has zod without its translations, and English messages intact", () => {
    expect(Object.keys(z.locales)).toEqual([]);
    // Zod's English messages stay (our error map words issues itself, src/lib/validation.ts).
    const english = z.config().localeError;
    expect(typeof english).toBe("function");
  });

  it("has zod without its JSON Schema importer", () => {
    expect(() => z.fromJSONSchema({ type: "string" })).toThrow("not bundled in this worker");
  });
});
