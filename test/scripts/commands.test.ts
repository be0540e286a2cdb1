import { describe, expect, it } from "vitest";
import {
  parseKeyBackfill,
  parseKeyCreate,
  parseKeyList,
  parseKeyRevoke,
  parseOpenApiExport,
  parseOrgPin,
} from "../../scripts/lib/commands";
import { parseCron } from "../../scripts/lib/cron-args";
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

describe("cron arguments", () => {
  it("runs everything, a cron or a job, on the default port or --port", () => {
    expect(parseCron([])).toEqual({ target: "", port: 8787 });
    expect(parseCron(["*/5 * * * *"])).toEqual({ target: "*/5 * * * *", port: 8787 });
    expect(parseCron(["webhookSweep", "--port", "8863"])).toEqual({
      target: "webhookSweep",
      port: 8863,
    });
    expect(parseCron(["--port=9000", "--help"])).toBe("help");
  });

  it("refuses what it cannot run, in one line", () => {
    expect(refusal(() => parseCron(["nope"]))).toBe(
      '"nope" is neither a cron nor a job of this worker',
    );
    expect(refusal(() => parseCron(["--port", "http"]))).toBe("--port takes a port number");
    expect(refusal(() => parseCron(["webhookSweep", "reencryption"]))).toBe(
      "unexpected argument reencryption",
    );
    expect(refusal(() => parseCron(["--bogus"]))).toBe("unknown option --bogus");
  });

  it("points at the missing -- when npm kept --port for itself", () => {
    expect(refusal(() => parseCron(["8863"], { npm_config_port: "true" }))).toContain(
      "npm kept --port for itself: put -- before the script's options, as in\n  npm run cron -- --port 8863",
    );
  });
});

describe("openapi:export arguments", () => {
  it("takes a directory and a server URL, with defaults", () => {
    expect(parseOpenApiExport([])).toEqual({ dir: "openapi", server: "http://localhost:8787" });
    expect(parseOpenApiExport(["--dir", "out", "--server=https://api.example.com"])).toEqual({
      dir: "out",
      server: "https://api.example.com",
    });
    expect(parseOpenApiExport(["-h"])).toBe("help");
  });

  it("refuses an unknown option or a server that is not an http(s) URL, never with a stack", () => {
    expect(refusal(() => parseOpenApiExport(["--bogus"]))).toBe("unknown option --bogus");
    expect(refusal(() => parseOpenApiExport(["--server", "ftp://x"]))).toBe(
      '--server must be an http or https URL, got "ftp://x"',
    );
    expect(refusal(() => parseOpenApiExport(["--server", "localhost:8787"]))).toBe(
      "--server needs a scheme: did you mean --server http://localhost:8787?",
    );
  });
});
