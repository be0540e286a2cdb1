/**
 * What `npm run webhooks:listen` accepts. Pure (no Node imports): the
 * environment comes in as an argument, so the tests check every refusal.
 */

import { API_VERSIONS, type ApiVersion, isApiVersion } from "../../src/versions/ids";
import { EVENT_TYPES, type EventType } from "../../src/webhooks/events";
import { SECRET_PREFIX } from "../../src/webhooks/sign";
import { parseCommandLine, required, UsageError } from "./args";
import { apiOrigin, httpUrl } from "./urls";

export const DEFAULT_API_URL = "http://127.0.0.1:8787";

export const listenUsage = `usage: npm run webhooks:listen -- --forward-to <url> [--events <type,...>] [--api-url <url>]
         [--api-key <ck_...>] [--api-version <${API_VERSIONS.join("|")}>] [--secret <whsec_...>] [--org <id>]
Forwards every event created from now on to --forward-to, signed like a webhook delivery.
  --api-url      the API's origin; default $API_URL, else ${DEFAULT_API_URL} (npm run dev)
  --api-key      default $API_KEY, else npm run dev's demo key (.wrangler/demo-key); prefer
                 API_KEY: a key on the command line ends up in your shell history
  --events       only these types (${EVENT_TYPES[0]}, ...); default every one
  --api-version  the shapes of data, like an endpoint's pin; default the organization's pin
  --secret       sign with this secret instead of a new one (keep your receiver's config)
  --org          the payloads' organizationId (the events API does not say it)`;

export type ListenOptions = {
  forwardTo: string;
  apiUrl: string;
  /** From --api-key or $API_KEY; null: the script falls back to the demo key. */
  apiKey: { key: string; from: string } | null;
  apiVersion: ApiVersion | null;
  /** Null: every event type. */
  types: EventType[] | null;
  secret: string | null;
  orgId: string | null;
};

const SPEC = {
  "forward-to": "string",
  "api-url": "string",
  "api-key": "string",
  "api-version": "string",
  events: "string",
  secret: "string",
  org: "string",
} as const;

export function parseListen(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): ListenOptions | "help" {
  const parsed = parseCommandLine(args, SPEC, 1, {
    env,
    script: "webhooks:listen",
    choices: { "api-version": API_VERSIONS },
  });
  if (parsed.help) return "help";
  const { values, positionals } = parsed;
  if (values["forward-to"] === undefined && positionals[0] !== undefined) {
    throw new UsageError(`give the receiver as --forward-to ${positionals[0]}`);
  }
  if (positionals[0] !== undefined) throw new UsageError(`unexpected argument ${positionals[0]}`);
  const flagKey = values["api-key"];
  const envKey = env.API_KEY?.trim();
  return {
    forwardTo: httpUrl(required(values["forward-to"], "forward-to"), "--forward-to"),
    apiUrl: apiOrigin(
      values["api-url"] !== undefined
        ? httpUrl(values["api-url"], "--api-url")
        : httpUrl(env.API_URL?.trim() || DEFAULT_API_URL, "API_URL="),
    ),
    apiKey:
      flagKey !== undefined
        ? { key: apiKey(flagKey), from: "--api-key" }
        : envKey
          ? { key: apiKey(envKey), from: "API_KEY" }
          : null,
    apiVersion: version(values["api-version"]),
    types: eventTypes(values.events),
    secret: values.secret === undefined ? null : secret(values.secret),
    orgId: values.org === undefined ? null : required(values.org, "org"),
  };
}

function apiKey(value: string): string {
  const key = value.trim();
  if (!/^ck_(test|live)_/.test(key)) {
    throw new UsageError("the API key is not one of this service's (ck_test_... or ck_live_...)");
  }
  return key;
}

function version(value: string | undefined): ApiVersion | null {
  if (value === undefined) return null;
  if (!isApiVersion(value)) {
    throw new UsageError(
      `--api-version must be one of ${API_VERSIONS.join(", ")}, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** `a,b` (spaces allowed); `*` alone, or absent, is every type. */
function eventTypes(value: string | undefined): EventType[] | null {
  if (value === undefined) return null;
  const names = value
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
  if (names.length === 0) throw new UsageError("--events needs at least one event type");
  if (names.includes("*")) return null;
  const unknown = names.find((name) => !(EVENT_TYPES as readonly string[]).includes(name));
  if (unknown !== undefined) {
    throw new UsageError(
      `--events: unknown event type ${JSON.stringify(unknown)}; known: ${EVENT_TYPES.join(", ")}`,
    );
  }
  return [...new Set(names)] as EventType[];
}

/** `whsec_` + base64, as the Standard Webhooks signature keys with the decoded bytes. */
function secret(value: string): string {
  const encoded = value.startsWith(SECRET_PREFIX) ? value.slice(SECRET_PREFIX.length) : null;
  if (encoded === null || encoded.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) {
    throw new UsageError("--secret must be a signing secret: whsec_ followed by base64");
  }
  return value;
}
