import { CliError, runCommand } from "./lib/cli";
import { keyRevokeUsage, parseKeyRevoke } from "./lib/commands";
import { revokeKey } from "./lib/keys";
import { wranglerKv } from "./lib/wrangler";

await runCommand(keyRevokeUsage, parseKeyRevoke, async ({ target, remote }) => {
  const kv = wranglerKv({ remote });
  const record = await revokeKey(kv, target);
  if (!record) {
    // Never echo a secret back.
    const what = target.startsWith("ck_") ? "that key" : `a key with id ${target}`;
    throw new CliError(`there is no ${what} in ${kv.where}; nothing revoked`);
  }
  console.log(
    `revoked ${record.id} (${record.orgId}, ${record.mode}); running isolates may accept it for up to 90 s more (README, "Revocation delay")`,
  );
});
