/**
 * Runs one worker locally the way `wrangler dev --local` does, but without
 * the DevTools inspector. Under `wrangler dev` the runtime reports every
 * subrequest, D1 calls included, to wrangler's inspector proxy with its whole
 * response body in base64, and wrangler's Node process logs it: a few ms of
 * CPU per D1 call that no deployed worker pays. The floor pays it as much as
 * the service, so it hides how much more the service's own code costs.
 * The benchmark's headline mode (inspector off) runs both workers through this.
 *
 * Usage (by servers.ts): tsx launch.ts <json of LaunchOptions>; runs until killed.
 */
import { unstable_startWorker } from "wrangler";

export type LaunchOptions = {
  config: string;
  port: number;
  state: string;
  vars: Record<string, string>;
};

const options = JSON.parse(process.argv[2] ?? "") as LaunchOptions;

const worker = await unstable_startWorker({
  config: options.config,
  bindings: Object.fromEntries(
    Object.entries(options.vars).map(([name, value]) => [name, { type: "plain_text", value }]),
  ),
  dev: {
    remote: false,
    inspector: false,
    persist: options.state,
    server: { hostname: "127.0.0.1", port: options.port },
    // BENCH_LOG_LEVEL=log shows the worker's own log lines (to diagnose a failing run).
    logLevel: process.env.BENCH_LOG_LEVEL === "log" ? "log" : "warn",
    watch: false,
  },
});
await worker.ready;

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    worker.dispose().finally(() => process.exit(0));
  });
}
