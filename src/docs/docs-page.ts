import { ERROR_CODES, ERRORS } from "../errors";
import { operations, responseCodes } from "./decorate";
import { esc, inline, markdown, page } from "./html";
import type { OpenApiDocument } from "./openapi";
import {
  describe,
  fieldTable,
  type Schema,
  sample,
  schemaAnchor,
  typeLabel,
} from "./render-schema";

type Op = ReturnType<typeof operations>[number];
type Param = {
  name: string;
  in: string;
  required?: boolean;
  description?: string;
  schema?: Schema;
};

const json = (value: unknown) => `<pre>${esc(JSON.stringify(value, null, 2))}</pre>`;

function parameters(doc: OpenApiDocument, op: Op["op"]): Param[] {
  return (op.parameters ?? []).flatMap((p) => {
    const name = "$ref" in p ? p.$ref.split("/").pop() : undefined;
    const target = name ? doc.components?.parameters?.[name] : p;
    return target && !("$ref" in target) ? [target] : [];
  });
}

function paramTable(doc: OpenApiDocument, params: Param[]): string {
  if (params.length === 0) return "";
  const rows = params.map((p) => {
    const text = p.description ? inline(p.description) : p.schema ? describe(doc, p.schema) : "";
    return `<tr><td><code>${esc(p.name)}</code>${p.required ? ' <span class="req">required</span>' : ""}</td><td>${p.in}</td><td>${p.schema ? typeLabel(doc, p.schema) : ""}</td><td>${text}</td></tr>`;
  });
  return `<h4>Parameters</h4><table><thead><tr><th>Name</th><th>In</th><th>Type</th><th>Description</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

function bodySchema(op: Op["op"]): Schema | undefined {
  const body = op.requestBody;
  return body && !("$ref" in body) ? body.content["application/json"]?.schema : undefined;
}

function responses(doc: OpenApiDocument, op: Op["op"]): string {
  return Object.entries(op.responses ?? {})
    .map(([status, response]) => {
      const headers = Object.keys(response.headers ?? {});
      const head = `<h5><span class="status s${status[0]}">${status}</span> ${
        status.startsWith("2") ? inline(response.description ?? "") : ""
      }</h5>`;
      const headerLine = headers.length
        ? `<p><small>Headers: ${headers.map((h) => `<code>${esc(h)}</code>`).join(", ")}</small></p>`
        : "";
      const schema: Schema | undefined = response.content?.["application/json"]?.schema;
      if (!status.startsWith("2")) {
        const codes = responseCodes(response).filter((c) => Object.hasOwn(ERRORS, c));
        const list = codes
          .map((c) => {
            const meaning = ERRORS[c as keyof typeof ERRORS].meaning;
            return `<li><a href="/errors/${c}"><code>${c}</code></a> ${inline(meaning)}</li>`;
          })
          .join("");
        return `<div class="resp">${head}<ul>${list}</ul>${headerLine}</div>`;
      }
      const body = schema
        ? `${fieldTable(doc, schema)}<details><summary>Example response</summary>${json(sample(doc, schema))}</details>`
        : "";
      return `<div class="resp">${head}${headerLine}${body}</div>`;
    })
    .join("\n");
}

function tryIt(doc: OpenApiDocument, { path, method, op }: Op, params: Param[]): string {
  const inputs = params
    .filter((p) => p.in === "path" || p.in === "query" || p.name === "Idempotency-Key")
    .map((p) => {
      const example = p.schema ? sample(doc, p.schema) : "";
      const placeholder = typeof example === "string" || typeof example === "number" ? example : "";
      return `<label><span><code>${esc(p.name)}</code> <small>${p.in}</small></span><input name="${esc(p.name)}" data-in="${p.in}" placeholder="${esc(String(placeholder))}"${p.in === "path" ? " required" : ""}></label>`;
    });
  const body = bodySchema(op);
  const textarea = body
    ? `<label><span>JSON body</span><textarea name="body">${esc(JSON.stringify(sample(doc, body), null, 2))}</textarea></label>`
    : "";
  return `<details class="try-it"><summary>Try it</summary>
<form class="try" data-method="${method}" data-path="${esc(path)}">${inputs.join("")}${textarea}<button type="submit">Send ${method.toUpperCase()}</button></form>
<pre><output></output></pre></details>`;
}

function operation(doc: OpenApiDocument, o: Op): string {
  const { path, method, op } = o;
  const id = op.operationId ?? `${method}-${path}`;
  const params = parameters(doc, op);
  const body = bodySchema(op);
  const search = `${method} ${path} ${op.summary ?? ""} ${id}`.toLowerCase();
  return `<section class="op" id="${esc(id)}" data-search="${esc(search)}">
<h3><span class="m ${method}">${method.toUpperCase()}</span> <code class="path">${esc(path)}</code></h3>
<p class="summary">${esc(op.summary ?? id)} <small>operationId <code>${esc(id)}</code>${op.security?.length === 0 ? " · no authentication" : ""}</small></p>
${op.description ? markdown(op.description) : ""}
${paramTable(doc, params)}
${body ? `<h4>Request body</h4>${fieldTable(doc, body)}<details><summary>Example body</summary>${json(sample(doc, body))}</details>` : ""}
<h4>Responses</h4>
${responses(doc, op)}
${tryIt(doc, o, params)}
</section>`;
}

function sidebar(doc: OpenApiDocument, ops: Op[]): string {
  const groups = (doc.tags ?? []).map((tag) => {
    const items = ops
      .filter((o) => o.op.tags?.includes(tag.name))
      .map(
        ({ method, op }) =>
          `<li data-search="${esc(`${method} ${op.summary ?? ""} ${op.operationId ?? ""}`.toLowerCase())}"><a href="#${esc(op.operationId ?? "")}"><span class="m ${method}">${method.toUpperCase()}</span> ${esc(op.summary ?? "")}</a></li>`,
      );
    return `<h4>${esc(tag.name)}</h4><ul>${items.join("")}</ul>`;
  });
  return `<aside><input id="filter" type="search" placeholder="Filter operations" aria-label="Filter operations">
${groups.join("\n")}
<h4>Reference</h4><ul><li><a href="#schemas">Objects</a></li><li><a href="#errors">Errors</a></li></ul></aside>`;
}

function schemas(doc: OpenApiDocument): string {
  return Object.entries(doc.components?.schemas ?? {})
    .map(
      ([name, s]) =>
        `<section id="${schemaAnchor(name)}"><h3>${esc(name)}</h3>${describe(doc, s)}${fieldTable(doc, s)}</section>`,
    )
    .join("\n");
}

const errorTable = () =>
  `<table><thead><tr><th>Code</th><th>Status</th><th>Type</th><th>Meaning</th></tr></thead><tbody>${ERROR_CODES.map(
    (c) =>
      `<tr><td><a href="/errors/${c}"><code>${c}</code></a></td><td>${ERRORS[c].status}</td><td><code>${ERRORS[c].type}</code></td><td>${inline(ERRORS[c].meaning)}</td></tr>`,
  ).join("")}</tbody></table>`;

/** The reference page, rendered on the server from the OpenAPI document: no CDN involved. */
export function renderDocsPage(doc: OpenApiDocument): string {
  const ops = operations(doc);
  const byTag = (doc.tags ?? []).map(
    (tag) =>
      `<h2 id="tag-${esc(tag.name.toLowerCase().replace(/\s+/g, "-"))}">${esc(tag.name)}</h2>${tag.description ? markdown(tag.description) : ""}
${ops
  .filter((o) => o.op.tags?.includes(tag.name))
  .map((o) => operation(doc, o))
  .join("\n")}`,
  );
  const server = doc.servers?.[0]?.url ?? "";
  const body = `<header class="top"><h1>${esc(doc.info.title)} <span class="ver">${esc(doc.info.version)}</span></h1>
<nav><a href="/openapi.json">openapi.json</a><a href="/errors">Error reference</a><a href="/docs/swagger">Swagger UI</a></nav></header>
<div class="layout">${sidebar(doc, ops)}
<main><section id="intro">${markdown(doc.info.description ?? "")}
<p>Base URL: <code>${esc(server)}</code></p>
<div class="key"><label for="api-key">API key for "Try it"</label><input id="api-key" type="password" autocomplete="off" placeholder="ck_test_..."></div>
<p><small>Kept in this tab's session storage only, and sent as <code>x-api-key</code>.</small></p></section>
${byTag.join("\n")}
<h2 id="schemas">Objects</h2>${schemas(doc)}
<h2 id="errors">Errors</h2><p>Every error is <code>{ "success": false, "error": { type, code, message, param, details, doc_url } }</code>. <a href="/errors">The error reference</a> says what each code means and what to do.</p>${errorTable()}
</main></div>
<script src="/docs/assets/docs.js"></script>`;
  return page({
    title: `${doc.info.title} reference`,
    head: '<link rel="stylesheet" href="/docs/assets/docs.css">',
    body,
  });
}
