import { existsSync } from "node:fs";
import { mkdir, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";

/** Debian's chromium (`.ci/run` installs it); the browser tests skip, saying why, without it. */
export const CHROMIUM = "/usr/bin/chromium";
export const HAS_CHROMIUM = existsSync(CHROMIUM);
export const NO_CHROMIUM_REASON = `${CHROMIUM} is missing: apt-get install chromium to run the browser tests`;

// Headless on a small shared VM: no sandbox (root in CI containers), no GPU, nothing phoning home.
const FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** One browser per test file; each test opens its own context (cookies, storage) with newPage. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
}

/** A page in a fresh context, at the README's screenshot size. */
export async function newPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1200, height: 700 } });
  // Below the tests' 60 s (their files set it), so a failed wait says which selector it waited for.
  context.setDefaultTimeout(30_000);
  return context.newPage();
}

const REPO = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const README_SHOTS = join(REPO, "docs/screenshots");
let artifacts: Promise<string> | undefined;

/**
 * Saves the page as `<name>.png` in a temp dir kept as the test artifacts (its path is returned
 * so a failing test can print it). The README's images (`readme: true`) go to docs/screenshots
 * instead when UI_SCREENSHOTS=docs: `UI_SCREENSHOTS=docs npx vitest run test/browser`.
 */
export async function screenshot(
  page: Page,
  name: string,
  options: { readme?: boolean } = {},
): Promise<string> {
  let dir: string;
  if (options.readme && process.env.UI_SCREENSHOTS === "docs") {
    await mkdir(README_SHOTS, { recursive: true });
    dir = README_SHOTS;
  } else {
    artifacts ??= mkdtemp(join(tmpdir(), "flow-ui-shots-"));
    dir = await artifacts;
  }
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

/** An `rgb(r, g, b)` as getComputedStyle reports it, from the palette's hex. */
export function rgbOf(hex: string): string {
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgb(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255})`;
}

// The browser's own function, inside page.$eval callbacks; the tests' tsconfig has no DOM lib.
declare const getComputedStyle: (element: unknown) => { backgroundColor: string; fill: string };

/** The computed background colour of the first element matching `selector`. */
export function backgroundOf(page: Page, selector: string): Promise<string> {
  return page.$eval(selector, (el) => getComputedStyle(el).backgroundColor);
}

/** The computed SVG fill of the first element matching `selector`. */
export function fillOf(page: Page, selector: string): Promise<string> {
  return page.$eval(selector, (el) => getComputedStyle(el).fill);
}
