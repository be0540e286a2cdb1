/**
 * The scripts' answers to the usual slips: options npm kept for itself, a
 * revoke target that is not a key id, a URL without a scheme, a busy dev port.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  parseKeyBackfill,
  parseKeyCreate,
  parseKeyList,
  parseKeyRevoke,
  parseOrgPin,
} from "../../scripts/lib/commands";
import { DEFAULT_DEV_PORT, devLogName, devPort, devState } from "../../scripts/lib/dev-args";
import { parseListen } from "../../scripts/lib/listen-args";
import { sayIfSlow } from "../../scripts/lib/progress";
import { apiOrigin, httpUrl } from "../../scripts/lib/urls";
import { refusal } from "../helpers/usage";

const fix = (message: string) => message.split("\n")[1]?.trim();

describe("options npm kept for itself (no -- before them)", () => {
  it("gives each word back to its option and shows the command with --", () => {
    // `npm run key:create --org org_1 --mode test`
    const message = refusal(() =>
      parseKeyCreate(["org_1", "test"], { npm_config_org: "true", npm_config_mode: "true" }),
    );
    expect(
      message,
    ).toBe(`npm kept --org and --mode for itself: put -- before the script's options, as in
  npm run key:create -- --org org_1 --mode test`);
  });

  it("places a word that is one of an option's values there, whatever the order typed", () => {
    // `npm run key:create --mode live --tier unlimited --org acme`
    const env = { npm_config_org: "true", npm_config_mode: "true", npm_config_tier: "true" };
    expect(fix(refusal(() => parseKeyCreate(["live", "unlimited", "acme"], env)))).toBe(
      "npm run key:create -- --org acme --mode live --tier unlimited",
    );
  });

  it("keeps values npm did receive (--name=value), flags, and what came after --", () => {
    const env = { npm_config_name: "ci deploy", npm_config_remote: "true", npm_config_org: "o" };
    expect(fix(refusal(() => parseKeyCreate(["--mode", "test"], env)))).toBe(
      "npm run key:create -- --org o --name 'ci deploy' --remote --mode test",
    );
  });

  it("leaves a placeholder for a value npm swallowed without a trace", () => {
    expect(fix(refusal(() => parseKeyList([], { npm_config_org: "true" })))).toBe(
      "npm run key:list -- --org <org>",
    );
  });

  it("applies to every key and pin script, and to --env", () => {
    const id = "key_01m94c0js9hxhhs51d21h3685p";
    expect(fix(refusal(() => parseKeyRevoke([id], { npm_config_remote: "true" })))).toBe(
      `npm run key:revoke -- --remote ${id}`,
    );
    expect(fix(refusal(() => parseKeyBackfill(["staging"], { npm_config_env: "true" })))).toBe(
      "npm run key:backfill -- --env staging",
    );
    expect(
      fix(
        refusal(() => parseOrgPin(["org_1"], { npm_config_org: "true", npm_config_show: "true" })),
      ),
    ).toBe("npm run org:pin -- --org org_1 --show");
    expect(
      fix(
        refusal(() =>
          parseListen(["http://localhost:3000/hooks"], { npm_config_forward_to: "true" }),
        ),
      ),
    ).toBe("npm run webhooks:listen -- --forward-to http://localhost:3000/hooks");
  });

  it("ignores npm's own settings and a run with --", () => {
    const npmOwn = { npm_config_cache: "/root/.npm", npm_config_loglevel: "notice" };
    expect(parseKeyList(["--org", "o", "--mode", "test"], npmOwn)).toEqual({
      orgId: "o",
      mode: "test",
      remote: false,
    });
  });
});

describe("--env", () => {
  it("names the wrangler environment, next to --remote or not", () => {
    expect(parseKeyList(["--org", "o", "--mode", "live", "--env", "staging"])).toEqual({
      orgId: "o",
      mode: "live",
      remote: false,
      env: "staging",
    });
    expect(parseKeyBackfill(["--remote", "--env=production"])).toEqual({
      remote: true,
      env: "production",
    });
    expect(refusal(() => parseKeyBackfill(["--env", " "]))).toBe(
      "--env needs the name of a wrangler environment",
    );
  });
});

describe("key:revoke's target", () => {
  it("takes a key id or a whole key", () => {
    const key = `ck_test_${"a".repeat(40)}`;
    expect(parseKeyRevoke([key])).toMatchObject({ target: key });
    expect(parseKeyRevoke(["key_01m94c0js9hxhhs51d21h3685p"])).toMatchObject({
      target: "key_01m94c0js9hxhhs51d21h3685p",
    });
  });

  it("says what an id looks like when given something else", () => {
    const message = refusal(() => parseKeyRevoke(["hello"]));
    expect(message).toMatch(/^"hello" is not a key id: an id is key_ and 26 lowercase letters/);
    expect(message).toContain("key_01m94c0js9hxhhs51d21h3685p");
    expect(refusal(() => parseKeyRevoke(["key_01m94c0js9"]))).toMatch(
      /^"key_01m94c0js9" is not a key id/,
    );
    expect(refusal(() => parseKeyRevoke(["x".repeat(60)]))).toMatch(
      /^that argument is not a key id/,
    );
  });

  it("never echoes what looks like a key", () => {
    const cut = "ck_live_abcdefghijklmnop";
    const message = refusal(() => parseKeyRevoke([cut]));
    expect(message).toMatch(/^that is not a whole key/);
    expect(message).not.toContain(cut);
  });
});

describe("URLs typed without a scheme (API_URL, --forward-to)", () => {
  it("answers with the URL it probably meant", () => {
    expect(refusal(() => httpUrl("127.0.0.1:9500", "API_URL="))).toBe(
      "API_URL needs a scheme: did you mean API_URL=http://127.0.0.1:9500?",
    );
    expect(refusal(() => httpUrl("localhost:8787/api/v1", "API_URL="))).toBe(
      "API_URL needs a scheme: did you mean API_URL=http://localhost:8787/api/v1?",
    );
    expect(refusal(() => httpUrl("3000/hooks", "--forward-to"))).toBe(
      "--forward-to needs a scheme: did you mean --forward-to http://localhost:3000/hooks?",
    );
    expect(refusal(() => httpUrl("ftp://x", "API_URL="))).toBe(
      'API_URL must be an http or https URL, got "ftp://x"',
    );
  });

  it("takes http and https URLs, and the API's origin from its /api/v1 form", () => {
    expect(httpUrl(" https://api.example.com ", "API_URL=")).toBe("https://api.example.com/");
    expect(apiOrigin(httpUrl("http://127.0.0.1:9500/api/v1/", "API_URL="))).toBe(
      "http://127.0.0.1:9500",
    );
  });
});

describe("npm run dev's port", () => {
  it("is --port's, as wrangler reads it, else wrangler's default", () => {
    expect(devPort([])).toBe(DEFAULT_DEV_PORT);
    expect(devPort(["--port", "8790"])).toBe(8790);
    expect(devPort(["--port=8791", "--ip", "0.0.0.0"])).toBe(8791);
    expect(refusal(() => devPort(["--port"]))).toBe('--port takes a port number (1-65535), got ""');
    expect(refusal(() => devPort(["--port", "http"]))).toMatch(/^--port takes a port number/);
  });

  it("gives each port its own log, so a second server never touches the first one's", () => {
    expect(devLogName(8787)).toBe("dev.log");
    expect(devLogName(8790)).toBe("dev-8790.log");
  });
});

describe("progress lines", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("says what it waits for only once the wait is long", async () => {
    vi.useFakeTimers();
    const said: string[] = [];
    const say = (line: string) => said.push(line);
    await sayIfSlow(Promise.resolve(1), "opening...", 400, say);
    expect(said).toEqual([]);
    let finish = (_: number) => {};
    const slow = sayIfSlow(new Promise<number>((r) => (finish = r)), "opening...", 400, say);
    await vi.advanceTimersByTimeAsync(400);
    expect(said).toEqual(["opening..."]);
    finish(2);
    expect(await slow).toBe(2);
  });
});

describe("devState", () => {
  it("finds the environment and state directory wrangler dev will use, so migrations go there", () => {
    expect(devState([])).toEqual({});
    expect(devState(["--env", "staging", "--persist-to", "/tmp/s"])).toEqual({
      env: "staging",
      persistTo: "/tmp/s",
    });
    expect(devState(["-e", "a", "--env=b", "--persist-to=/x"])).toEqual({
      env: "b",
      persistTo: "/x",
    });
  });
});
