import { runCommand } from "./lib/cli";
import { keyCreateUsage, parseKeyCreate } from "./lib/commands";
import { createdLine } from "./lib/format";
import { storeNewKey } from "./lib/keys";
import { withStores } from "./lib/platform";

await runCommand(keyCreateUsage, parseKeyCreate, async ({ remote, env, ...opts }) => {
  const { apiKey, record, pin, newPin } = await withStores({ remote, env }, ({ kv, sql }) =>
    storeNewKey(kv, sql, opts),
  );
  console.error(createdLine(record));
  if (newPin)
    console.error(`${record.orgId} is new: pinned to API version ${pin} (see npm run org:pin)`);
  // The key is shown once, as the only line on stdout.
  console.log(apiKey);
});
