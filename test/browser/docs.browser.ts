/**
 * Loads /docs in a real headless Chromium against `wrangler dev`, fully
 * offline: any request that leaves the dev server fails the test. Needs
 * Debian's chromium (`apt-get install -y chromium`). Run: `npm run test:browser`.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Page } from "playwright-core";
import { wranglerEnv } from "../../scripts/lib/wrangler";
import { API_OPERATIONS as OPERATIONS } from "../helpers/operations";

const PORT = process.env.DOCS_TEST_PORT ?? "8811";
const ORIGIN = `http://localhost:${PORT}`;
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
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

async function tryIt(page: Page, operationId: string, expected: number) {
  const section = page.locator(`section#${operationId}`);
  await section.locator("details.try-it").evaluate((d) => d.setAttribute("open", ""));
  const output = section.locator("output");
  await output.evaluate((el) => el.removeAttribute("data-status"));
  await section.locator("form.try button").click();
  await section.locator("output[data-status]").waitFor({ timeout: 10_000 });
  const status = await output.getAttribute("data-status");
  assert(
    status === String(expected),
    `${operationId}: got ${status}: ${await output.textContent()}`,
  );
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
  // Chromium logs every 4xx as a console error; "Try it" provokes a 401 on purpose.
  page.on("console", (m) => {
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) {
      consoleErrors.push(m.text());
    }
  });
  page.on("pageerror", (e) => consoleErrors.push(e.message));

  await page.goto(`${ORIGIN}/docs`, { waitUntil: "load" });
  await check("page renders its title", async () => {
    const h1 = await page.locator("header h1").textContent();
    assert(h1?.includes("Plan groups API"), `title: ${h1}`);
  });
  await check("every operation is visible", async () => {
    for (const id of OPERATIONS) {
      const heading = page.locator(`section#${id} h3`);
      assert(await heading.isVisible(), `${id} is not visible`);
    }
  });
  await check("stylesheet applied (served by the worker)", async () => {
    const color = await page
      .locator("section#create-plan-group .m.post")
      .evaluate((el) => getComputedStyle(el).backgroundColor);
    assert(color === "rgb(42, 91, 215)", `POST badge color ${color}`);
  });
  await page.screenshot({ path: join(OUT, "docs.png"), fullPage: false });

  await check("filter narrows the operations", async () => {
    await page.fill("#filter", "reorder");
    assert(await page.locator("section#reorder-plans-in-group").isVisible(), "reorder hidden");
    assert(!(await page.locator("section#create-plan").isVisible()), "create-plan still visible");
    await page.fill("#filter", "");
    assert(await page.locator("section#create-plan").isVisible(), "filter did not reset");
  });
  await check("Try it sends real requests", async () => {
    await tryIt(page, "list-plan-groups", 401);
    await page.fill("#api-key", readFileSync(".wrangler/demo-key", "utf8").trim());
    await tryIt(page, "create-plan-group", 201);
    await tryIt(page, "list-plan-groups", 200);
  });
  await page
    .locator("section#create-plan-group details.try-it")
    .screenshot({ path: join(OUT, "docs-try-it.png") });

  await page.goto(`${ORIGIN}/errors`, { waitUntil: "load" });
  await check("error reference lists the codes", async () => {
    for (const code of ["validation_error", "plan_group_not_found", "rate_limited"]) {
      assert(await page.locator(`section#${code}`).isVisible(), `${code} not visible`);
    }
  });
  await check("no request left the worker and no script failed", async () => {
    assert(outside.length === 0, `outside requests: ${outside.join(", ")}`);
    assert(consoleErrors.length === 0, `console errors: ${consoleErrors.join(" | ")}`);
  });
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
