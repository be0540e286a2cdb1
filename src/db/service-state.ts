import { eq } from "drizzle-orm";
import type { Db } from "./database";
import { serviceState } from "./schema";
import { change, defineRead, defineWrite, param } from "./statements";

/**
 * The small values background jobs keep between runs (service_state), by
 * name: a job's position, the queue's progress mark. Each job owns its names.
 */

const stateByName = defineRead({ value: serviceState.value }, (from) =>
  from()
    .from(serviceState)
    .where(eq(serviceState.name, param("name"))),
);

/** The value stored under `name`, or null. */
export async function readState(db: Db, name: string): Promise<string | null> {
  const [row] = await db.read(stateByName, { name });
  return row?.value ?? null;
}

/**
 * Stores `value` under `name` (its parameters: `name`, `value`, `now`), for a
 * job's own batch when the value must move with what the batch writes.
 */
export const saveState = change((b) =>
  b
    .insert(serviceState)
    .values({ name: param("name"), value: param("value"), updatedAt: param("now") })
    .onConflictDoUpdate({
      target: serviceState.name,
      set: { value: param("value"), updatedAt: param("now") },
    }),
);

const saveBatch = defineWrite({ save: saveState });

export async function writeState(db: Db, name: string, value: string, now: number) {
  await db.write(saveBatch, { name, value, now });
}
