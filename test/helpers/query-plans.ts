import { env } from "cloudflare:test";

/** Tables a tenant can grow without bound: reading all of a tenant's rows is a scan in disguise. */
const UNBOUNDED_PER_TENANT = ["plans", "plan_groups"];

const tenantWide = new RegExp(
  `^SEARCH (${UNBOUNDED_PER_TENANT.join("|")}) USING (?:COVERING )?INDEX \\w+ \\(org_id=\\? AND mode=\\?\\)$`,
);

/**
 * What is wrong with one statement's query plan (the `detail` lines of
 * EXPLAIN QUERY PLAN): a scan of a whole table, or a search of every plan or
 * group of a tenant outside a paged listing (a statement with a LIMIT).
 */
export function planProblems(sql: string, details: string[], tables: string[]): string[] {
  const problems: string[] = [];
  for (const detail of details) {
    const scanned = detail.match(/^SCAN (\w+)(?: |$)/)?.[1];
    if (scanned !== undefined && tables.includes(scanned)) problems.push(detail);
    if (tenantWide.test(detail) && !/\blimit\b/i.test(sql)) problems.push(detail);
  }
  return problems;
}

/**
 * Each statement whose plan has a problem, with its problems; none is the
 * goal. `db` is the database the statements run on (the history's are
 * planned against its own schema).
 */
export async function queryPlanProblems(statements: Iterable<string>, db: D1Database = env.DB) {
  const { results: tableRows } = await db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
    .all<{ name: string }>();
  const tables = tableRows.map((t) => t.name);
  const found: { sql: string; problems: string[] }[] = [];
  for (const sql of statements) {
    // Plans do not depend on the values bound; every parameter is a `?`.
    const params = Array.from(sql.matchAll(/\?/g), () => null);
    const { results } = await db
      .prepare(`EXPLAIN QUERY PLAN ${sql}`)
      .bind(...params)
      .all<{ detail: string }>();
    const problems = planProblems(
      sql,
      results.map((r) => r.detail),
      tables,
    );
    if (problems.length > 0) found.push({ sql, problems });
  }
  return found;
}
