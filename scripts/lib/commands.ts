/**
 * What each script accepts: its usage text and the options it turns into.
 * Pure (no Node imports), so the tests check every refusal directly.
 */

import { KEY_TIERS, type KeyTier } from "../../src/lib/api-keys";
import { MODES, type Mode } from "../../src/tenant";
import {
  API_VERSIONS,
  type ApiVersion,
  isApiVersion,
  LEGACY_VERSION,
} from "../../src/versions/ids";
import { oneOf, parseCommandLine, required, UsageError } from "./args";

export const keyCreateUsage = `usage: npm run --silent key:create -- --org <id> --mode <test|live> [--name <name>]
         [--tier <standard|unlimited>] [--expires-in-days <n>] [--remote]
Prints the new key on stdout (its only line there); details go to stderr.`;

export type KeyCreateOptions = {
  orgId: string;
  mode: Mode;
  name: string;
  tier: KeyTier;
  expiresInDays: number | null;
  remote: boolean;
};

export function parseKeyCreate(args: readonly string[]): KeyCreateOptions | "help" {
  const parsed = parseCommandLine(args, {
    org: "string",
    mode: "string",
    name: "string",
    tier: "string",
    "expires-in-days": "string",
    remote: "boolean",
  });
  if (parsed.help) return "help";
  const { values } = parsed;
  return {
    orgId: required(values.org, "org"),
    mode: oneOf(values.mode, "mode", MODES),
    name: values.name ?? "",
    tier: oneOf(values.tier, "tier", KEY_TIERS, "standard"),
    expiresInDays: days(values["expires-in-days"]),
    remote: values.remote ?? false,
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

export const keyListUsage = `usage: npm run key:list -- --org <id> --mode <test|live> [--remote]
One line per listed key, newest first: id, tier, created, expiry, last used, name. Never a secret.`;

export type KeyListOptions = { orgId: string; mode: Mode; remote: boolean };

export function parseKeyList(args: readonly string[]): KeyListOptions | "help" {
  const parsed = parseCommandLine(args, { org: "string", mode: "string", remote: "boolean" });
  if (parsed.help) return "help";
  return {
    orgId: required(parsed.values.org, "org"),
    mode: oneOf(parsed.values.mode, "mode", MODES),
    remote: parsed.values.remote ?? false,
  };
}

export const keyRevokeUsage = `usage: npm run key:revoke -- <key id (key_...) or key (ck_...)> [--remote]
Prefer the id (key:list shows it): a key on the command line ends up in your shell history.`;

export type KeyRevokeOptions = { target: string; remote: boolean };

export function parseKeyRevoke(args: readonly string[]): KeyRevokeOptions | "help" {
  const parsed = parseCommandLine(args, { remote: "boolean" }, 1);
  if (parsed.help) return "help";
  const target = parsed.positionals[0];
  if (!target) throw new UsageError("which key? give its id (key_...) or the key (ck_...)");
  return { target, remote: parsed.values.remote ?? false };
}

export const keyBackfillUsage = `usage: npm run key:backfill -- [--remote]
Lists every key in KV that the D1 listing does not show yet (keys made before it existed),
so the API lists and revokes them too. Run it once when upgrading a deployment; again changes nothing.`;

export function parseKeyBackfill(args: readonly string[]): { remote: boolean } | "help" {
  const parsed = parseCommandLine(args, { remote: "boolean" });
  if (parsed.help) return "help";
  return { remote: parsed.values.remote ?? false };
}

export const orgPinUsage = `usage: npm run org:pin -- --org <id> --version <${API_VERSIONS.join("|")}> [--remote]
       npm run org:pin -- --org <id> --show [--remote]
       npm run org:pin -- --backfill [--remote]
--backfill pins every organization that has a key and no pin to ${LEGACY_VERSION}: run it once when upgrading a deployment.`;

export type OrgPinOptions =
  | { action: "set"; orgId: string; version: ApiVersion; remote: boolean }
  | { action: "show"; orgId: string; remote: boolean }
  | { action: "backfill"; remote: boolean };

export function parseOrgPin(args: readonly string[]): OrgPinOptions | "help" {
  const parsed = parseCommandLine(args, {
    org: "string",
    version: "string",
    show: "boolean",
    backfill: "boolean",
    remote: "boolean",
  });
  if (parsed.help) return "help";
  const { values } = parsed;
  const remote = values.remote ?? false;
  if (values.backfill) {
    if (values.org !== undefined || values.version !== undefined || values.show) {
      throw new UsageError(
        "--backfill pins every organization: it takes no --org, --version or --show",
      );
    }
    return { action: "backfill", remote };
  }
  const orgId = required(values.org, "org");
  if (values.show) {
    if (values.version !== undefined)
      throw new UsageError("--show and --version do not go together");
    return { action: "show", orgId, remote };
  }
  const version = required(values.version, "version");
  if (!isApiVersion(version)) {
    throw new UsageError(
      `--version must be one of ${API_VERSIONS.join(", ")}, got ${JSON.stringify(version)}`,
    );
  }
  return { action: "set", orgId, version, remote };
}
