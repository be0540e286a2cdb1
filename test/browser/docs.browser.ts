/**
 * Loads /docs (Scalar, served as a static asset) in a real headless Chromium
 * against `wrangler dev`, fully offline: any request that leaves the dev
 * server, and any console error (a CSP violation included), fails the test.
 * Checks every operation of every document the page lists, read from the
 * documents themselves. Needs a Chromium: $CHROMIUM_PATH, else Debian's
 * (`sudo apt-get install chromium`) or another at a usual place; without one
 * it says so and stops before starting anything. Run: `npm run test:browser`.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { accessSync, constants, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Locator, type Page } from "playwright-core";
import { wranglerEnv } from "../../scripts/lib/wrangler";

const PORT = process.env.DOCS_TEST_PORT ?? "8811";
const ORIGIN = `http://localhost:${PORT}`;
const CHROMIUM = findChromium();
const OUT = "test/browser/.out";

let passed = 0;
let failed = 0;
async function check(name: string, fn: () => Promise<void>) {
  try {
    await fn();
    passed += 1;
    console.log(`  ok   ${name}`);
  } catch (err) {
    failed += 1;
    console.log(`  FAIL ${name}\n       ${err instanceof Error ? err.message : String(err)}`);
  }
}
function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

/** `npm run dev`'s bootstrap (migrations, demo key) in its own process group, so it stops whole. */
function startDevServer(): ChildProcess {
  const child = spawn("npx", ["tsx", "scripts/dev.ts", "--port", PORT], {
    env: wranglerEnv,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let log = "";
  child.stdout?.on("data", (d: Buffer) => {
    log += d;
  });
  child.stderr?.on("data", (d: Buffer) => {
    log += d;
  });
  child.on("exit", (code) => {
    if (code && code !== 0) console.error(`dev server exited ${code}:\n${log.slice(-3000)}`);
  });
  return child;
}

async function waitForHealth(deadline: number) {
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${ORIGIN}/health`)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${ORIGIN}/health did not answer within the deadline`);
}

async function stop(child: ChildProcess) {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise((r) => child.once("exit", r));
  process.kill(-child.pid, "SIGTERM");
  const timer = setTimeout(() => child.pid && process.kill(-child.pid, "SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
}

type Source = { title: string; slug: string; url: string };
type Operation = { method: string; path: string; summary?: string };

const METHODS = ["get", "put", "post", "delete", "patch"] as const;

/** Every operation of an OpenAPI document the page lists; a document not served is a failure. */
async function operationsOf(url: string): Promise<Operation[]> {
  const res = await fetch(`${ORIGIN}${url}`);
  assert(res.ok, `${url}: ${res.status}`);
  const doc = (await res.json()) as {
    paths?: Record<string, Record<string, { summary?: string }>>;
  };
  return Object.entries(doc.paths ?? {}).flatMap(([path, item]) =>
    METHODS.flatMap((method) => {
      const op = item[method];
      return op ? [{ method, path, summary: op.summary }] : [];
    }),
  );
}

/** Scalar names an operation's section and sidebar entry `<slug>/tag/<tag>/<METHOD><path>`. */
const idOf = (attribute: string, slug: string, { method, path }: Operation) =>
  `[${attribute}^="${slug}/tag/"][${attribute}$="/${method.toUpperCase()}${path}"]`;
const sectionOf = (page: Page, slug: string, op: Operation) =>
  page.locator(`section${idOf("id", slug, op)}`);

/** Headers the documents describe without an example, so the client must not fill them in. */
const UNFILLED_HEADERS = ["Idempotency-Key", "x-request-id"];

/** Sends the open request; returns the status the API answered once the client shows it. */
async function send(page: Page, dialog: Locator): Promise<number> {
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.url().startsWith(`${ORIGIN}/api/`), { timeout: 10_000 }),
    dialog.getByRole("button", { name: /^Send/ }).first().click(),
  ]);
  const sent = await res.request().allHeaders();
  for (const name of UNFILLED_HEADERS) {
    assert(!(name.toLowerCase() in sent), `the client sent ${name}: ${sent[name.toLowerCase()]}`);
  }
  const shown = dialog.locator('section[aria-label="Response"] a[href*="/Status/"]');
  await shown.filter({ hasText: String(res.status()) }).waitFor({ timeout: 5_000 });
  return res.status();
}

