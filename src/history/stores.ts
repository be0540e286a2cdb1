import { Db } from "../db/database";
import type { Bindings } from "../env";

/** Both databases of the delivery pipeline: the catalog (endpoints, outbox) and the history. */
export type Stores = { catalog: Db; history: Db };

/** `catalog`: the request's own handle when there is one (its Idempotency-Key rides in it). */
export const storesOf = (env: Bindings, catalog?: Db): Stores => ({
  catalog: catalog ?? new Db(env.DB),
  history: new Db(env.HISTORY_DB),
});
