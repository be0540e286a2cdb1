import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Fuzz, fuzzJson, hostileString, toJsonText } from "../helpers/arbitraries";
import { fcParams } from "../helpers/fc";
import { client } from "../helpers/http";

/**
 * No lost data: whatever the API accepts, it gives back exactly (names
 * trimmed, nothing else changed), on the write's response and on a later read.
 * Whatever it cannot store faithfully it must refuse.
 */
const printable = (text: string) =>
  text.replace(/[\ud800-\udfff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16)}`);

const text = fc.oneof(hostileString, fc.string({ unit: "grapheme", maxLength: 20 }));
const metadata = fc.dictionary(
  fc.oneof(fc.string({ unit: "grapheme", maxLength: 10 }), hostileString),
  fuzzJson([], 3),
  { maxKeys: 5 },
);

let codes = 0;
const newCode = () => `rt_${Date.now().toString(36)}_${++codes}`;

type Stored = { id: string; name: string; description: string | null; metadata?: unknown };

function mismatch(sent: Record<string, unknown>, got: Stored): string | null {
  if (got.name !== (sent.name as string).trim()) return "name";
  if (got.description !== (sent.description ?? null)) return "description";
  // -0 and other number spellings normalise the way JSON itself does.
  const meta = JSON.stringify(sent.metadata ?? null);
  if ("metadata" in got && JSON.stringify(got.metadata) !== meta) return "metadata";
  return null;
}

describe("what is accepted is stored exactly", () => {
  it.each([
    ["plan", "/plans/manage", (id: string) => `/plans/${id}`],
    ["plan group", "/plan-groups", (id: string) => `/plan-groups/${id}`],
  ] as const)(
    "%s create and read back",
    async (kind, createPath, getPath) => {
      const api = await client();
      let accepted = 0;
      await fc.assert(
        fc.asyncProperty(
          text,
          fc.option(text),
          fc.option(metadata),
          async (name, description, meta) => {
            const body: Record<string, Fuzz> = { name };
            if (description !== null) body.description = description;
            if (kind === "plan") {
              body.code = newCode();
              if (meta !== null) body.metadata = meta;
            }
            const rawBody = toJsonText(body);
            const sent = JSON.parse(rawBody) as Record<string, unknown>;
            const created = await api.call<{ data: Stored }>("POST", createPath, {
              rawBody,
              headers: { "content-type": "application/json" },
            });
            // Refusing is always allowed (400, or 413 for the longest texts); changing is not.
            if (created.status !== 201) {
              if (created.status >= 500)
                throw new Error(printable(`${created.status} ${created.text}`));
              return;
            }
            accepted++;
            const read = await api.get<{ data: Stored }>(getPath(created.body.data.id));
            for (const [label, got] of [
              ["create", created.body.data],
              ["read", read.body.data],
            ] as const) {
              const field = mismatch(sent, got);
              if (field) {
                throw new Error(
                  printable(
                    `${label} changed ${field}: sent ${rawBody}, got ${JSON.stringify(got)}`,
                  ),
                );
              }
            }
          },
        ),
        fcParams(150),
      );
      expect(accepted).toBeGreaterThan(10);
    },
    60_000,
  );
});
