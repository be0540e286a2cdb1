import { runCommand } from "./lib/cli";
import { keyListUsage, parseKeyList } from "./lib/commands";
import { keyLines } from "./lib/format";
import { listKeyRecords } from "./lib/keys";
import { wranglerKv } from "./lib/wrangler";

await runCommand(keyListUsage, parseKeyList, async ({ orgId, mode, remote }) => {
  const kv = wranglerKv({ remote });
  const { records, unreadable } = await listKeyRecords(kv);
  const mine = records.filter((r) => r.orgId === orgId && r.mode === mode);
  for (const line of keyLines(mine)) console.log(line);
  const count = mine.length === 1 ? "1 key" : `${mine.length} keys`;
  console.error(`${count} for ${orgId} (${mode}) in ${kv.where}`);
  if (unreadable > 0) console.error(`warning: ${unreadable} key records could not be read`);
});
