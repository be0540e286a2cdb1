import {
  buildKeyRecord,
  generateApiKey,
  type KeyOptions,
  keyEntries,
} from "../../src/lib/api-keys";
import { newId } from "../../src/lib/ids";
import { kvPutMany } from "./wrangler";

/** Stores a new key (its hash, never the key) and returns the key and its record. */
export async function storeNewKey(
  opts: KeyOptions,
  remote: boolean,
  apiKey = generateApiKey(opts.mode),
) {
  const record = buildKeyRecord(opts, newId("key"));
  await kvPutMany(await keyEntries(apiKey, record), remote);
  return { apiKey, record };
}
