/**
 * The docs page's stylesheet and script, served from the worker itself so the
 * page works with no CDN and under a `'self'`-only content security policy.
 * Both are a few KB; the script only adds filtering and "Try it".
 */
export const DOCS_CSS = `
:root{--fg:#1d2230;--muted:#5b6475;--line:#e3e6ec;--bg:#f7f8fa;--accent:#2a5bd7}
*{box-sizing:border-box}
body{margin:0;font:15px/1.55 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg)}
a{color:var(--accent)}
code,pre,textarea,input{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:13px}
code{background:var(--bg);padding:0 .25em;border-radius:3px}
pre{background:#111827;color:#e5e7eb;padding:.75rem;border-radius:6px;overflow:auto;max-height:28rem}
header.top{display:flex;align-items:center;justify-content:space-between;gap:1rem;padding:.75rem 1.25rem;border-bottom:1px solid var(--line)}
header.top h1{font-size:1.2rem;margin:0}
header.top nav a{margin-left:1rem}
.ver{font-weight:400;color:var(--muted);font-size:.9rem}
.layout{display:grid;grid-template-columns:18rem 1fr}
aside{position:sticky;top:0;height:100vh;overflow:auto;padding:1rem;border-right:1px solid var(--line);background:var(--bg)}
aside input{width:100%;padding:.4rem;margin-bottom:.5rem}
aside h4{margin:1rem 0 .25rem;font-size:.8rem;text-transform:uppercase;color:var(--muted)}
aside ul{list-style:none;margin:0;padding:0}
aside li a{display:block;padding:.15rem 0;text-decoration:none;color:var(--fg)}
main{padding:0 2rem 4rem;max-width:64rem}
section.op{border-top:1px solid var(--line);padding:1rem 0}
section.op h3{margin:.25rem 0;font-size:1.05rem;display:flex;gap:.5rem;align-items:center;flex-wrap:wrap}
.m{display:inline-block;min-width:3.6rem;text-align:center;border-radius:4px;color:#fff;font-size:.75rem;font-weight:700;padding:.1rem .35rem}
.m.get{background:#1f8a4c}.m.post{background:#2a5bd7}.m.put{background:#b7791f}.m.patch{background:#8b5cf6}.m.delete{background:#c53030}
.summary{font-weight:600;margin:.25rem 0}
small{color:var(--muted)}
table{border-collapse:collapse;width:100%;margin:.5rem 0}
th,td{border-bottom:1px solid var(--line);padding:.35rem .5rem;text-align:left;vertical-align:top}
th{font-size:.8rem;color:var(--muted)}
.req{color:#c53030;font-size:.75rem}
.resp{margin:.5rem 0 1rem}
.status{font-weight:700}.s2{color:#1f8a4c}.s4{color:#b7791f}.s5{color:#c53030}
details{margin:.5rem 0}summary{cursor:pointer;color:var(--accent)}
form.try{display:grid;gap:.4rem;background:var(--bg);padding:.75rem;border-radius:6px}
form.try label{display:grid;grid-template-columns:12rem 1fr;gap:.5rem;align-items:center}
form.try textarea{min-height:8rem}
form.try button{justify-self:start;padding:.35rem 1rem}
.key{display:flex;gap:.5rem;align-items:center}.key input{flex:1;padding:.4rem}
@media (max-width:800px){.layout{grid-template-columns:1fr}aside{position:static;height:auto}}
`;

export const DOCS_JS = `(() => {
  const key = document.getElementById("api-key");
  key.value = sessionStorage.getItem("apiKey") || "";
  key.addEventListener("input", () => sessionStorage.setItem("apiKey", key.value.trim()));
  const filter = document.getElementById("filter");
  filter.addEventListener("input", () => {
    const q = filter.value.trim().toLowerCase();
    for (const el of document.querySelectorAll("[data-search]")) {
      el.hidden = q !== "" && !el.dataset.search.includes(q);
    }
  });
  for (const form of document.querySelectorAll("form.try")) {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const out = form.parentElement.querySelector("output");
      const headers = {};
      const query = new URLSearchParams();
      let path = form.dataset.path;
      for (const input of form.querySelectorAll("[data-in]")) {
        const value = input.value.trim();
        if (!value) continue;
        const where = input.dataset.in;
        if (where === "path") path = path.replace("{" + input.name + "}", encodeURIComponent(value));
        else if (where === "query") query.set(input.name, value);
        else headers[input.name] = value;
      }
      if (key.value.trim()) headers["x-api-key"] = key.value.trim();
      const init = { method: form.dataset.method.toUpperCase(), headers };
      const body = form.querySelector("textarea[name=body]");
      if (body) {
        headers["content-type"] = "application/json";
        init.body = body.value;
      }
      const qs = query.toString();
      out.textContent = "Sending...";
      try {
        const res = await fetch(path + (qs ? "?" + qs : ""), init);
        const text = await res.text();
        let shown = text;
        try { shown = JSON.stringify(JSON.parse(text), null, 2); } catch {}
        out.dataset.status = String(res.status);
        out.textContent = res.status + " " + res.statusText + "\\nx-request-id: " +
          res.headers.get("x-request-id") + "\\n\\n" + shown;
      } catch (err) {
        out.textContent = "Request failed: " + err;
      }
    });
  }
})();
`;
