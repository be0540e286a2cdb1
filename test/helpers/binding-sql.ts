import { bindingSql as scriptsSql } from "../../scripts/lib/bindings";
import type { Sql } from "../../scripts/lib/sql";

/** The scripts' view of D1 over a real binding (the one they use locally): the database the worker reads. */
export function bindingSql(db: D1Database): Sql {
  return scriptsSql(db, "test D1");
}
