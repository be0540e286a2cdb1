import { runCommand } from "./lib/cli";
import { keyBackfillUsage, parseKeyBackfill } from "./lib/commands";
import { backfillListing } from "./lib/keys";
import { withStores } from "./lib/platform";

const keys = (n: number) => (n === 1 ? "1 key" : `${n} keys`);

await runCommand(keyBackfillUsage, parseKeyBackfill, async (target) => {
  const { listed, alreadyListed, unreadable, leftToReconciliation, where } = await withStores(
    target,
    async ({ kv, sql }) => ({ ...(await backfillListing(kv, sql)), where: sql.where }),
  );
  const skipped = unreadable > 0 ? `, ${unreadable} unreadable records skipped` : "";
  const left =
    leftToReconciliation > 0
      ? `, ${leftToReconciliation} made over the API left to the scheduled reconciliation (it checks their makers)`
      : "";
  console.log(
    `key:backfill in ${where}: ${keys(listed)} listed now, ${alreadyListed} already listed${skipped}${left}`,
  );
});
