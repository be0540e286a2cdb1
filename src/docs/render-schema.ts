import { esc, inline } from "./html";
import type { OpenApiDocument } from "./openapi";

type Components = NonNullable<OpenApiDocument["components"]>;
export type Schema = NonNullable<Components["schemas"]>[string];
type Field = { name: string; type: string; required: boolean; description: string };

const refName = (s: Schema) => s.$ref?.split("/").pop();

export const schemaAnchor = (name: string) => `schema-${name}`;

/** A schema and, when it was a reference, the component's name. */
export function resolve(doc: OpenApiDocument, s: Schema) {
  const name = refName(s);
  const target = name ? doc.components?.schemas?.[name] : s;
  if (!target || "$ref" in target) return { name, schema: {} };
  return { name, schema: target };
}

/** A short type for a reader: `string | null`, `array of Plan`, `"metered" | "credits"`. */
export function typeLabel(doc: OpenApiDocument, s: Schema): string {
  const name = refName(s);
  if (name) return `<a href="#${schemaAnchor(name)}">${esc(name)}</a>`;
  const { schema } = resolve(doc, s);
  if (schema.enum) return schema.enum.map((v: unknown) => esc(JSON.stringify(v))).join(" | ");
  if (schema.const !== undefined) return esc(JSON.stringify(schema.const));
  const union = schema.anyOf ?? schema.oneOf;
  if (union) return union.map((u) => typeLabel(doc, u)).join(" | ");
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  const label = types
    .map((t) => (t === "array" && schema.items ? `array of ${typeLabel(doc, schema.items)}` : t))
    .join(" | ");
  const format = schema.format ? ` (${esc(schema.format)})` : "";
  return (label || "any") + format;
}

function constraints(doc: OpenApiDocument, s: Schema): string {
  const { schema } = resolve(doc, s);
  const parts: string[] = [];
  if (schema.minLength !== undefined && schema.maxLength !== undefined) {
    parts.push(`${schema.minLength}-${schema.maxLength} characters`);
  } else if (schema.maxLength !== undefined) parts.push(`at most ${schema.maxLength} characters`);
  if (schema.minimum !== undefined) parts.push(`minimum ${schema.minimum}`);
  if (schema.maximum !== undefined) parts.push(`maximum ${schema.maximum}`);
  if (schema.pattern) parts.push(`pattern <code>${esc(schema.pattern)}</code>`);
  if (schema.default !== undefined)
    parts.push(`default <code>${esc(JSON.stringify(schema.default))}</code>`);
  return parts.join(", ");
}

export function describe(doc: OpenApiDocument, s: Schema): string {
  const { schema } = resolve(doc, s);
  const rules = constraints(doc, s);
  return [
    schema.description ? inline(schema.description) : "",
    rules ? `<small>${rules}</small>` : "",
  ]
    .filter(Boolean)
    .join(" ");
}

/** One row per property; inline nested objects are flattened as `parent.child`. */
export function fields(doc: OpenApiDocument, s: Schema, prefix = "", depth = 0): Field[] {
  const { schema } = resolve(doc, s);
  const required = new Set(schema.required ?? []);
  const rows: Field[] = [];
  for (const [key, prop] of Object.entries(schema.properties ?? {})) {
    const name = prefix + key;
    rows.push({
      name,
      type: typeLabel(doc, prop),
      required: required.has(key),
      description: describe(doc, prop),
    });
    const inner = "$ref" in prop ? undefined : prop;
    if (inner?.properties && depth < 2) rows.push(...fields(doc, inner, `${name}.`, depth + 1));
  }
  return rows;
}

export function fieldTable(doc: OpenApiDocument, s: Schema): string {
  const rows = fields(doc, s);
  if (rows.length === 0) return `<p>${typeLabel(doc, s)}</p>`;
  return `<table class="fields"><thead><tr><th>Field</th><th>Type</th><th>Description</th></tr></thead><tbody>
${rows
  .map(
    (r) =>
      `<tr><td><code>${esc(r.name)}</code>${r.required ? ' <span class="req">required</span>' : ""}</td><td>${r.type}</td><td>${r.description}</td></tr>`,
  )
  .join("\n")}
</tbody></table>`;
}

/** An example value built from the schema's own examples, for the sample JSON blocks. */
export function sample(doc: OpenApiDocument, s: Schema, depth = 0): unknown {
  const { schema } = resolve(doc, s);
  if (schema.example !== undefined) return schema.example;
  if (schema.const !== undefined) return schema.const;
  if (schema.enum?.length) return schema.enum[0];
  if (schema.default !== undefined) return schema.default;
  const union = schema.anyOf ?? schema.oneOf;
  if (union?.[0]) return sample(doc, union[0], depth + 1);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  if (depth > 4) return null;
  switch (type) {
    case "object": {
      // Optional properties (like `nextCursor`) are left out, as a typical response would.
      const required = new Set(schema.required ?? []);
      return Object.fromEntries(
        Object.entries(schema.properties ?? {})
          .filter(([k]) => required.has(k))
          .map(([k, v]) => [k, sample(doc, v, depth + 1)]),
      );
    }
    case "array":
      return schema.items ? [sample(doc, schema.items, depth + 1)] : [];
    case "string":
      return "string";
    case "integer":
    case "number":
      return schema.minimum ?? 0;
    case "boolean":
      return true;
    default:
      return null;
  }
}
