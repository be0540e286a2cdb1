import { parseArgs } from "node:util";
import { API_KEY_PATTERN, idKvKey, recordKvKey } from "../src/lib/api-keys";
import { kvDeleteMany, kvGet } from "./lib/wrangler";

const { values, positionals } = parseArgs({
  options: { remote: { type: "boolean", default: false } },
  allowPositionals: true,
  strict: true,
});
const target = positionals[0];
if (!target) {
  console.error("usage: npm run key:revoke -- <ck_... key or key_... id> [--remote]");
  process.exit(2);
}
const remote = values.remote ?? false;

let recordKey: string | null;
if (API_KEY_PATTERN.test(target)) {
  recordKey = await recordKvKey(target);
} else {
  recordKey = await kvGet(idKvKey(target), remote);
}
const record = recordKey ? await kvGet(recordKey, remote) : null;
if (!recordKey || !record) {
  console.error("no such key");
  process.exit(1);
}
const { id } = JSON.parse(record) as { id: string };
await kvDeleteMany([recordKey, idKvKey(id)], remote);
console.error(
  `revoked ${id}; running isolates may accept it for up to 90 s more (README, "Revocation delay")`,
);
