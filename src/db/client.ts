import { drizzle } from "drizzle-orm/d1";

export type Database = ReturnType<typeof createDb>;

/**
 * Convention: every write is one `db.batch([...])`, even a single statement.
 * A batch is one transaction and one round trip, and it is the one place
 * where statements can be added to a write (the idempotency claim is).
 */
export function createDb(d1: D1Database) {
  // No `schema`: it only serves relational queries, which we do not use, and
  // drizzle would rebuild their config on every request's client.
  return drizzle(d1);
}
