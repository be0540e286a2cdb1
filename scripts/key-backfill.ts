import { runCommand } from "./lib/cli";
import { keyBackfillUsage, parseKeyBackfill } from "./lib/commands";
import { backfillListing } from "./lib/keys";
import { wranglerKv, wranglerSql } from "./lib/wrangler";

await runCommand(keyBackfillUsage, parseKeyBackfill, async ({ remote }) => {
  const sql = wranglerSql({ remote });
  const { listed, alreadyListed, unreadable } = await backfillListing(wranglerKv({ remote }), sql);
  const skipped = unreadable > 0 ? `, ${unreadable} unreadable records skipped` : "";
  console.log(
    `key:backfill in ${sql.where}: ${listed} keys listed now, ${alreadyListed} already listed${skipped}`,
  );
});
