import { describe, expect, it } from "vitest";
import { z } from "zod";

// wrangler.toml's [alias] drops zod's translations from the deployed bundle;
// vitest.config.ts applies the same table, so the tests run that code too.
describe("the tested code is the shipped code", () => {
  it("has zod without its translations, and English messages intact", () => {
    expect(Object.keys(z.locales)).toEqual([]);
    const result = z.string().min(2).safeParse("a");
    expect(result.error?.issues[0]?.message).toBe(
      "Too small: expected string to have >=2 characters",
    );
  });
});
