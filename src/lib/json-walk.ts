/**
 * Walks of parsed JSON with an explicit stack instead of recursion: a 64 KiB
 * body can nest ~32 000 levels deep, which would overflow the call stack of
 * any recursive walk (zod's included) and surface as a 500.
 */

type JsonProblem =
  | { kind: "too_deep" }
  | { kind: "ill_formed_string"; path: string[] }
  | { kind: "reserved_key"; path: string[] };

type Frame = { value: unknown; depth: number; path: string[] };

// A lone UTF-16 surrogate: JSON allows it as a `\ud800` escape, but it is not
// text, and D1 stores it as U+FFFD, so the value read back would differ.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * `__proto__` as a key survives JSON.parse as an own property, but any plain
 * object built from it (zod's record parsing) sets the prototype instead, so
 * the pair would be silently dropped.
 */
const RESERVED_KEYS = new Set(["__proto__"]);

const isWellFormed = (s: string) => !LONE_SURROGATE.test(s);

/**
 * The first thing in `root` that we refuse to store: nesting deeper than
 * `maxDepth` containers (the top-level object is depth 1), a string or key
 * that is not well-formed Unicode, or a reserved key.
 */
export function inspectJson(root: unknown, maxDepth: number): JsonProblem | null {
  const stack: Frame[] = [{ value: root, depth: 1, path: [] }];
  for (let frame = stack.pop(); frame !== undefined; frame = stack.pop()) {
    const { value, depth, path } = frame;
    if (typeof value === "string") {
      if (!isWellFormed(value)) return { kind: "ill_formed_string", path };
      continue;
    }
    if (typeof value !== "object" || value === null) continue;
    if (depth > maxDepth) return { kind: "too_deep" };
    for (const [key, child] of Object.entries(value)) {
      const childPath = [...path, key];
      if (!Array.isArray(value)) {
        if (!isWellFormed(key)) return { kind: "ill_formed_string", path: childPath };
        if (RESERVED_KEYS.has(key)) return { kind: "reserved_key", path: childPath };
      }
      stack.push({ value: child, depth: depth + 1, path: childPath });
    }
  }
  return null;
}

/** True when some string in `root`, key or value, passes `test`. */
export function someString(root: unknown, test: (s: string) => boolean): boolean {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value === "string") {
      if (test(value)) return true;
    } else if (typeof value === "object" && value !== null) {
      for (const [key, child] of Object.entries(value)) {
        if (!Array.isArray(value) && test(key)) return true;
        stack.push(child);
      }
    }
  }
  return false;
}
