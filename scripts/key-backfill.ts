import { runCommand } from "./lib/cli";
import { keyBackfillUsage, parseKeyBackfill } from "./lib/commands";
import { backfillListing } from "./lib/keys";
import { withStores } from "./lib/platform";

await runCommand(keyBackfillUsage, parseKeyBackfill, async (target) => {
  const { listed, alreadyListed, unreadable, where } = await withStores(
    target,
    async ({ kv, sql }) => ({ ...(await backfillListing(kv, sql)), where: sql.where }),
  );
  const skipped = unreadable > 0 ? `, ${unreadable} unreadable records skipped` : "";
  console.log(
    `key:backfill in ${where}: ${listed} keys listed now, ${alreadyListed} already listed${skipped}`,
  );
});
