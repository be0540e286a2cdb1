import { CURRENT_VERSION, LEGACY_VERSION } from "../src/versions/ids";
import { runCommand } from "./lib/cli";
import { type OrgPinOptions, orgPinUsage, parseOrgPin } from "./lib/commands";
import { listKeyRecords } from "./lib/keys";
import type { Kv } from "./lib/kv";
import { backfillPins, pinEntry, readPin } from "./lib/pins";
import { withStores } from "./lib/platform";

await runCommand(orgPinUsage, parseOrgPin, (opts) =>
  withStores(opts, ({ kv }) => orgPin(kv, opts)),
);

async function orgPin(kv: Kv, opts: OrgPinOptions) {
  if (opts.action === "backfill") {
    const { records, unreadable } = await listKeyRecords(kv);
    const { pinned, alreadyPinned } = await backfillPins(kv, records);
    for (const org of pinned) console.log(`${org} pinned to ${LEGACY_VERSION}`);
    console.error(
      `backfill in ${kv.where}: ${pinned.length} organizations pinned to ${LEGACY_VERSION}, ${alreadyPinned} already had a pin`,
    );
    if (unreadable > 0) console.error(`warning: ${unreadable} key records could not be read`);
    return;
  }
  const pin = await readPin(kv, opts.orgId);
  if (opts.action === "show") {
    console.log(
      pin === null
        ? `${opts.orgId}: not pinned (requests without Commet-Version get ${CURRENT_VERSION})`
        : `${opts.orgId}: ${pin}`,
    );
    return;
  }
  await kv.putMany([pinEntry(opts.orgId, opts.version)]);
  console.log(`${opts.orgId}: ${pin ?? "not pinned"} -> ${opts.version}`);
}
