import { readdir, readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { parse } from "smol-toml";
import { defineConfig, type Plugin } from "vitest/config";
import { unstable_getMiniflareWorkerOptions, unstable_readConfig } from "wrangler";

// Keep the test runtime offline: no metrics, no `Request.cf` download.
process.env.WRANGLER_SEND_METRICS = "false";
process.env.CLOUDFLARE_CF_FETCH_ENABLED = "false";
// Only wrangler's warnings: its "Using secrets defined in .dev.vars", once per test file, is noise.
process.env.WRANGLER_LOG ??= "warn";

const TEST_RATE_LIMIT = 5;
const TEST_AUTH_FAILURE_LIMIT = 5;

// The pool ignores wrangler.toml's [alias] (it drops zod's translations from
// the bundle): apply the same table here, so tests run the code that ships.
const wranglerConfig = unstable_readConfig({ config: "./wrangler.toml" });
const alias = Object.entries(wranglerConfig.alias ?? {}).map(([find, to]) => ({
  find,
  replacement: resolve(dirname(wranglerConfig.configPath ?? "."), to),
}));

const migrations = await readD1Migrations("./migrations");
const historyMigrations = await readD1Migrations("./migrations-history");
// The files as they are, for the scripts' own migrator (scripts/lib/migrations.ts).
const migrationFiles = async (dir: string) =>
  Promise.all(
    (await readdir(dir))
      .filter((name) => name.endsWith(".sql"))
      .map(async (name) => ({ name, text: await readFile(resolve(dir, name), "utf8") })),
  );
/**
 * What wrangler itself binds locally in each environment, for the test that
 * the scripts' own reading of wrangler.toml (scripts/lib/local-ids.ts) opens
 * the same databases and namespace as `npm run dev`.
 */
const wranglerToml = await readFile("./wrangler.toml", "utf8");
const environments = Object.keys((parse(wranglerToml).env ?? {}) as Record<string, unknown>);
const wranglerLocalIds = Object.fromEntries(
  [undefined, ...environments].map((env) => {
    const { workerOptions } = unstable_getMiniflareWorkerOptions("./wrangler.toml", env);
    return [env ?? "", { d1: workerOptions.d1Databases, kv: workerOptions.kvNamespaces }];
  }),
);
const rawMigrations = {
  catalog: await migrationFiles("./migrations"),
  history: await migrationFiles("./migrations-history"),
};

/**
 * A Workers runtime for tests. With `heldQueue`, WEBHOOK_QUEUE sends to a
 * queue no one consumes: in a runtime that many files share, the consumer
 * would otherwise go on delivering one file's events during the next ones.
 */
const workersRuntime = (opts: { heldQueue: boolean }) =>
  cloudflareTest({
    wrangler: { configPath: "./wrangler.toml" },
    miniflare: {
      // A small allowance, so rate-limit tests reach it in a few requests.
      // Other tests use `unlimited` keys (see test/helpers/http.ts client()).
      bindings: {
        TEST_MIGRATIONS: migrations,
        TEST_HISTORY_MIGRATIONS: historyMigrations,
        TEST_MIGRATION_FILES: JSON.stringify(rawMigrations),
        WRANGLER_TOML: wranglerToml,
        WRANGLER_LOCAL_IDS: JSON.stringify(wranglerLocalIds),
        RATE_LIMIT_LIMIT: String(TEST_RATE_LIMIT),
        RATE_LIMIT_PERIOD_SECONDS: "60",
        AUTH_FAILURE_LIMIT: String(TEST_AUTH_FAILURE_LIMIT),
        AUTH_FAILURE_PERIOD_SECONDS: "60",
        // The tests' own secret (base64 of 32 bytes), never a developer's .dev.vars one.
        ENCRYPTION_KEY: "dGVzdC1vbmx5LWtleS0wMTIzNDU2Nzg5YWJjZGVmMDE=",
        // Off, whatever a developer's .dev.vars says: tests that want it pass it per call.
        WEBHOOK_ALLOW_LOOPBACK: "",
        // Likewise: /__scheduled is an ordinary unknown path unless a test turns it on.
        DEV_RUN_CRONS: "",
        // wrangler.toml's own limits and vars, for the test that they agree.
        DEPLOYED_LIMITS: JSON.stringify({
          ratelimits: wranglerConfig.ratelimits,
          vars: wranglerConfig.vars,
          crons: wranglerConfig.triggers.crons,
        }),
        // Replays a fast-check failure inside workerd: FC_SEED=… FC_PATH=… npx vitest run <file>
        FC_SEED: process.env.FC_SEED ?? "",
        FC_PATH: process.env.FC_PATH ?? "",
        FC_RUNS: process.env.FC_RUNS ?? "",
      },
      ratelimits: {
        RATE_LIMITER: { namespace_id: "1001", simple: { limit: TEST_RATE_LIMIT, period: 60 } },
        AUTH_FAILURE_LIMITER: {
          namespace_id: "1002",
          simple: { limit: TEST_AUTH_FAILURE_LIMIT, period: 60 },
        },
      },
      // Extra databases for tests only: ones to apply migrations to from
      // scratch (or step by step), one left without tables to provoke a
      // real internal error.
      d1Databases: {
        DB_FRESH: "test-fresh",
        DB_UPGRADE: "test-upgrade",
        HISTORY_FRESH: "test-history-fresh",
        DB_EMPTY: "test-empty",
        // Only test/scripts/migrations.test.ts migrates it (the scripts' migrator).
        SCRIPT_MIGRATE: "test-script-migrate",
        // Only test/scripts/busy.test.ts writes to it (the scripts' lock retries).
        SCRIPT_BUSY: "test-script-busy",
      },
      ...(opts.heldQueue
        ? { queueProducers: { WEBHOOK_QUEUE: { queueName: "webhook-deliveries-held" } } }
        : {}),
    },
  });

/**
 * Files that need a runtime of their own (one workerd, fresh storage, per
 * file): they wait for the real queue's consumer, run jobs over every row
 * (sweep, purge, reconciliation, re-encryption), migrate the extra databases
 * from scratch, or list what the whole runtime holds. Every other file runs
 * in one of a few runtimes that many files share in turn: starting a runtime
 * costs about 3 s of CPU, most of `npm test` when each of 110 files had one.
 * A file in a shared runtime sees other files' rows (hence uniqueOrg()), and
 * its writes' queue messages are held, never delivered.
 */
const OWN_RUNTIME = [
  // The real queue's consumer delivers to receivers.
  "test/webhooks/end-to-end.test.ts",
  "test/deliveries/end-to-end.test.ts",
  "test/webhooks/burst.test.ts",
  "test/webhooks/retries.test.ts",
  // Jobs over every row, or every key.
  "test/api-keys/api-keys.test.ts",
  "test/api-keys/reconcile.test.ts",
  "test/db/query-plans.test.ts",
  "test/foundation/crons.test.ts",
  "test/foundation/dev-crons.test.ts",
  "test/idempotency/purge.test.ts",
  "test/middleware/idempotency-expiry.test.ts",
  "test/reencryption/job.test.ts",
  "test/reencryption/rotation.test.ts",
  "test/scripts/keys.test.ts",
  "test/webhooks/sweep.test.ts",
  // Databases migrated from scratch.
  "test/foundation/migrations.test.ts",
  "test/history/storage.test.ts",
];

/**
 * The dependency ships a source map whose sources it does not ship: Vite's
 * warning about them says nothing about this project. Loaded without it.
 */
const withoutSourceMap = (pkg: string): Plugin => ({
  name: `${pkg}-without-source-map`,
  enforce: "pre",
  async load(id) {
    if (!id.includes(`/node_modules/${pkg}/`) || !id.endsWith(".js")) return null;
    const code = await readFile(id, "utf8");
    return { code: code.replace(/^\/\/# sourceMappingURL=.*$/m, ""), map: null };
  },
});

/**
 * Lines workerd prints that no test can capture (they bypass the test's
 * console), which the pool passes on: its own list of such lines
 * (@cloudflare/vitest-pool-workers 0.15.1, `ignoreMessages`) lacks the one
 * each runtime prints as the pool closes its socket at the end, and the
 * warning workerd prints whenever JavaScript sends a non-ASCII header value,
 * which test/middleware/hardening.test.ts and two others do on purpose. A
 * runtime closed while its queue consumer still writes (a file that waits
 * for the real queue, under load) prints the broken pipe with workerd's own
 * stack addresses, which say nothing about the tests.
 */
const RUNTIME_NOISE = [
  /^exception = workerd\/api\/web-socket\.c\+\+:\d+: disconnected: WebSocket peer disconnected\n$/,
  /^exception = kj\/async-io-unix\.c\+\+:\d+: disconnected: ::write\(fd, buffer\.begin\(\), buffer\.size\(\)\): Broken pipe\n(stack: [^\n]*\n)?$/,
  /^stack: (\S*workerd@[0-9a-f]+\s*)+$/,
  /^A header value for "[^"]+" contains non-ASCII characters: /,
];
for (const stream of [process.stdout, process.stderr]) {
  const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    if (typeof chunk === "string" && RUNTIME_NOISE.some((noise) => noise.test(chunk))) {
      const done = rest.find((arg) => typeof arg === "function");
      if (done) queueMicrotask(done as () => void);
      return true;
    }
    return write(chunk, ...rest);
  }) as typeof stream.write;
}

export default defineConfig({
  plugins: [withoutSourceMap("standardwebhooks")],
  resolve: { alias },
  test: {
    setupFiles: ["./test/setup.ts"],
    // Some tests build 100-plan groups through the API; CI machines are slow and shared.
    testTimeout: 60_000,
    // Info lines (one per request, background deliveries, cron jobs) are for
    // Workers Logs, not for test output; tests that expect one spy on it.
    onConsoleLog: (log) => !log.startsWith('{"level":"info",'),
    // Three runtimes at a time on this 2-core machine (CI's is the same):
    // tests spend about half their time waiting on storage and timers.
    maxWorkers: 3,
    projects: [
      {
        extends: true,
        plugins: [workersRuntime({ heldQueue: true })],
        test: {
          name: "shared",
          include: ["test/**/*.test.ts"],
          exclude: OWN_RUNTIME,
          isolate: false,
        },
      },
      {
        extends: true,
        plugins: [workersRuntime({ heldQueue: false })],
        // Vitest's sequencer orders projects by name: "own" files start first,
        // the slowest (burst.test.ts) among them, while the others run beside it.
        test: { name: "own", include: OWN_RUNTIME },
      },
    ],
  },
});
