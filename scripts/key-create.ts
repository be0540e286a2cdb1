import { parseArgs } from "node:util";
import { storeNewKey } from "./lib/keys";

const usage = `usage: npm run --silent key:create -- --org <orgId> --mode test|live
       [--name <name>] [--tier standard|unlimited] [--expires-in-days <n>] [--remote]`;

function fail(message: string): never {
  console.error(`${message}\n${usage}`);
  process.exit(2);
}

const { values } = parseArgs({
  options: {
    org: { type: "string" },
    mode: { type: "string", default: "test" },
    name: { type: "string", default: "" },
    tier: { type: "string", default: "standard" },
    "expires-in-days": { type: "string" },
    remote: { type: "boolean", default: false },
  },
  strict: true,
});

if (!values.org) fail("--org is required");
if (values.mode !== "test" && values.mode !== "live") fail("--mode must be test or live");
if (values.tier !== "standard" && values.tier !== "unlimited")
  fail("--tier must be standard or unlimited");
const days = values["expires-in-days"];
if (days !== undefined && !(Number(days) > 0)) fail("--expires-in-days must be a positive number");

const { apiKey, record } = await storeNewKey(
  {
    orgId: values.org,
    mode: values.mode,
    name: values.name ?? "",
    tier: values.tier,
    expiresInDays: days === undefined ? null : Number(days),
  },
  values.remote ?? false,
);
console.error(`created ${record.id} for ${record.orgId} (${record.mode}, ${record.tier})`);
// The key is shown once, as the last (and only) line on stdout.
console.log(apiKey);
