import { env } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import type { Bindings } from "../../src/env";
import { jobsFor, SCHEDULE, SCHEDULE_NAMES, scheduled } from "../../src/scheduled";

/** The values 0..max-1 a cron field matches: `*`, `n`, `a-b`, `*\/s`, `a-b/s`, comma lists. */
function fieldValues(field: string, max: number): Set<number> {
  const out = new Set<number>();
  for (const part of field.split(",")) {
    const match = part.match(/^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/);
    if (!match) throw new Error(`cron field not understood: ${field}`);
    const [, range, from, to, step] = match;
    const first = range === "*" ? 0 : Number(from);
    const last = range === "*" ? max - 1 : to !== undefined ? Number(to) : step ? max - 1 : first;
    for (let v = first; v <= last; v += step ? Number(step) : 1) out.add(v);
  }
  return out;
}

/** The minutes of a day (0..1439) a cron fires at; only minute and hour may be set. */
function minutesOfDay(cron: string): Set<number> {
  const [minute = "", hour = "", ...rest] = cron.split(" ");
  if (rest.join(" ") !== "* * *") throw new Error(`a daily cron only: ${cron}`);
  const out = new Set<number>();
  for (const h of fieldValues(hour, 24))
    for (const m of fieldValues(minute, 60)) out.add(h * 60 + m);
  return out;
}

describe("the crons", () => {
  const { crons } = JSON.parse(env.DEPLOYED_LIMITS) as { crons: string[] };

  it("reads cron fields as Cloudflare does", () => {
    expect([...minutesOfDay("*/30 * * * *")]).toHaveLength(48);
    expect([...fieldValues("2,32", 60)]).toEqual([2, 32]);
    expect([...fieldValues("10-20/5", 60)]).toEqual([10, 15, 20]);
    expect([...fieldValues("*/5", 60)]).toHaveLength(12);
  });

  it("are the ones src/scheduled.ts runs jobs for", () => {
    expect(crons.length).toBeGreaterThan(1);
    expect(Object.keys(SCHEDULE).sort()).toEqual([...crons].sort());
  });

  it("never fire in the same minute, so their jobs never start together", () => {
    const seen = new Map<number, string>();
    for (const cron of crons) {
      for (const minute of minutesOfDay(cron)) {
        expect(seen.get(minute), `${cron} and ${seen.get(minute)} at minute ${minute}`).toBe(
          undefined,
        );
        seen.set(minute, cron);
      }
    }
  });
});

describe("scheduled events run by hand (npm run cron, /__scheduled)", () => {
  const pairs = (cron: string) => jobsFor(cron)?.map(({ cron, job }) => `${cron} ${job}`);

  it("run a cron's jobs, one job by its name, or every job when nothing is named", () => {
    expect(pairs("*/5 * * * *")).toEqual([
      "*/5 * * * * apiKeyReconciliation",
      "*/5 * * * * webhookSweep",
    ]);
    expect(pairs("webhookSweep")).toEqual(["*/5 * * * * webhookSweep"]);
    const every = Object.entries(SCHEDULE_NAMES).flatMap(([cron, jobs]) =>
      jobs.map((job) => `${cron} ${job}`),
    );
    expect(pairs("")).toEqual(every);
    expect(every.length).toBeGreaterThan(4);
  });

  it("log which crons and jobs exist for a name that is neither", async () => {
    expect(jobsFor("*/7 * * * *")).toBeNull();
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    await scheduled(
      { cron: "*/7 * * * *", scheduledTime: Date.now(), noRetry: () => {} },
      env as unknown as Bindings,
    );
    expect(errors.mock.calls.map(([line]) => JSON.parse(String(line)))).toEqual([
      {
        level: "error",
        message: "no jobs for this cron",
        cron: "*/7 * * * *",
        crons: SCHEDULE_NAMES,
      },
    ]);
    errors.mockRestore();
  });
});
