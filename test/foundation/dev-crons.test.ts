import { env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { SCHEDULE_NAMES } from "../../src/scheduled";
import { call } from "../helpers/http";

const devServer = { DEV_RUN_CRONS: "true" };

type Ran = { ran: { cron: string; job: string; ok: boolean; error?: string }[] };

/** The JSON log lines a console spy caught. */
const lines = (spy: { mock: { calls: unknown[][] } }) =>
  spy.mock.calls.map(([line]) => JSON.parse(String(line)) as Record<string, unknown>);

describe("/__scheduled (npm run dev; wrangler's /cdn-cgi/handler/scheduled through it)", () => {
  afterEach(() => vi.restoreAllMocks());

  it("is an unknown path of a deployed worker, which never has DEV_RUN_CRONS", async () => {
    const res = await call("GET", "/__scheduled");
    expect(res.status).toBe(404);
    expect(res.body.error?.code).toBe("not_found");
  });

  it("runs one job named by ?cron=, which logs its line as under the platform", async () => {
    const info = vi.spyOn(console, "log").mockImplementation(() => {});
    const res = await call<Ran>("GET", "/__scheduled?cron=idempotencyPurge", {
      bindings: devServer,
    });
    expect(res.status).toBe(200);
    expect(res.body.ran).toEqual([
      expect.objectContaining({ cron: "2,32 * * * *", job: "idempotencyPurge", ok: true }),
    ]);
    expect(lines(info)).toEqual([
      expect.objectContaining({ level: "info", message: "cron job", job: "idempotencyPurge" }),
    ]);
  });

  it("answers which crons and jobs exist for a name that is neither, and runs nothing", async () => {
    const info = vi.spyOn(console, "log").mockImplementation(() => {});
    const res = await call("GET", "/__scheduled?cron=*/7 * * * *", { bindings: devServer });
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.body).toEqual({
      error: '"*/7 * * * *" is neither a cron nor a job of this worker',
      crons: SCHEDULE_NAMES,
    });
    expect(info).not.toHaveBeenCalled();
  });

  it("is a 500 that says which job failed, logged like a cron's failure", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const res = await call<Ran>("GET", "/__scheduled?cron=idempotencyPurge", {
      bindings: { ...devServer, DB: env.DB_EMPTY },
    });
    expect(res.status).toBe(500);
    expect(res.body.ran).toEqual([
      {
        cron: "2,32 * * * *",
        job: "idempotencyPurge",
        ok: false,
        error: expect.stringContaining("no such table"),
      },
    ]);
    expect(lines(errors)).toEqual([
      expect.objectContaining({
        level: "error",
        message: "cron job failed",
        job: "idempotencyPurge",
      }),
    ]);
  });
});
