import { runCommand } from "./lib/cli";
import { keyListUsage, parseKeyList } from "./lib/commands";
import { keyLines } from "./lib/format";
import { listKeys } from "./lib/keys";
import { withStores } from "./lib/platform";

await runCommand(keyListUsage, parseKeyList, async ({ orgId, mode, remote, env }) => {
  const { keys, unlisted, unreadable, where } = await withStores(
    { remote, env },
    async ({ kv, sql }) => ({ ...(await listKeys(kv, sql, { orgId, mode })), where: sql.where }),
  );
  for (const line of keyLines(keys)) console.log(line);
  const count = keys.length === 1 ? "1 key" : `${keys.length} keys`;
  console.error(`${count} for ${orgId} (${mode}) in ${where}`);
  if (unlisted > 0) {
    const them = unlisted === 1 ? "1 more key is" : `${unlisted} more keys are`;
    const flags = [...(remote ? ["--remote"] : []), ...(env ? ["--env", env] : [])];
    console.error(
      `${them} in KV but not listed (made before the listing): run npm run key:backfill${flags.length > 0 ? ` -- ${flags.join(" ")}` : ""}`,
    );
  }
  if (unreadable > 0) console.error(`warning: ${unreadable} key records could not be read`);
});
