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

/** Paragraphs and `- ` lists, separated by blank lines. */
export function markdown(text: string): string {
  return text
    .split(/\n{2,}/)
    .map((block) => {
      const lines = block.split("\n");
      if (lines.every((l) => l.startsWith("- "))) {
        return `<ul>${lines.map((l) => `<li>${inline(l.slice(2))}</li>`).join("")}</ul>`;
      }
      return `<p>${inline(block)}</p>`;
    })
    .join("\n");
}

export function page(opts: { title: string; head?: string; body: string }): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(opts.title)}</title>
${opts.head ?? ""}
</head><body>
${opts.body}
</body></html>`;
}
