import {
  buildKeyRecord,
  generateApiKey,
  type KeyOptions,
  keyEntries,
} from "../../src/lib/api-keys";
import { newId } from "../../src/lib/ids";
import { kvPutMany } from "./wrangler";

/**
 * Stores a new key (its hash, never the key) and returns the key and its record.
 * `persistTo` points a local write at another state directory (see targetFlags).
 */
export async function storeNewKey(
  opts: KeyOptions,
  remote: boolean,
  apiKey = generateApiKey(opts.mode),
  persistTo?: string,
) {
  const record = buildKeyRecord(opts, newId("key"));
  await kvPutMany(await keyEntries(apiKey, record), remote, persistTo);
  return { apiKey, record };
}
