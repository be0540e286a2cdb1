import { describe, expect, it } from "vitest";
import {
  afterFailure,
  RETRY_WINDOW_MS,
  retryDelaySeconds,
  slotWaitSeconds,
} from "../../src/webhooks/schedule";

const HOUR = 3600 * 1000;

describe("retry schedule", () => {
  it("retries first within 30 s, doubling up to an hour", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 30].map(retryDelaySeconds)).toEqual([
      30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600,
    ]);
  });

  it("keeps retrying for at least 24 hours, then gives up", () => {
    // Every attempt fails, each made exactly when it is due.
    const created = 0;
    let now = 0;
    const attemptsAt: number[] = [];
    for (let attempt = 1; ; attempt++) {
      attemptsAt.push(now);
      const next = afterFailure(created, attempt, now);
      if (next.giveUp) break;
      expect(next.delaySeconds).toBeLessThanOrEqual(12 * 3600); // Queues' longest delay
      now = next.nextAttemptAt;
    }
    const last = attemptsAt.at(-1) ?? 0;
    expect(last).toBeGreaterThanOrEqual(RETRY_WINDOW_MS);
    expect(last).toBeLessThan(RETRY_WINDOW_MS + HOUR);
    expect(attemptsAt).toHaveLength(31);
    expect(attemptsAt[1]).toBe(30_000);
  });
});

describe("waiting for a free POST slot", () => {
  it("comes back within 1 to 2 s, then a range doubling up to 30 s, never sooner than 1 s", () => {
    const range = (waited: number) => [slotWaitSeconds(waited, 0), slotWaitSeconds(waited, 0.9999)];
    expect([0, 1, 2, 3, 4, 50].map(range)).toEqual([
      [1, 2],
      [1, 4],
      [1, 8],
      [1, 16],
      [1, 30],
      [1, 30],
    ]);
  });
});
