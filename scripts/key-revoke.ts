import { CliError, runCommand } from "./lib/cli";
import { keyRevokeUsage, parseKeyRevoke } from "./lib/commands";
import { revokeKey } from "./lib/keys";
import { withStores } from "./lib/platform";

await runCommand(keyRevokeUsage, parseKeyRevoke, async ({ target, remote, env }) => {
  const { result, where } = await withStores({ remote, env }, async ({ kv, sql }) => ({
    result: await revokeKey(kv, sql, target),
    where: kv.where,
  }));
  if (!result) {
    // Never echo a secret back.
    const what = target.startsWith("ck_") ? "such key" : `key with id ${target}`;
    throw new CliError(`there is no ${what} in ${where} or its listing; nothing revoked`);
  }
  const made =
    result.made.length === 0
      ? ""
      : ` and the ${result.made.length === 1 ? "key" : `${result.made.length} keys`} it made (${result.made.join(", ")})`;
  if ("listingOnly" in result) {
    const { id, orgId, mode } = result.listingOnly;
    console.log(
      `${id} (${orgId}, ${mode}) was listed but its KV record was already gone: removed its listing${made ? `; revoked${made}` : ""}`,
    );
    return;
  }
  const { id, orgId, mode } = result.revoked;
  console.log(
    `revoked ${id} (${orgId}, ${mode})${made}; running isolates may accept them for up to 90 s more (docs/api-keys.md, "Revocation delay")`,
  );
});
