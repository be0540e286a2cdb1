/**
 * What each script accepts: its usage text and the options it turns into.
 * Pure (no Node imports), so the tests check every refusal directly.
 */

import { API_KEY_PATTERN, KEY_TIERS, type KeyTier } from "../../src/lib/api-keys";
import { MODES, type Mode } from "../../src/tenant";
import {
  API_VERSIONS,
  type ApiVersion,
  isApiVersion,
  LEGACY_VERSION,
} from "../../src/versions/ids";
import { type NpmRun, oneOf, parseCommandLine, required, UsageError } from "./args";
import { httpUrl } from "./urls";

/** The environment npm ran the script with (`npm_config_*` tells what npm kept). */
export type Env = NpmRun["env"];

/** Where a command acts: local state unless `remote`; `env`, a wrangler environment. */
export type Where = { remote: boolean; env?: string };

const WHERE = { remote: "boolean", env: "string" } as const;

const WHERE_USAGE = `Acts on the local D1 and KV (.wrangler/state, as npm run dev); --remote on the deployed
ones; --env <name> picks a wrangler environment.`;

function where(values: { remote?: boolean; env?: string }): Where {
  if (values.env !== undefined && values.env.trim() === "") {
    throw new UsageError("--env needs the name of a wrangler environment");
  }
  return { remote: values.remote ?? false, env: values.env };
}

export const keyCreateUsage = `usage: npm run --silent key:create -- --org <id> --mode <test|live> [--name <name>]
         [--tier <standard|unlimited>] [--expires-in-days <n>] [--remote] [--env <name>]
Prints the new key on stdout (its only line there); details go to stderr.
${WHERE_USAGE}`;

export type KeyCreateOptions = Where & {
  orgId: string;
  mode: Mode;
  name: string;
  tier: KeyTier;
  expiresInDays: number | null;
};

export function parseKeyCreate(args: readonly string[], env: Env = {}): KeyCreateOptions | "help" {
  const spec = {
    org: "string",
    mode: "string",
    name: "string",
    tier: "string",
    "expires-in-days": "string",
    ...WHERE,
  } as const;
  const parsed = parseCommandLine(args, spec, 0, {
    env,
    script: "key:create",
    choices: { mode: MODES, tier: KEY_TIERS },
  });
  if (parsed.help) return "help";
  const { values } = parsed;
  return {
    orgId: required(values.org, "org"),
    mode: oneOf(values.mode, "mode", MODES),
    name: values.name ?? "",
    tier: oneOf(values.tier, "tier", KEY_TIERS, "standard"),
    expiresInDays: days(values["expires-in-days"]),
    ...where(values),
  };
}

function days(value: string | undefined): number | null {
  if (value === undefined) return null;
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n <= 0) {
    throw new UsageError(
      `--expires-in-days must be a positive number, got ${JSON.stringify(value)}`,
    );
  }
  return n;
}

export const keyListUsage = `usage: npm run key:list -- --org <id> --mode <test|live> [--remote] [--env <name>]
One line per listed key, newest first: id, tier, created, expiry, last used, maker, name. Never a secret.
${WHERE_USAGE}`;

export type KeyListOptions = Where & { orgId: string; mode: Mode };

export function parseKeyList(args: readonly string[], env: Env = {}): KeyListOptions | "help" {
  const spec = { org: "string", mode: "string", ...WHERE } as const;
  const parsed = parseCommandLine(args, spec, 0, {
    env,
    script: "key:list",
    choices: { mode: MODES },
  });
  if (parsed.help) return "help";
  return {
    orgId: required(parsed.values.org, "org"),
    mode: oneOf(parsed.values.mode, "mode", MODES),
    ...where(parsed.values),
  };
}

export const keyRevokeUsage = `usage: npm run key:revoke -- <key id (key_...) or key (ck_...)> [--remote] [--env <name>]
Prefer the id (key:list shows it): a key on the command line ends up in your shell history.
${WHERE_USAGE}`;

export type KeyRevokeOptions = Where & { target: string };

export function parseKeyRevoke(args: readonly string[], env: Env = {}): KeyRevokeOptions | "help" {
  const parsed = parseCommandLine(args, WHERE, 1, { env, script: "key:revoke" });
  if (parsed.help) return "help";
  const target = parsed.positionals[0];
  if (!target) throw new UsageError("which key? give its id (key_...) or the key (ck_...)");
  return { target: revokeTarget(target), ...where(parsed.values) };
}

