import { Hono } from "hono";
import type { AppEnv } from "../env";
import { ApiError, ERROR_CODES, ERRORS, type ErrorCode } from "../errors";
import { inline, PAGE_CSP, page } from "./html";

function entry(code: ErrorCode): string {
  const e = ERRORS[code];
  return `<section id="${code}">
<h2><code>${code}</code></h2>
<p><strong>HTTP ${e.status}</strong> · type <code>${e.type}</code></p>
<p><strong>What it means.</strong> ${inline(e.meaning)}</p>
<p><strong>What to do.</strong> ${inline(e.action)}</p>
</section>`;
}

const layout = (title: string, body: string) => page({ title, body });

const summary = `<table><thead><tr><th>Code</th><th>Status</th><th>Type</th></tr></thead><tbody>${ERROR_CODES.map(
  (code) =>
    `<tr><td><a href="#${code}"><code>${code}</code></a></td><td>${ERRORS[code].status}</td><td><code>${ERRORS[code].type}</code></td></tr>`,
).join("")}</tbody></table>`;

/**
 * The error reference that every `doc_url` points to: `/errors` lists every
 * code, `/errors/{code}` shows one. Generated from the same table as the envelope.
 */
export const errorReference = new Hono<AppEnv>()
  .use("/errors/*", async (c, next) => {
    await next();
    c.header("content-security-policy", PAGE_CSP);
  })
  .get("/errors", (c) =>
    c.html(
      layout(
        "API errors",
        `<p>Every error response is <code>{ "success": false, "error": { type, code, message, param, details, doc_url } }</code>. Branch on <code>code</code>; <code>message</code> is for people and may change. <code>param</code> names the field at fault, and for <code>validation_error</code> <code>details</code> lists every problem.</p>
${summary}
${ERROR_CODES.map(entry).join("\n")}`,
      ),
    ),
  )
  .get("/errors/:code", (c) => {
    const code = c.req.param("code");
    // Not c.notFound(): the path matches a GET route, which the app would answer with 405.
    if (!Object.hasOwn(ERRORS, code)) {
      throw new ApiError("not_found", { param: "code", message: "No such error code." });
    }
    return c.html(layout(`Error ${code}`, entry(code as ErrorCode)));
  });
