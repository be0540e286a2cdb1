/**
 * The D1 database as the scripts see it: a binding from a local Miniflare
 * (platform.ts), or `wrangler d1 execute` with `--remote`, which takes
 * SQL text and no bound parameters, so every value goes into the text through
 * `sqlLiteral` (whatever the route); the tests pass a real D1 binding. No Node imports here, so the tests can import it.
 */

export type Row = Record<string, unknown>;

export interface Sql {
  /** Runs the statements in order; each statement's rows (`RETURNING`), in order. */
  run(statements: readonly string[]): Promise<Row[][]>;
  /** The rows of one query. */
  all(query: string): Promise<Row[]>;
  /** Where the database is, for messages: "local D1 (.wrangler/state)", "the deployed D1 database". */
  readonly where: string;
}

export type SqlValue = string | number | null;

/**
 * A value as SQLite literal text: NULL, a finite number, or a string in single
 * quotes with each quote doubled (SQLite strings know no other escape).
 */
export function sqlLiteral(value: SqlValue): string {
  if (value === null) return "NULL";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error(`not a number SQL can hold: ${value}`);
    return String(value);
  }
  // SQLite would end the statement text at a NUL.
  if (value.includes("\0")) throw new Error("a string for SQL contains a NUL character");
  // wrangler rewrites any SQL text containing "BEGIN TRANSACTION" (it strips a
  // transaction wrapper before running a file), even inside a string: split it.
  const quoted = value
    .replaceAll("'", "''")
    .replaceAll("BEGIN TRANSACTION", "BEGIN '||'TRANSACTION");
  return `'${quoted}'`;
}

/** A parenthesised list of literals, for `IN ${sqlList(ids)}`. */
class SqlList {
  constructor(readonly text: string) {}
}

export function sqlList(values: readonly SqlValue[]): SqlList {
  if (values.length === 0) throw new Error("an SQL list needs at least one value");
  return new SqlList(`(${values.map(sqlLiteral).join(", ")})`);
}

/** SQL text with every interpolated value written by `sqlLiteral`: `sqlText\`... WHERE id = ${id}\``. */
export function sqlText(strings: TemplateStringsArray, ...values: (SqlValue | SqlList)[]): string {
  return strings.reduce((text, part, i) => {
    if (i === 0) return part;
    const value = values[i - 1] as SqlValue | SqlList;
    const literal = value instanceof SqlList ? value.text : sqlLiteral(value);
    return `${text}${literal}${part}`;
  });
}

/** Splits `items` into runs of at most `size`. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Statements grouped into commands of at most `maxBytes` of UTF-8 (one command
 * line argument is at most 128 KiB on Linux; D1 takes 100 KB per statement).
 */
export function commandsOf(statements: readonly string[], maxBytes: number): string[][] {
  const size = (s: string) => new TextEncoder().encode(s).length + 2;
  const commands: string[][] = [];
  let current: string[] = [];
  let bytes = 0;
  for (const statement of statements) {
    const n = size(statement);
    if (n > maxBytes) throw new Error(`an SQL statement of ${n} bytes is over ${maxBytes}`);
    if (bytes + n > maxBytes && current.length > 0) {
      commands.push(current);
      current = [];
      bytes = 0;
    }
    current.push(statement);
    bytes += n;
  }
  if (current.length > 0) commands.push(current);
  return commands;
}

/**
 * `wrangler d1 execute --json` prints a JSON array with one `{ results, success }`
 * per statement (locally and from the Cloudflare API alike).
 */
export function parseExecuteOutput(output: string, statements: number): Row[][] {
  const parsed: unknown = JSON.parse(
    output.slice(output.indexOf("["), output.lastIndexOf("]") + 1),
  );
  const fail = () => {
    throw new Error("unexpected d1 execute output");
  };
  if (!Array.isArray(parsed) || parsed.length !== statements) return fail();
  return parsed.map((item: unknown) => {
    if (typeof item !== "object" || item === null || !("results" in item)) return fail();
    const { results } = item;
    if (!Array.isArray(results)) return fail();
    return results.map((row: unknown) =>
      typeof row === "object" && row !== null && !Array.isArray(row) ? (row as Row) : fail(),
    );
  });
}
