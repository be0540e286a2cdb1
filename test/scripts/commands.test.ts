import { describe, expect, it } from "vitest";
import {
  parseKeyBackfill,
  parseKeyCreate,
  parseKeyList,
  parseKeyRevoke,
  parseOrgPin,
} from "../../scripts/lib/commands";
import { refusal } from "../helpers/usage";

describe("key:create arguments", () => {
  it("asks for help with --help or -h, whatever else is there", () => {
    expect(parseKeyCreate(["--help"])).toBe("help");
    expect(parseKeyCreate(["--org", "o", "-h", "--bogus"])).toBe("help");
  });

  it("reads every option, in both --name value and --name=value forms", () => {
    expect(
      parseKeyCreate([
        "--org=org_1",
        "--mode",
        "live",
        "--name",
        "ci deploy",
        "--tier",
        "unlimited",
        "--expires-in-days",
        "30",
        "--remote",
      ]),
    ).toEqual({
      orgId: "org_1",
      mode: "live",
      name: "ci deploy",
      tier: "unlimited",
      expiresInDays: 30,
      remote: true,
    });
  });

  it("defaults name, tier, expiry and target", () => {
    expect(parseKeyCreate(["--org", "org_1", "--mode", "test"])).toEqual({
      orgId: "org_1",
      mode: "test",
      name: "",
      tier: "standard",
      expiresInDays: null,
      remote: false,
    });
  });

  it("refuses mistakes with one line", () => {
    const base = ["--org", "org_1", "--mode", "test"];
    expect(refusal(() => parseKeyCreate(["--org", "org_1"]))).toBe(
      "--mode is required (test or live)",
    );
    expect(refusal(() => parseKeyCreate(["--mode", "test"]))).toBe("--org is required");
    expect(refusal(() => parseKeyCreate([...base, "--expires-in-days", "-1"]))).toBe(
      '--expires-in-days must be a positive number, got "-1"',
    );
    expect(refusal(() => parseKeyCreate([...base, "--expires-in-days", "soon"]))).toMatch(
      /positive number/,
    );
    expect(refusal(() => parseKeyCreate([...base, "--expires-in-days", "0"]))).toMatch(
      /positive number/,
    );
    expect(refusal(() => parseKeyCreate([...base, "--bogus"]))).toBe("unknown option --bogus");
    expect(refusal(() => parseKeyCreate([...base, "--bogus=1"]))).toBe("unknown option --bogus");
    expect(refusal(() => parseKeyCreate([...base, "-x"]))).toBe("unknown option -x");
    expect(refusal(() => parseKeyCreate([...base, "--mode", "live"]))).toBe(
      "--mode is given twice",
    );
    expect(refusal(() => parseKeyCreate(["--mode", "prod", "--org", "o"]))).toBe(
      '--mode must be test or live, got "prod"',
    );
    expect(refusal(() => parseKeyCreate([...base, "--tier", "gold"]))).toMatch(/--tier must be/);
    expect(refusal(() => parseKeyCreate([...base, "--remote=yes"]))).toBe(
      "--remote takes no value",
    );
    expect(refusal(() => parseKeyCreate([...base, "--name"]))).toBe("--name needs a value");
    expect(refusal(() => parseKeyCreate([...base, "extra"]))).toBe("unexpected argument extra");
  });
});

describe("key:list arguments", () => {
  it("needs an organization and a mode", () => {
    expect(parseKeyList(["--org", "org_1", "--mode", "live"])).toEqual({
      orgId: "org_1",
      mode: "live",
      remote: false,
    });
    expect(refusal(() => parseKeyList(["--org", "org_1"]))).toMatch(/--mode is required/);
  });
});

describe("key:backfill arguments", () => {
  it("takes only --remote", () => {
    expect(parseKeyBackfill([])).toEqual({ remote: false });
    expect(parseKeyBackfill(["--remote"])).toEqual({ remote: true });
    expect(parseKeyBackfill(["-h"])).toBe("help");
    expect(refusal(() => parseKeyBackfill(["--org", "org_1"]))).toBe("unknown option --org");
    expect(refusal(() => parseKeyBackfill(["extra"]))).toBe("unexpected argument extra");
  });
});

describe("key:revoke arguments", () => {
  it("takes one id or key", () => {
    const id = "key_01m94c0js9hxhhs51d21h3685p";
    expect(parseKeyRevoke([id, "--remote"])).toEqual({ target: id, remote: true });
    expect(refusal(() => parseKeyRevoke([]))).toMatch(/which key\?/);
    expect(refusal(() => parseKeyRevoke(["key_1", "key_2"]))).toBe("unexpected argument key_2");
  });
});

describe("org:pin arguments", () => {
  it("sets, shows or backfills", () => {
    expect(parseOrgPin(["--org", "org_1", "--version", "2026-07-11"])).toEqual({
      action: "set",
      orgId: "org_1",
      version: "2026-07-11",
      remote: false,
    });
    expect(parseOrgPin(["--org", "org_1", "--show"])).toEqual({
      action: "show",
      orgId: "org_1",
      remote: false,
    });
    expect(parseOrgPin(["--backfill", "--remote"])).toEqual({ action: "backfill", remote: true });
  });

  it("refuses unknown versions and mixed actions", () => {
    expect(refusal(() => parseOrgPin(["--org", "org_1", "--version", "2025-01-01"]))).toBe(
      '--version must be one of 2026-07-11, 2026-07-31, got "2025-01-01"',
    );
    expect(refusal(() => parseOrgPin(["--org", "org_1"]))).toBe("--version is required");
    expect(refusal(() => parseOrgPin(["--version", "2026-07-11"]))).toBe("--org is required");
    expect(refusal(() => parseOrgPin(["--backfill", "--org", "org_1"]))).toMatch(/takes no --org/);
    expect(refusal(() => parseOrgPin(["--org", "o", "--show", "--version", "2026-07-11"]))).toMatch(
      /do not go together/,
    );
  });
});
