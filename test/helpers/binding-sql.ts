import type { Row, Sql } from "../../scripts/lib/sql";

/** The scripts' view of D1 over a real binding: the database the worker reads. */
export function bindingSql(db: D1Database): Sql {
  const run = async (statements: readonly string[]) => {
    if (statements.length === 0) return [];
    const results = await db.batch<Row>(statements.map((s) => db.prepare(s)));
    return results.map((r) => r.results);
  };
  return {
    where: "test D1",
    run,
    async all(query) {
      return (await run([query]))[0] ?? [];
    },
  };
}
