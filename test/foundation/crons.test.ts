import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { SCHEDULE } from "../../src/scheduled";

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
