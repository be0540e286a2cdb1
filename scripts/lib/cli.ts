import { UsageError } from "./args";
import { WranglerError } from "./wrangler";

/** A failure the user can act on, said in one line (exit code 1). */
export class CliError extends Error {}

/**
 * Runs a script's command: `--help` prints the usage (exit 0); a usage
 * mistake prints one line and the usage (exit 2); any failure prints one
 * line (exit 1). Never a stack trace: these are tools, not libraries.
 */
export async function runCommand<T>(
  usage: string,
  parse: (args: readonly string[], env: NodeJS.ProcessEnv) => T | "help",
  main: (options: T) => Promise<void>,
) {
  let options: T | "help";
  try {
    options = parse(process.argv.slice(2), process.env);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`error: ${err.message}\n\n${usage}`);
    process.exit(2);
  }
  if (options === "help") {
    console.log(usage);
    return;
  }
  try {
    await main(options);
  } catch (err) {
    const known = err instanceof CliError || err instanceof WranglerError;
    const message = err instanceof Error ? err.message : String(err);
    console.error(known ? message : `error: ${message}`);
    process.exitCode = 1;
  }
}
