/** Escapes text for HTML element content and quoted attribute values. */
export const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/**
 * The little markdown our descriptions use: `code`, **bold** and links to
 * relative or http(s) URLs. Everything else is escaped.
 */
export function inline(text: string): string {
  return esc(text)
    .replace(/`([^`]+)`/g, "<code>$1</code>")
    .replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>")
    .replace(
      /\[([^\]]+)\]\(((?:https?:\/\/|\/)[^)\s]*)\)/g,
      (_, label: string, href: string) => `<a href="${href}">${label}</a>`,
    );
}

/**
 * The server-rendered pages (error reference, landing page) run no script at
 * all. Their few style rules are inline, so a page is one response; inline
 * style cannot run code, and every interpolated text is escaped.
 */
export const PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const STYLE = `
:root{--fg:#1d2230;--muted:#5b6475;--line:#e3e6ec;--bg:#f7f8fa;--accent:#2a5bd7}
body{margin:0;font:15px/1.55 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg)}
a{color:var(--accent)}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:13px;background:var(--bg);padding:0 .25em;border-radius:3px}
header.top{display:flex;align-items:center;justify-content:space-between;gap:1rem;padding:.75rem 1.25rem;border-bottom:1px solid var(--line)}
header.top h1{font-size:1.2rem;margin:0}
header.top nav a{margin-left:1rem}
main{padding:0 2rem 4rem;max-width:64rem}
section{border-top:1px solid var(--line);padding:.5rem 0}
table{border-collapse:collapse;width:100%;margin:.5rem 0}
th,td{border-bottom:1px solid var(--line);padding:.35rem .5rem;text-align:left;vertical-align:top}
th{font-size:.8rem;color:var(--muted)}
`;

/** A page with the shared header: a title and links to the other pages. */
export function page(opts: { title: string; body: string }): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(opts.title)}</title>
<style>${STYLE}</style>
</head><body>
<header class="top"><h1>${esc(opts.title)}</h1><nav><a href="/docs">API reference</a><a href="/openapi.json">OpenAPI document</a><a href="/errors">Errors</a></nav></header>
<main>
${opts.body}
</main>
</body></html>`;
}
