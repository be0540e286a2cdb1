import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { markLineageRevoked, revokedRow } from "../../scripts/lib/listing";
import { startRevocation } from "../../src/api-keys/revoke-queries";
import { Db } from "../../src/db/database";
import { newId } from "../../src/lib/ids";
import type { Tenant } from "../../src/tenant";
import { bindingSql } from "../helpers/binding-sql";
import { uniqueOrg } from "../helpers/keys";

/**
 * `key:revoke` writes its lineage query as SQL text (wrangler binds no
 * parameters); the worker's delete builds its own. Both must revoke the same
 * keys of the same tree.
 */
async function listKey(tenant: Tenant, createdBy: string | null) {
  const id = newId("key");
  await env.DB.prepare(
    "INSERT INTO api_keys (id, org_id, mode, name, prefix, tier, kv_key, created_at, created_by) VALUES (?, ?, ?, 'k', 'ck_test_', 'standard', ?, 0, ?)",
  )
    .bind(id, tenant.orgId, tenant.mode, `apikey:${id}`, createdBy)
    .run();
  return id;
}

const unrevoke = (tenant: Tenant) =>
  env.DB.prepare("UPDATE api_keys SET revoked_at = NULL WHERE org_id = ? AND mode = ?")
    .bind(tenant.orgId, tenant.mode)
    .run();

describe("the lineage the CLI revokes is the one the API revokes", () => {
  it("selects the same keys of a tree, and nothing of another tenant or branch", async () => {
    const tenant: Tenant = { orgId: uniqueOrg(), mode: "test" };
    const root = await listKey(tenant, null);
    const a = await listKey(tenant, root);
    const b = await listKey(tenant, root);
    const c = await listKey(tenant, a);
    const d = await listKey(tenant, c);
    const other = await listKey(tenant, null);
    await listKey(tenant, other);
    // Same maker id in another mode: never part of this tenant's lineage.
    await listKey({ ...tenant, mode: "live" }, root);
    const expected = { [root]: [root, a, b, c, d], [a]: [a, c, d], [d]: [d] };
    for (const [start, ids] of Object.entries(expected)) {
      const viaApi = await startRevocation(new Db(env.DB), tenant, start, null, 1);
      if (viaApi.outcome !== "started") throw new Error(viaApi.outcome);
      await unrevoke(tenant);
      const [rows = []] = await bindingSql(env.DB).run([markLineageRevoked(tenant, start, 1)]);
      await unrevoke(tenant);
      const viaCli = rows.map((row) => revokedRow.parse(row).id);
      expect(viaApi.keys.map((k) => k.id).sort()).toEqual([...ids].sort());
      expect(viaCli.sort()).toEqual([...ids].sort());
    }
  });
});
