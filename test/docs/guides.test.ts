/// <reference types="vite/client" />
import { describe, expect, it } from "vitest";
import pkg from "../../package.json";

/**
 * The README and the guides in docs/ stay true to the repository: every
 * relative link reaches a file, every `#anchor` a heading of its page, and
 * every `npm run <script>` a script of package.json.
 */

const guides = Object.fromEntries(
  Object.entries(
    import.meta.glob<string>(["../../README.md", "../../docs/*.md"], {
      query: "?raw",
      import: "default",
      eager: true,
    }),
  ).map(([path, text]) => [path.replace("../../", ""), text]),
);

/** Files a guide may link to besides the guides: listed at build time, never loaded. */
const files = new Set(
  Object.keys(
    import.meta.glob([
      "../../*",
      "../../{src,scripts,examples,bench,lint,test,migrations,migrations-history}/**/*",
    ]),
  )
    .map((path) => path.replace("../../", ""))
    .concat(Object.keys(guides)),
);

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");

/** The lines of `text` outside fenced code blocks, with their numbers, and those inside. */
function lines(text: string) {
  let fenced = false;
  return text.split("\n").map((line, i) => {
    if (/^\s*```/.test(line)) fenced = !fenced;
    return { line, number: i + 1, fenced: fenced || /^\s*```/.test(line) };
  });
}

function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const found = new Set<string>();
  for (const { line, fenced } of lines(text)) {
    const heading = fenced ? null : /^#{1,6}\s+(.*)$/.exec(line)?.[1];
    if (heading === undefined || heading === null) continue;
    const base = slug(heading);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    found.add(n === 0 ? base : `${base}-${n}`);
  }
  return found;
}

/** `path` relative to the guide `from`, as a path from the repository's root. */
function resolve(from: string, path: string): string {
  const parts = from.split("/").slice(0, -1);
  for (const part of path.split("/")) {
    if (part === "..") parts.pop();
    else if (part !== "." && part !== "") parts.push(part);
  }
  return parts.join("/");
}

function problems(page: string, text: string): string[] {
  const found: string[] = [];
  for (const { line, number, fenced } of lines(text)) {
    for (const [, script] of line.matchAll(/\bnpm run (?:--silent )?([a-z][\w:-]*)/g)) {
      if (script && !(script in pkg.scripts)) found.push(`${page}:${number}: no script ${script}`);
    }
    if (fenced) continue;
    for (const [, target = ""] of line.replace(/`[^`]*`/g, "").matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target)) continue;
      const [path = "", anchor] = target.split("#");
      const file = path === "" ? page : resolve(page, path);
      const text = guides[file];
      if (!files.has(file)) found.push(`${page}:${number}: no file ${target}`);
      else if (anchor !== undefined && text !== undefined && !anchors(text).has(anchor)) {
        found.push(`${page}:${number}: no heading for ${target}`);
      }
    }
  }
  return found;
}

describe("the README and docs/", () => {
  it("are found", () => {
    expect(Object.keys(guides)).toContain("README.md");
    expect(Object.keys(guides)).toContain("docs/webhooks.md");
    expect(files).toContain("LICENSE");
    expect(files).toContain("examples/quickstart.ts");
  });

  it("anchor headings as GitHub does", () => {
    expect(slug("Retries, giving up, deactivation")).toBe("retries-giving-up-deactivation");
    expect(slug("How a request's version is chosen")).toBe("how-a-requests-version-is-chosen");
    expect(slug("The `deliveryFailed` filter")).toBe("the-deliveryfailed-filter");
    expect([...anchors("# A\n## B c\n```\n# not one\n```\n## B c\n")]).toEqual([
      "a",
      "b-c",
      "b-c-1",
    ]);
  });

  it("report a link to a missing file, heading or script", () => {
    const text = "[a](docs/nope.md) [b](#nowhere) [c](LICENSE) `npm run nope`";
    expect(problems("README.md", text)).toEqual([
      "README.md:1: no script nope",
      "README.md:1: no file docs/nope.md",
      "README.md:1: no heading for #nowhere",
    ]);
  });

  it("link only to files, headings and scripts that exist", () => {
    expect(Object.entries(guides).flatMap(([page, text]) => problems(page, text))).toEqual([]);
  });
});
