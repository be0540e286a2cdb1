/**
 * A D1 binding that runs each statement (or batch) on a real local database
 * once, by its SQL text, and from then on answers it from memory at once.
 * Under it a worker's code runs as it would, minus the round trip: what is
 * left of a request's CPU time is the worker's own (and the runtime's Request
 * and Response). Answers are the recorded objects themselves: the worker
 * must not change what D1 hands it (cost.ts checks every answer stays the same).
 */

type Real = D1Database | D1DatabaseSession;

class Statement {
  constructor(
    readonly db: ReplayD1,
    readonly sql: string,
    readonly params: unknown[] = [],
  ) {}

  bind(...params: unknown[]) {
    return new Statement(this.db, this.sql, params);
  }

  real(session: Real) {
    return session.prepare(this.sql).bind(...params(this.params));
  }

  all() {
    return this.db.answer(`all ${this.sql}`, (s) => this.real(s).all(), [this]);
  }

  run() {
    return this.db.answer(`run ${this.sql}`, (s) => this.real(s).run(), [this]);
  }

  raw(options?: { columnNames?: boolean }) {
    return this.db.answer(
      `raw ${this.sql}`,
      (s) => this.real(s).raw(options as { columnNames: true }),
      [this],
    );
  }

  first(column?: string) {
    return this.db.answer(
      `first ${column ?? ""} ${this.sql}`,
      (s) => (column === undefined ? this.real(s).first() : this.real(s).first(column)),
      [this],
    );
  }
}

/** D1 takes numbers, strings, null, and bytes; anything else the binding would refuse too. */
const params = (values: unknown[]) => values as (string | number | null)[];

export class ReplayD1 {
  private readonly answers = new Map<string, unknown>();
  /** Statements run for real (recorded), and answered from memory. */
  readonly counts = { recorded: 0, replayed: 0 };
  private bookmark: string | null = null;
  /** What was run for real, with its values: to look at a statement's plan (EXPLAIN QUERY PLAN). */
  readonly recorded: { sql: string; params: unknown[] }[] = [];

  constructor(private readonly real: D1Database) {}

  async answer<T>(
    key: string,
    run: (session: Real) => Promise<T>,
    statements: Statement[],
  ): Promise<T> {
    if (this.answers.has(key)) {
      this.counts.replayed++;
      return this.answers.get(key) as T;
    }
    const session = this.real.withSession("first-primary");
    const result = await run(session);
    this.bookmark ??= session.getBookmark();
    this.answers.set(key, result);
    this.counts.recorded++;
    for (const { sql, params } of statements) this.recorded.push({ sql, params });
    return result;
  }

  prepare(sql: string) {
    return new Statement(this, sql);
  }

  batch(statements: Statement[]) {
    const key = `batch ${statements.map((s) => s.sql).join(";\n")}`;
    return this.answer(
      key,
      (session) => session.batch(statements.map((s) => s.real(session))),
      statements,
    );
  }

  exec(): never {
    throw new Error("exec is not replayed");
  }

  /** Its own session: the bookmark is the one recorded with the first answer. */
  withSession() {
    return this;
  }

  getBookmark() {
    return this.bookmark;
  }

  /** For the worker's types: it takes this where it takes a D1Database. */
  asBinding(): D1Database {
    return this as unknown as D1Database;
  }
}
