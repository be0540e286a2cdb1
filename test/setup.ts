import { applyD1Migrations, env } from "cloudflare:test";
import { setMarkDelay } from "../src/api-keys/mark";
import { installResolver } from "../src/webhooks/resolve";
import { fakeResolver } from "./helpers/dns";
import { beHermetic } from "./helpers/hermetic";

// No network, no unexpected error line, no unhandled rejection: see ./helpers/hermetic.ts.
beHermetic();

// Idempotent: applyD1Migrations skips migrations already recorded.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
await applyD1Migrations(env.HISTORY_DB, env.TEST_HISTORY_MIGRATIONS);

// Webhook hosts are resolved by test DNS, never by a real DoH service.
installResolver(fakeResolver);

// Local KV has no per-key write rate: a create marks its key listed at once.
setMarkDelay(0);
