import { bindingKv as scriptsKv } from "../../scripts/lib/bindings";
import type { Kv } from "../../scripts/lib/kv";

/**
 * The scripts' view of KV over a real binding (the one they use locally).
 * Keys live under `prefix`, so a test that scans the namespace (list,
 * backfill) sees only its own entries; an empty prefix writes where the
 * worker reads.
 */
export function bindingKv(ns: KVNamespace, prefix = `t_${crypto.randomUUID()}/`): Kv {
  return scriptsKv(ns, "test KV", prefix);
}
