import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
  chunks,
  commandsOf,
  parseExecuteOutput,
  sqlList,
  sqlLiteral,
  sqlText,
} from "../../scripts/lib/sql";
import { bindingSql } from "../helpers/binding-sql";

describe("SQL literals (wrangler d1 execute takes no bound parameters)", () => {
  it("writes NULL, numbers and quoted strings with quotes doubled", () => {
    expect(sqlLiteral(null)).toBe("NULL");
    expect(sqlLiteral(1_767_225_600_000)).toBe("1767225600000");
    expect(sqlLiteral(-3)).toBe("-3");
    expect(sqlLiteral(1.5)).toBe("1.5");
    expect(sqlLiteral("")).toBe("''");
    expect(sqlLiteral("it's")).toBe("'it''s'");
    expect(sqlLiteral("'); DROP TABLE api_keys; --")).toBe("'''); DROP TABLE api_keys; --'");
  });

  it("splits the text wrangler would rewrite, and refuses what SQL cannot hold", () => {
    expect(sqlLiteral("a BEGIN TRANSACTION; b")).toBe("'a BEGIN '||'TRANSACTION; b'");
    expect(() => sqlLiteral(Number.NaN)).toThrow();
    expect(() => sqlLiteral(Number.POSITIVE_INFINITY)).toThrow();
    expect(() => sqlLiteral("a\0b")).toThrow();
  });

  it("interpolates only through literals", () => {
    expect(sqlText`SELECT ${"x'"} AS a, ${null} AS b, ${2} AS c`).toBe(
      "SELECT 'x''' AS a, NULL AS b, 2 AS c",
    );
    expect(sqlText`WHERE id IN ${sqlList(["a", "b'"])}`).toBe("WHERE id IN ('a', 'b''')");
    expect(() => sqlList([])).toThrow();
  });

  it("reads back exactly what was written, through the real engine", async () => {
    const sql = bindingSql(env.DB);
    const nasty = [
      "it's",
      "''",
      "a BEGIN TRANSACTION; COMMIT; b",
      "--",
      "/* x */",
      '"double" `tick` $$dollar$$ ;',
      "line\nbreak\ttab",
      "é ☃ 🎉",
      "\\",
    ];
    const rows = await sql.all(
      `SELECT ${nasty.map((s, i) => `${sqlLiteral(s)} AS v${i}`).join(", ")}, ${sqlLiteral(null)} AS n, ${sqlLiteral(9_007_199_254_740_991)} AS big`,
    );
    expect(rows).toEqual([
      {
        ...Object.fromEntries(nasty.map((s, i) => [`v${i}`, s])),
        n: null,
        big: 9_007_199_254_740_991,
      },
    ]);
  });
});

describe("wrangler d1 execute", () => {
  it("groups statements into commands under a size", () => {
    expect(commandsOf([], 10)).toEqual([]);
    expect(commandsOf(["aaa", "bbb", "ccc"], 10)).toEqual([["aaa", "bbb"], ["ccc"]]);
    // Counted in UTF-8 bytes, with room for the separator.
    expect(commandsOf(["éé", "a"], 7)).toEqual([["éé"], ["a"]]);
    expect(() => commandsOf(["a".repeat(20)], 10)).toThrow(/over 10/);
    expect(chunks([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
  });

  it("reads --json output: one result per statement", () => {
    const out = `[
  { "results": [ { "a": 1, "b": "x'y" } ], "success": true, "meta": { "duration": 5 } },
  { "results": [], "success": true, "meta": {} }
]`;
    expect(parseExecuteOutput(out, 2)).toEqual([[{ a: 1, b: "x'y" }], []]);
    expect(() => parseExecuteOutput(out, 1)).toThrow(/unexpected/);
    expect(() => parseExecuteOutput('[{ "results": [1] }]', 1)).toThrow(/unexpected/);
  });
});
