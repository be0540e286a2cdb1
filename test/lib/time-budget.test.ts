import { describe, expect, it } from "vitest";
import { repeatWithin } from "../../src/lib/time-budget";

describe("repeatWithin", () => {
  it("repeats until the step has nothing more to do, and says it finished", async () => {
    let steps = 0;
    const done = await repeatWithin(
      async () => ++steps < 3,
      1000,
      () => 0,
    );
    expect({ done, steps }).toEqual({ done: true, steps: 3 });
  });

  it("stops once the budget is spent, after a whole step, and says it did not finish", async () => {
    let now = 0;
    let steps = 0;
    const done = await repeatWithin(
      async () => {
        steps++;
        now += 40;
        return true;
      },
      100,
      () => now,
    );
    expect({ done, steps }).toEqual({ done: false, steps: 3 });
  });

  it("runs one step even with no budget", async () => {
    let steps = 0;
    expect(
      await repeatWithin(
        async () => ++steps > 0,
        0,
        () => 0,
      ),
    ).toBe(false);
    expect(steps).toBe(1);
  });
});
