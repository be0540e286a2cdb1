/**
 * What `npm run dev` reads from the arguments it passes on to `wrangler dev`.
 * No Node imports here, so the tests can import it.
 */
import { UsageError } from "./args";

/** wrangler dev's own default, which wrangler.toml does not change (it has no [dev] port). */
export const DEFAULT_DEV_PORT = 8787;

/** The port `wrangler dev` will listen on: `--port <n>` or `--port=<n>` (the last one wins, as in wrangler). */
export function devPort(args: readonly string[]): number {
  let port = DEFAULT_DEV_PORT;
  for (const [i, arg] of args.entries()) {
    const value = arg === "--port" ? args[i + 1] : arg.startsWith("--port=") ? arg.slice(7) : null;
    if (value === null) continue;
    port = Number(value);
    if (value === undefined || !Number.isInteger(port) || port < 1 || port > 65535) {
      throw new UsageError(
        `--port takes a port number (1-65535), got ${JSON.stringify(value ?? "")}`,
      );
    }
  }
  return port;
}

/** The default port's server logs to dev.log, any other to its own file, so two never share one. */
export const devLogName = (port: number) =>
  port === DEFAULT_DEV_PORT ? "dev.log" : `dev-${port}.log`;

/**
 * The local state `wrangler dev` will use, from `--env <name>` (or `-e`) and
 * `--persist-to <dir>` (or their `=` forms; the last one wins): the migrations
 * and the demo key go where the server reads.
 */
export function devState(args: readonly string[]): { env?: string; persistTo?: string } {
  const state: { env?: string; persistTo?: string } = {};
  for (const [i, arg] of args.entries()) {
    for (const [flag, key] of [
      ["--env", "env"],
      ["-e", "env"],
      ["--persist-to", "persistTo"],
    ] as const) {
      const value =
        arg === flag ? args[i + 1] : arg.startsWith(`${flag}=`) ? arg.slice(flag.length + 1) : null;
      if (value) state[key] = value;
    }
  }
  return state;
}
