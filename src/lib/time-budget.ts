/**
 * Runs `step` until it reports nothing more to do, or until `budgetMs` of
 * wall time is spent (checked after each step, so one always runs). Returns
 * whether it finished; a scheduled job that did not leaves the rest to its
 * next trigger.
 */
export async function repeatWithin(
  step: () => Promise<boolean>,
  budgetMs: number,
  clock: () => number = Date.now,
): Promise<boolean> {
  const deadline = clock() + budgetMs;
  for (;;) {
    if (!(await step())) return true;
    if (clock() >= deadline) return false;
  }
}
