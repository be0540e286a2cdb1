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

/** How npm ran the script: its environment, and the name to show in a corrected command. */
export type NpmRun = {
  env: Readonly<Record<string, string | undefined>>;
  script: string;
  /** Values an option accepts, to tell which of the arguments npm left was whose. */
  choices?: Readonly<Record<string, readonly string[]>>;
};

/**
 * `--name value`, `--name=value`, boolean `--flag`, positionals, and `--` to end
 * options. A string option takes the next argument whatever it looks like.
 * `-h` or `--help` anywhere before `--` asks for the usage. With `npm`, an
 * option npm kept for itself (no `--` before the options) is refused first.
 */
export function parseCommandLine<S extends OptionSpec>(
  args: readonly string[],
  spec: S,
  maxPositionals = 0,
  npm?: NpmRun,
): Parsed<S> {
  if (npm) refuseKeptByNpm(args, spec, npm);
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

const npmName = (option: string) => `npm_config_${option.replace(/-/g, "_")}`;

/**
 * `npm run key:create --org org_1 --mode test` (no `--`): npm takes the options
 * as its own settings, says so in `npm_config_*`, and hands the script only
 * the words it could not place (`org_1 test`), or keeps a value given with `=`.
 * The refusal shows the command with `--`, each word back with its option: a
 * word among an option's `choices` goes to it, the others in usage order.
 */
export function refuseKeptByNpm(args: readonly string[], spec: OptionSpec, npm: NpmRun) {
  const kept = Object.keys(spec).filter((name) => npm.env[npmName(name)] !== undefined);
  if (kept.length === 0) return;
  // Where the words npm left are: neither an option nor a script option's value.
  const free = args.flatMap((arg, i) =>
    arg.startsWith("-") || takesValue(spec, args[i - 1]) ? [] : [i],
  );
  const take = (fits: (word: string) => boolean) => {
    const at = free.findIndex((i) => fits(args[i] as string));
    return at === -1 ? undefined : free.splice(at, 1)[0];
  };
  const placed = new Map<string, number>();
  const unplaced = kept.filter(
    (name) => spec[name] === "string" && npm.env[npmName(name)] === "true",
  );
  for (const name of unplaced) {
    const choices = npm.choices?.[name];
    const at = choices && take((word) => choices.includes(word));
    if (at !== undefined) placed.set(name, at);
  }
  for (const name of unplaced) {
    const at = placed.has(name) ? undefined : take(() => true);
    if (at !== undefined) placed.set(name, at);
  }
  const shownValue = (name: string) => {
    const at = placed.get(name);
    const value = at === undefined ? npm.env[npmName(name)] : args[at];
    return value === undefined || value === "true" ? `<${name}>` : shellWord(value);
  };
  const options = kept.flatMap((name) =>
    spec[name] === "boolean" ? [`--${name}`] : [`--${name}`, shownValue(name)],
  );
  const used = new Set(placed.values());
  const rest = args.filter((_, i) => !used.has(i)).map(shellWord);
  const names = kept.map((name) => `--${name}`);
  const list =
    names.length === 1 ? names[0] : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
  throw new UsageError(
    `npm kept ${list} for itself: put -- before the script's options, as in
  npm run ${npm.script} -- ${[...options, ...rest].join(" ")}`,
  );
}

/** Whether `arg` is a string option of `spec` written without `=`, so the next argument is its value. */
const takesValue = (spec: OptionSpec, arg: string | undefined) =>
  arg?.startsWith("--") === true && !arg.includes("=") && spec[arg.slice(2)] === "string";

/** A word as a shell reads it back: quoted when it holds anything but plain characters. */
const shellWord = (word: string) =>
  /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
