/**
 * Command-line parsing for the scripts. Not `node:util` parseArgs: it refuses
 * an option value that starts with a dash (`--expires-in-days -1` would be
 * "ambiguous" instead of "must be positive"), and it does not exist in workerd,
 * where the tests run. No Node imports here, so the tests can import it.
 */

/** A mistake on the command line: shown as one line followed by the usage. */
export class UsageError extends Error {}

export type OptionSpec = Record<string, "string" | "boolean">;

type Values<S extends OptionSpec> = {
  [K in keyof S]?: S[K] extends "string" ? string : boolean;
};

export type Parsed<S extends OptionSpec> =
  | { help: true }
  | { help: false; values: Values<S>; positionals: string[] };

/**
 * `--name value`, `--name=value`, boolean `--flag`, positionals, and `--` to end
 * options. A string option takes the next argument whatever it looks like.
 * `-h` or `--help` anywhere before `--` asks for the usage.
 */
export function parseCommandLine<S extends OptionSpec>(
  args: readonly string[],
  spec: S,
  maxPositionals = 0,
): Parsed<S> {
  const end = args.indexOf("--");
  const optionArgs = end === -1 ? args : args.slice(0, end);
  if (optionArgs.includes("--help") || optionArgs.includes("-h")) return { help: true };

  const values: Record<string, string | boolean> = {};
  const positionals: string[] = end === -1 ? [] : args.slice(end + 1);
  for (let i = 0; i < optionArgs.length; i += 1) {
    const arg = optionArgs[i] as string;
    if (!arg.startsWith("-") || arg === "-") {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = arg.startsWith("--") ? arg.slice(2, eq === -1 ? undefined : eq) : "";
    const type = Object.hasOwn(spec, name) ? spec[name] : undefined;
    if (type === undefined) throw new UsageError(`unknown option ${arg.split("=")[0]}`);
    if (Object.hasOwn(values, name)) throw new UsageError(`--${name} is given twice`);
    if (type === "boolean") {
      if (eq !== -1) throw new UsageError(`--${name} takes no value`);
      values[name] = true;
    } else if (eq !== -1) {
      values[name] = arg.slice(eq + 1);
    } else {
      const next = optionArgs[i + 1];
      if (next === undefined) throw new UsageError(`--${name} needs a value`);
      values[name] = next;
      i += 1;
    }
  }
  if (positionals.length > maxPositionals) {
    throw new UsageError(`unexpected argument ${positionals[maxPositionals]}`);
  }
  return { help: false, values: values as Values<S>, positionals };
}

/** The value of a required option, refusing an empty one. */
export function required(value: string | undefined, name: string): string {
  if (value === undefined || value.trim() === "") throw new UsageError(`--${name} is required`);
  return value;
}

/** One of `choices`; `fallback` when the option is absent (required when there is none). */
export function oneOf<T extends string>(
  value: string | undefined,
  name: string,
  choices: readonly T[],
  fallback?: T,
): T {
  if (value === undefined && fallback !== undefined) return fallback;
  if (value === undefined) throw new UsageError(`--${name} is required (${choices.join(" or ")})`);
  if (!(choices as readonly string[]).includes(value)) {
    throw new UsageError(`--${name} must be ${choices.join(" or ")}, got ${JSON.stringify(value)}`);
  }
  return value as T;
}
