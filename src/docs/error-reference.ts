import { Hono } from "hono";
import type { AppEnv } from "../env";
import { ERROR_CODES, ERRORS, type ErrorCode } from "../errors";

const toHtml = (s: string) =>
  s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`).replace(/`([^`]+)`/g, "<code>$1</code>");

function entry(code: ErrorCode): string {
  const e = ERRORS[code];
  return `<section id="${code}">
<h2><code>${code}</code></h2>
<p><strong>HTTP ${e.status}</strong> · type <code>${e.type}</code></p>
<p><strong>What it means.</strong> ${toHtml(e.meaning)}</p>
<p><strong>What to do.</strong> ${toHtml(e.action)}</p>
</section>`;
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem}
code{background:#f3f3f3;padding:0 .25em;border-radius:3px}section{border-top:1px solid #ddd;padding-top:.5rem}</style>
</head><body>${body}</body></html>`;
}

/**
 * The error reference that every `doc_url` points to: `/errors` lists every
 * code, `/errors/{code}` shows one. Generated from the same table as the envelope.
 */
export const errorReference = new Hono<AppEnv>()
  .get("/errors", (c) =>
    c.html(
      page(
        "API errors",
        `<h1>API errors</h1><p>Every error response is <code>{ success: false, error: { type, code, message, param, details, doc_url } }</code>.</p>
<ul>${ERROR_CODES.map((code) => `<li><a href="#${code}"><code>${code}</code></a> (${ERRORS[code].status})</li>`).join("")}</ul>
${ERROR_CODES.map(entry).join("\n")}`,
      ),
    ),
  )
  .get("/errors/:code", (c) => {
    const code = c.req.param("code");
    if (!Object.hasOwn(ERRORS, code)) return c.notFound();
    return c.html(
      page(`Error ${code}`, `${entry(code as ErrorCode)}<p><a href="../errors">All errors</a></p>`),
    );
  });
