/**
 * npm run dev's demo key: kept in `.wrangler/demo-key` across runs so a pasted
 * curl line keeps working; `npm run db:reset` replaces it.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { recordKvKey } from "../../src/lib/api-keys";
import { CURRENT_VERSION, pinKvKey } from "../../src/versions/ids";
import { ensureListed, parseRecord, storeNewKey } from "./keys";
import type { Kv } from "./kv";
import type { Sql } from "./sql";
import { ROOT } from "./wrangler";

export const DEMO_KEY_FILE = ".wrangler/demo-key";
export const DEMO_ORG = "org_demo";
const FILE = join(ROOT, DEMO_KEY_FILE);

/** The saved demo key, or null before the first `npm run dev`. */
export function readDemoKey(): string | null {
  const saved = existsSync(FILE) ? readFileSync(FILE, "utf8").trim() : "";
  return saved || null;
}

export const forgetDemoKey = () => rmSync(FILE, { force: true });

export type DemoKey = { apiKey: string; version: string };

/**
 * While the saved key's record is in KV nothing is written (it is listed if
 * an older run left it unlisted); otherwise (first run, revoked, or a reset
 * state) it is stored again like any new key, which pins org_demo on its first
 * key. `say` tells what was done, if anything.
 */
export async function ensureDemoKey(
  kv: Kv,
  sql: Sql,
  say: (line: string) => void,
): Promise<DemoKey> {
  const saved = readDemoKey();
  if (saved) {
    const recordKey = await recordKvKey(saved);
    const found = await kv.getMany([recordKey, pinKvKey(DEMO_ORG)]);
    const value = found.get(recordKey);
    const record = value ? parseRecord(value) : null;
    if (record) {
      if (await ensureListed(sql, saved, record)) say("listed the demo key in D1");
      const pin = found.get(pinKvKey(DEMO_ORG));
      return { apiKey: saved, version: pin ?? `${CURRENT_VERSION} (not pinned)` };
    }
  }
  const { apiKey, pin } = await storeNewKey(
    kv,
    sql,
    { orgId: DEMO_ORG, mode: "test", name: "demo", tier: "standard", expiresInDays: null },
    saved ?? undefined,
  );
  mkdirSync(dirname(FILE), { recursive: true });
  writeFileSync(FILE, apiKey);
  return { apiKey, version: pin };
}
