import { describe, expect, it } from "vitest";
import { STATE_LOOKS } from "../../src/palette/state-palette.js";
import { backgroundOf, HAS_CHROMIUM, NO_CHROMIUM_REASON, rgbOf, screenshot } from "./browser.js";
import { useUi } from "./fixture.js";
import { BROKEN, DAILY, ETL } from "./pipelines.js";

if (!HAS_CHROMIUM) console.warn(`skipping test/browser/dags-grid.test.ts: ${NO_CHROMIUM_REASON}`);

const FAILED_RUN = "manual__2026-01-01T00:00:00+00:00";
const DAYS = 27;

// The DAGs page and the grid over a state dir made by real commands: a failed etl run, a 27-day
// backfill of daily (two grid pages), and a pipeline file that fails to import.
describe.skipIf(!HAS_CHROMIUM)("flow ui: the DAGs page and the grid", { timeout: 60_000 }, () => {
  const t = useUi(
    { "pipelines/etl.ts": ETL, "pipelines/daily.ts": DAILY, "pipelines/broken.ts": BROKEN },
    async ({ flowOk }) => {
      await flowOk(["run", "etl", "--date", "2026-01-01"], 1);
      const end = `2026-01-${String(DAYS).padStart(2, "0")}`;
      await flowOk(["backfill", "daily", "--start", "2026-01-01", "--end", end], 1);
    },
  );

  it("lists every DAG with its last runs' states in the palette's colours, and the import error", async () => {
    const { page, ui } = t;
    await page.goto(ui.url);
    await page.waitForSelector('tr[data-dag="etl"]');
    expect(await page.locator('tr[data-dag="daily"]').count()).toBe(1);
    expect(await page.locator('tr[data-dag="etl"] a[href="/dags/etl"]').count()).toBe(1);

    const etlSquare = `tr[data-dag="etl"] span.run-square[data-run="${FAILED_RUN}"][data-state="failed"]`;
    await page.waitForSelector(etlSquare);
    expect(await backgroundOf(page, etlSquare)).toBe(rgbOf(STATE_LOOKS.failed.hex!));
    // At most 10 squares: the runs of 01-18 to 01-27, of which 01-20 and 01-25 failed.
    const square = (state: string) => `tr[data-dag="daily"] span.run-square[data-state="${state}"]`;
    expect(await page.locator('tr[data-dag="daily"] span.run-square').count()).toBe(10);
    expect(await page.locator(square("success")).count()).toBe(8);
    expect(await page.locator(square("failed")).count()).toBe(2);
    expect(await backgroundOf(page, square("success"))).toBe(rgbOf(STATE_LOOKS.success.hex!));

    const error = page.locator("li.import-error");
    expect(await error.count()).toBe(1);
    expect(await error.getAttribute("data-file")).toMatch(/broken\.ts$/);
    expect(await error.textContent()).toContain("the broken pipeline cannot load");
    // The token left the address bar.
    expect(page.url()).not.toContain("token=");
    await screenshot(page, "dags", { readme: true });
  });

  it("shows a failed run's cells in the grid, with state, tries and duration on hover", async () => {
    const { page, ui } = t;
    await page.goto(ui.pageUrl("/"));
    await page.click('tr[data-dag="etl"] a[href="/dags/etl"]');
    await page.waitForSelector("table.grid");
    const head = page.locator(`th[data-run="${FAILED_RUN}"]`);
    expect(await head.getAttribute("data-run-type")).toBe("manual");
    expect(await head.getAttribute("data-state")).toBe("failed");

    const cell = (task: string) => `td.cell[data-task="${task}"][data-run="${FAILED_RUN}"]`;
    const expected = {
      extract: "success",
      transform: "failed",
      load: "upstream_failed",
      report: "success",
      audit: "success",
    } as const;
    for (const [task, state] of Object.entries(expected)) {
      expect(await page.getAttribute(cell(task), "data-state"), task).toBe(state);
      expect(await backgroundOf(page, cell(task)), task).toBe(rgbOf(STATE_LOOKS[state].hex!));
    }
    const title = (await page.getAttribute(cell("transform"), "title")) ?? "";
    expect(title).toMatch(/^transform: failed, try 1\/1, \d/);
    await screenshot(page, "grid-failed");
  });

  it("pages the grid 25 runs at a time, newest first, and marks backfill runs", async () => {
    const { page, ui } = t;
    await page.goto(ui.pageUrl("/dags/daily"));
    await page.waitForSelector("table.grid th[data-run]");
    const heads = page.locator("table.grid th[data-run]");
    expect(await heads.count()).toBe(25);
    expect(await heads.first().getAttribute("data-run")).toContain(`2026-01-${DAYS}`);
    expect(await heads.first().getAttribute("data-run-type")).toBe("backfill");
    expect(await page.isDisabled("button#newer")).toBe(true);
    await screenshot(page, "grid", { readme: true });

    await page.click("button#older");
    await page.waitForSelector('table.grid th[data-run*="2026-01-01"]');
    expect(await heads.count()).toBe(DAYS - 25);
    expect(await page.isDisabled("button#older")).toBe(true);
    await page.click("button#newer");
    await page.waitForSelector(`table.grid th[data-run*="2026-01-${DAYS}"]`);
    expect(await heads.count()).toBe(25);
    // Days 03 to 27: load failed on 05, 10, 15, 20 and 25, and summary did not run after it.
    expect(await page.locator('td.cell[data-task="load"][data-state="failed"]').count()).toBe(5);
    const blocked = 'td.cell[data-task="summary"][data-state="upstream_failed"]';
    expect(await page.locator(blocked).count()).toBe(5);
  });

  it("charts a task's durations over the backfill's runs, coloured by state", async () => {
    const { page, ui } = t;
    await page.goto(ui.pageUrl("/dags/daily/durations?task=load"));
    await page.waitForSelector("svg.durations circle.point");
    expect(await page.locator("circle.point").count()).toBe(DAYS);
    expect(await page.locator('circle.point[data-state="failed"]').count()).toBe(5);
    await screenshot(page, "durations", { readme: true });
  });

  it("shows the API's error for a DAG that does not exist", async () => {
    const { page, ui } = t;
    await page.goto(ui.pageUrl("/dags/nope"));
    await page.waitForSelector('#message[data-kind="error"]');
    expect(await page.textContent("#message")).toContain("nope");
  });

  it("previews a clear over a date range, only failed, listing exactly those task instances", async () => {
    const { page, ui, project } = t;
    const before = await project.snapshotState();
    await page.goto(ui.pageUrl("/dags/daily"));
    await page.fill('.clear-panel input[name="start"]', "2026-01-09");
    await page.fill('.clear-panel input[name="end"]', "2026-01-21");
    await page.check('.clear-panel input[name="only_failed"]');
    await page.click("button#clear-preview");
    await page.waitForSelector("ul#clear-plan > li");
    const planned = await page.$$eval("ul#clear-plan > li", (items) =>
      items.map(
        (li) => `${li.getAttribute("data-run")?.slice(10, 20)} ${li.getAttribute("data-task")}`,
      ),
    );
    const days = ["2026-01-10", "2026-01-15", "2026-01-20"];
    expect(planned.sort()).toEqual(days.flatMap((day) => [`${day} load`, `${day} summary`]));
    // A preview writes nothing.
    expect(await project.snapshotState()).toEqual(before);
  });
});