/** A key id as the API and key:list show it: `key_` and 26 lowercase letters and digits. */
export const KEY_ID_PATTERN = /^key_[0-9a-z]{26}$/;

/**
 * A key id, or a whole key. A key is never echoed back (it is a secret);
 * anything else is, when short enough to read, so a typo shows.
 */
function revokeTarget(value: string): string {
  if (KEY_ID_PATTERN.test(value) || API_KEY_PATTERN.test(value)) return value;
  if (value.startsWith("ck_")) {
    throw new UsageError(
      "that is not a whole key (ck_test_ or ck_live_ and 32 to 40 letters and digits); its id (key_..., key:list shows it) is safer to type",
    );
  }
  const shown = value.length <= 40 ? JSON.stringify(value) : "that argument";
  throw new UsageError(
    `${shown} is not a key id: an id is key_ and 26 lowercase letters and digits, as in key_01m94c0js9hxhhs51d21h3685p (npm run key:list shows them); the key itself (ck_...) works too`,
  );
}

export const keyBackfillUsage = `usage: npm run key:backfill -- [--remote] [--env <name>]
Lists every key in KV that the D1 listing does not show yet (keys made before it existed),
so the API lists and revokes them too. Run it once when upgrading a deployment; again changes nothing.
${WHERE_USAGE}`;

export function parseKeyBackfill(args: readonly string[], env: Env = {}): Where | "help" {
  const parsed = parseCommandLine(args, WHERE, 0, { env, script: "key:backfill" });
  if (parsed.help) return "help";
  return where(parsed.values);
}

export const orgPinUsage = `usage: npm run org:pin -- --org <id> --version <${API_VERSIONS.join("|")}> [--remote] [--env <name>]
       npm run org:pin -- --org <id> --show [--remote] [--env <name>]
       npm run org:pin -- --backfill [--remote] [--env <name>]
--backfill pins every organization that has a key and no pin to ${LEGACY_VERSION}: run it once when upgrading a deployment.
${WHERE_USAGE}`;

export type OrgPinOptions = Where &
  (
    | { action: "set"; orgId: string; version: ApiVersion }
    | { action: "show"; orgId: string }
    | { action: "backfill" }
  );

export function parseOrgPin(args: readonly string[], env: Env = {}): OrgPinOptions | "help" {
  const spec = {
    org: "string",
    version: "string",
    show: "boolean",
    backfill: "boolean",
    ...WHERE,
  } as const;
  // `npm run org:pin --version ...` never gets here: npm prints its own version.
  const parsed = parseCommandLine(args, spec, 0, {
    env,
    script: "org:pin",
    choices: { version: API_VERSIONS },
  });
  if (parsed.help) return "help";
  const { values } = parsed;
  const at = where(values);
  if (values.backfill) {
    if (values.org !== undefined || values.version !== undefined || values.show) {
      throw new UsageError(
        "--backfill pins every organization: it takes no --org, --version or --show",
      );
    }
    return { action: "backfill", ...at };
  }
  const orgId = required(values.org, "org");
  if (values.show) {
    if (values.version !== undefined)
      throw new UsageError("--show and --version do not go together");
    return { action: "show", orgId, ...at };
  }
  const version = required(values.version, "version");
  if (!isApiVersion(version)) {
    throw new UsageError(
      `--version must be one of ${API_VERSIONS.join(", ")}, got ${JSON.stringify(version)}`,
    );
  }
  return { action: "set", orgId, version, ...at };
}

export const openApiExportUsage = `usage: npm run openapi:export [-- --dir <dir>] [--server <url>]
Writes the OpenAPI document of each API version, as the worker serves it at
/openapi/{version}.json, to <dir>/{version}.json (default: openapi/), for
linters and client generators; --server is the URL the documents name
(default: http://localhost:8787).`;

export type OpenApiExportOptions = { dir: string; server: string };

export function parseOpenApiExport(
  args: readonly string[],
  env: Env = {},
): OpenApiExportOptions | "help" {
  const spec = { dir: "string", server: "string" } as const;
  const parsed = parseCommandLine(args, spec, 0, { env, script: "openapi:export" });
  if (parsed.help) return "help";
  const { dir = "openapi", server = "http://localhost:8787" } = parsed.values;
  if (dir.trim() === "") throw new UsageError("--dir needs a directory");
  httpUrl(server, "--server");
  return { dir, server };
}
