import { drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

export type Database = ReturnType<typeof createDb>;

/**
 * Convention: every write is one `db.batch([...])`, even a single statement.
 * A batch is one transaction and one round trip, and it is the one place
 * where statements can be added to a write (the idempotency claim is).
 */
export function createDb(d1: D1Database) {
  return drizzle(d1, { schema });
}
