/**
 * Organization pins: the API version an organization's requests get when they
 * send no `Commet-Version` header. KV `orgversion:<orgId>` → the bare version.
 */

import type { KeyRecord } from "../../src/lib/api-keys";
import { type ApiVersion, CURRENT_VERSION, LEGACY_VERSION, pinKvKey } from "../../src/versions/ids";
import { type Kv, kvGet } from "./kv";

/** The stored pin as is (the worker decides what an unknown value means), or null. */
export const readPin = (kv: Kv, orgId: string) => kvGet(kv, pinKvKey(orgId));

export const pinEntry = (orgId: string, version: ApiVersion) => ({
  key: pinKvKey(orgId),
  value: version,
});

/**
 * An organization's pin before its new key is stored, and the entry that pins
 * it to the current version when it has none (its first key). A pin is never
 * overwritten here.
 */
export async function pinForNewKey(kv: Kv, orgId: string) {
  const pin = await readPin(kv, orgId);
  return {
    pin: pin ?? CURRENT_VERSION,
    entry: pin === null ? pinEntry(orgId, CURRENT_VERSION) : null,
  };
}

export type BackfillResult = { pinned: string[]; alreadyPinned: number };

/**
 * Pins every organization that has a key and no pin to the legacy version, so
 * integrations written before versions existed keep their response shapes.
 * Never overwrites a pin; running it again pins nothing new.
 */
export async function backfillPins(kv: Kv, records: KeyRecord[]): Promise<BackfillResult> {
  const orgs = [...new Set(records.map((r) => r.orgId))].sort();
  const pins = await kv.getMany(orgs.map(pinKvKey));
  const unpinned = orgs.filter((org) => pins.get(pinKvKey(org)) == null);
  if (unpinned.length > 0) await kv.putMany(unpinned.map((org) => pinEntry(org, LEGACY_VERSION)));
  return { pinned: unpinned, alreadyPinned: orgs.length - unpinned.length };
}
