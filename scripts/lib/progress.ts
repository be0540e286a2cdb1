/**
 * Says what a script is waiting for, on stderr, once the wait is long enough
 * to wonder about; a quick step stays silent. No Node imports here, so the
 * tests can import it.
 */
export async function sayIfSlow<T>(
  work: Promise<T>,
  message: string,
  afterMs = 400,
  say: (line: string) => void = (line) => console.error(line),
): Promise<T> {
  const timer = setTimeout(() => say(message), afterMs);
  try {
    return await work;
  } finally {
    clearTimeout(timer);
  }
}
