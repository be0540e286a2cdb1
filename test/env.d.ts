import type { D1Migration } from "@cloudflare/vitest-pool-workers";
import type { Bindings } from "../src/env";

declare global {
  namespace Cloudflare {
    interface Env extends Bindings {
      TEST_MIGRATIONS: D1Migration[];
      TEST_HISTORY_MIGRATIONS: D1Migration[];
      DB_FRESH: D1Database;
      DB_UPGRADE: D1Database;
      HISTORY_FRESH: D1Database;
      DB_EMPTY: D1Database;
      SCRIPT_MIGRATE: D1Database;
      SCRIPT_BUSY: D1Database;
      TEST_MIGRATION_FILES: string;
      WRANGLER_TOML: string;
      WRANGLER_LOCAL_IDS: string;
      FC_SEED: string;
      FC_PATH: string;
      FC_RUNS: string;
      DEPLOYED_LIMITS: string;
    }
    interface GlobalProps {
      mainModule: typeof import("../src/index");
    }
  }
}
