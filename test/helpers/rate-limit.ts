/**
 * The local limiter's windows are aligned to the clock: starting a burst
 * right before a boundary would split it over two windows, so wait that out.
 */
export async function awayFromWindowEdge(periodSeconds: number) {
  const period = periodSeconds * 1000;
  const left = period - (Date.now() % period);
  if (left < 5000) await new Promise((r) => setTimeout(r, left + 50));
}

/** A random client address, so the failure counts of different tests never mix. */
export function uniqueAddress(): string {
  const [a = 0, b = 0, c = 0] = crypto.getRandomValues(new Uint8Array(3));
  return `10.${a}.${b}.${c}`;
}