async function run(page: Page) {
  const outside: string[] = [];
  await page.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith(`${ORIGIN}/`)) return route.continue();
    outside.push(url);
    return route.abort();
  });
  const consoleErrors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") consoleErrors.push(m.text());
  });
  page.on("pageerror", (e) => consoleErrors.push(e.message));

  await page.goto(`${ORIGIN}/docs`, { waitUntil: "load" });
  const configuration = await page.locator("#scalar").getAttribute("data-configuration");
  const sources = (JSON.parse(configuration ?? "{}") as { sources?: Source[] }).sources ?? [];
  await check("the page lists a document per API version, the current one first", async () => {
    assert(sources.length >= 2, `sources: ${configuration}`);
    assert(sources[0]?.url === "/openapi.json", `first source: ${sources[0]?.url}`);
  });

  for (const source of sources) {
    await page.goto(`${ORIGIN}/docs?api=${encodeURIComponent(source.slug)}`, { waitUntil: "load" });
    await check(`${source.title}: every operation of its document is rendered`, async () => {
      const operations = await operationsOf(source.url);
      assert(operations.length > 0, `${source.url} has no operations`);
      // Scalar renders sections as they scroll into view: reach each from the sidebar.
      for (const op of operations) {
        const name = `${op.method.toUpperCase()} ${op.path}`;
        // The request client (hidden until opened) has a sidebar with the same ids.
        const entry = page
          .locator(`li${idOf("data-sidebar-id", source.slug, op)} > button`)
          .filter({ visible: true });
        await entry.click({ timeout: 20_000 });
        const section = sectionOf(page, source.slug, op);
        // A long document on a busy machine: Scalar may take seconds to render a section.
        await section.waitFor({ timeout: 20_000 });
        const label = await section.getAttribute("label");
        assert(!op.summary || label === op.summary, `${name}: heading ${label}, not ${op.summary}`);
      }
    });
    await page.screenshot({ path: join(OUT, `docs-${source.slug}.png`) });
  }

  await page.goto(`${ORIGIN}/docs`, { waitUntil: "load" });
  await check("the introduction comes from the document", async () => {
    const intro = page.getByText("Each key has an allowance per window", { exact: false });
    await intro.first().waitFor({ timeout: 20_000 });
  });
  await check(
    "the client calls the API directly, pre-filling no request id or idempotency key",
    async () => {
      const create = sectionOf(page, sources[0]?.slug ?? "", {
        method: "post",
        path: "/api/v1/plan-groups",
      });
      await create.getByRole("button", { name: /test request/i }).click();
      const dialog = page.getByRole("dialog");
      for (const name of UNFILLED_HEADERS) {
        // CodeMirror shows its placeholder only while the value is empty.
        const row = dialog.locator(`tr[id="${name}"]`);
        await row.waitFor({ timeout: 5_000 });
        const value = row.locator("td").nth(2);
        const empty = await value.getByLabel("placeholder Value").isVisible();
        assert(empty, `${name} is pre-filled: ${await value.textContent()}`);
      }
      const anonymous = await send(page, dialog);
      assert(anonymous === 401, `without a key: ${anonymous}`);
      // The Authentication section opens expanded, its first field the key.
      const key = readFileSync(".wrangler/demo-key", "utf8").trim();
      await dialog.getByLabel("Value", { exact: true }).first().fill(key);
      const created = await send(page, dialog);
      assert(created === 201, `with the demo key: ${created}`);
      await page.screenshot({ path: join(OUT, "docs-client.png") });
    },
  );

  await page.goto(`${ORIGIN}/errors`, { waitUntil: "load" });
  await check("error reference lists the codes", async () => {
    for (const code of ["validation_error", "plan_group_not_found", "rate_limited"]) {
      assert(await page.locator(`section#${code}`).isVisible(), `${code} not visible`);
    }
  });
  await page.screenshot({ path: join(OUT, "errors.png") });
  await page.goto(`${ORIGIN}/`, { waitUntil: "load" });
  await check("the landing page links the reference, the document and the errors", async () => {
    for (const href of ["/docs", "/openapi.json", "/errors"]) {
      assert(await page.locator(`main a[href="${href}"]`).isVisible(), `no link to ${href}`);
    }
  });
  await page.screenshot({ path: join(OUT, "home.png") });

  await check("no request left the worker and no script failed", async () => {
    assert(outside.length === 0, `outside requests: ${outside.join(", ")}`);
    // Chromium logs every 4xx as a console error: the client provokes a 401 on purpose.
    const unexpected = consoleErrors.filter((text) => !text.startsWith("Failed to load resource"));
    assert(unexpected.length === 0, `console errors: ${unexpected.join(" | ")}`);
  });
}

/** $CHROMIUM_PATH, else the first Chromium at a usual place; without one, how to get one, and exit 1. */
function findChromium(): string {
  const executable = (path: string) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  const given = process.env.CHROMIUM_PATH;
  if (given) {
    if (executable(given)) return given;
    console.error(`CHROMIUM_PATH=${given} is not an executable file: point it at a Chromium`);
    process.exit(1);
  }
  const usual = [
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
    "/usr/bin/google-chrome-stable",
    "/snap/bin/chromium",
  ];
  const found = usual.find(executable);
  if (found) return found;
  console.error(`test:browser needs a Chromium and found none (looked at ${usual.join(", ")}).
Install one (Debian, Ubuntu: sudo apt-get install chromium), or set CHROMIUM_PATH to one.`);
  process.exit(1);
}

mkdirSync(OUT, { recursive: true });
const profile = mkdtempSync(join(tmpdir(), "docs-chromium-"));
const server = startDevServer();
try {
  await waitForHealth(Date.now() + 180_000);
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  try {
    await run(context.pages()[0] ?? (await context.newPage()));
  } finally {
    await context.close();
  }
} catch (err) {
  failed += 1;
  console.error(err);
} finally {
  await stop(server);
  rmSync(profile, { recursive: true, force: true });
}
console.log(`screenshots in ${OUT}/`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
