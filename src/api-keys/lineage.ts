import type { Db } from "../db/database";
import { idKvKey, type KeyRecord } from "../lib/api-keys";
import { deleteKeyRecords, readRecord } from "./kv";
import { listedLineages, listingOf } from "./reconcile-queries";
import { removeListings, startUnlistedRevocation } from "./revoke-queries";

/** A key above another, as far as it is known: its tenant, its maker, whether a delete of it started. */
type Ancestor = {
  orgId: string;
  mode: string;
  createdBy: string | null | undefined;
  revoked: boolean;
};

/** An unlisted key whose KV record works: it is no revoked key. */
const working = ({ orgId, mode, createdBy }: KeyRecord): Ancestor => ({
  orgId,
  mode,
  createdBy,
  revoked: false,
});

/** A key whose id entry is marked listed but whose listing is gone, with its record. */
export type LostKey = { kvKey: string; record: KeyRecord };

/**
 * For keys whose listing is gone (a restore), `gone`: the first key above
 * each one, maker after maker, that no longer works: revoked (a delete of it
 * started), neither listed nor in KV (deleted, or lost), of another
 * organization or mode, or on a cycle. Keys whose lineage works up to an
 * operator's key (or a key from before lineage, whose maker was never
 * recorded) are not in it. A maker the listing lost too counts while its KV
 * record is there (KV is the truth about which keys work): it is listed
 * again in its turn, or revoked if its own lineage is gone. `listed`: the
 * keys above them found listed with no delete started (the relist checks
 * them again in its own statement). One read of the listing for them all;
 * KV is read only for makers that are not listed.
 */
export async function checkLineages(
  kv: KVNamespace,
  db: Db,
  lost: readonly LostKey[],
): Promise<{ gone: Map<string, string>; listed: Set<string> }> {
  // These keys are not listed, and work: their records are at hand.
  const known = new Map<string, Ancestor | null>(
    lost.map(({ record }) => [record.id, working(record)]),
  );
  // Ids the listing was asked about (or passed on its way up): not listed unless known.
  const asked = new Set<string>();
  const listed = new Set<string>();
  const readListing = async (ids: string[]) => {
    const rows = await listedLineages(db, ids);
    for (const id of ids) asked.add(id);
    for (const { id, createdBy, revokedAt, ...row } of rows) {
      known.set(id, { ...row, createdBy, revoked: revokedAt !== null });
      if (revokedAt === null) listed.add(id);
      if (createdBy !== null) asked.add(createdBy);
    }
  };
  const ancestor = async (id: string) => {
    if (!known.has(id) && !asked.has(id)) await readListing([id]);
    const found = known.get(id);
    if (found !== undefined) return found;
    const kvKey = await kv.get(idKvKey(id));
    const inKv = kvKey?.startsWith("apikey:") ? await readRecord(kv, kvKey, id) : null;
    const kept = inKv ? working(inKv.record) : null;
    known.set(id, kept);
    return kept;
  };
  const makers = lost.flatMap(({ record: r }) =>
    typeof r.createdBy === "string" ? [r.createdBy] : [],
  );
  await readListing(makers.filter((id) => !known.has(id)));
  const gone = new Map<string, string>();
  for (const { record } of lost) {
    const seen = new Set([record.id]);
    // null: the operator's; undefined: from before lineage. Either ends the walk.
    let maker = record.createdBy;
    while (typeof maker === "string") {
      const above = seen.has(maker) ? null : await ancestor(maker);
      if (!above || above.revoked || above.orgId !== record.orgId || above.mode !== record.mode) {
        gone.set(record.id, maker);
        break;
      }
      seen.add(maker);
      maker = above.createdBy;
    }
  }
  return { gone, listed };
}

/**
 * Revokes an unlisted key whose lineage is gone, and every listed key it
 * made, as a delete does: marked revoked first (the key listed again,
 * revoked, in the same transaction), then their KV records, then their
 * listings. A run that stops half way leaves them marked, and a later run
 * finishes them. Returns the ids revoked.
 */
export async function revokeLost(kv: KVNamespace, db: Db, { kvKey, record }: LostKey, now: number) {
  const keys = await startUnlistedRevocation(db, listingOf(kvKey, record), now);
  for (const key of keys) await deleteKeyRecords(kv, key.kvKey, key.id);
  const ids = keys.map((k) => k.id);
  await removeListings(db, { orgId: record.orgId, mode: record.mode }, ids);
  return ids;
}
