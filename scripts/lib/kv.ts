/**
 * The API_KEYS namespace as the scripts see it: a binding from a local
 * Miniflare (platform.ts), `wrangler kv` with `--remote`, the tests' own binding.
 * No Node imports here, so the tests can import it.
 */
export interface Kv {
  /** Every key asked for is in the map, null when absent. */
  getMany(keys: readonly string[]): Promise<Map<string, string | null>>;
  /** Names of the keys under a prefix. */
  list(prefix: string): Promise<string[]>;
  /** `metadata`: KV's metadata of the entry (wrangler's bulk put takes it as given). */
  putMany(
    entries: readonly { key: string; value: string; metadata?: Record<string, unknown> }[],
  ): Promise<void>;
  deleteMany(keys: readonly string[]): Promise<void>;
  /** Where the namespace is, for messages: "local KV (.wrangler/state)", "deployed KV". */
  readonly where: string;
}

export async function kvGet(kv: Kv, key: string): Promise<string | null> {
  return (await kv.getMany([key])).get(key) ?? null;
}

/**
 * `wrangler kv bulk get` prints a JSON object (then "Success!"): locally each
 * key maps to `{ value }`, from the Cloudflare API to the value itself.
 */
export function parseBulkGet(output: string, keys: readonly string[]): Map<string, string | null> {
  const parsed: unknown = JSON.parse(
    output.slice(output.indexOf("{"), output.lastIndexOf("}") + 1),
  );
  if (typeof parsed !== "object" || parsed === null)
    throw new Error("unexpected kv bulk get output");
  const found = parsed as Record<string, unknown>;
  const values = new Map<string, string | null>();
  for (const key of keys) {
    const entry = Object.hasOwn(found, key) ? found[key] : null;
    const value =
      typeof entry === "object" && entry !== null && "value" in entry ? entry.value : entry;
    values.set(key, typeof value === "string" ? value : null);
  }
  return values;
}

/** `wrangler kv key list` prints a JSON array of `{ name }`. */
export function parseKvKeyNames(output: string): string[] {
  const parsed: unknown = JSON.parse(
    output.slice(output.indexOf("["), output.lastIndexOf("]") + 1),
  );
  if (!Array.isArray(parsed)) throw new Error("unexpected kv key list output");
  return parsed.flatMap((item: unknown) =>
    typeof item === "object" && item !== null && "name" in item && typeof item.name === "string"
      ? [item.name]
      : [],
  );
}
