import { runCommand } from "./lib/cli";
import { keyListUsage, parseKeyList } from "./lib/commands";
import { keyLines } from "./lib/format";
import { listKeys } from "./lib/keys";
import { wranglerKv, wranglerSql } from "./lib/wrangler";

await runCommand(keyListUsage, parseKeyList, async ({ orgId, mode, remote }) => {
  const sql = wranglerSql({ remote });
  const { keys, unlisted, unreadable } = await listKeys(wranglerKv({ remote }), sql, {
    orgId,
    mode,
  });
  for (const line of keyLines(keys)) console.log(line);
  const count = keys.length === 1 ? "1 key" : `${keys.length} keys`;
  console.error(`${count} for ${orgId} (${mode}) in ${sql.where}`);
  if (unlisted > 0) {
    const them = unlisted === 1 ? "1 more key is" : `${unlisted} more keys are`;
    console.error(
      `${them} in KV but not listed (made before the listing): run npm run key:backfill${remote ? " -- --remote" : ""}`,
    );
  }
  if (unreadable > 0) console.error(`warning: ${unreadable} key records could not be read`);
});
