import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { STATE_LOOKS } from "../../src/palette/state-palette.js";
import { backgroundOf, HAS_CHROMIUM, NO_CHROMIUM_REASON, rgbOf, screenshot } from "./browser.js";
import { useUi } from "./fixture.js";
import { BIG_LOG, SLOW } from "./pipelines.js";

if (!HAS_CHROMIUM) console.warn(`skipping test/browser/live.test.ts: ${NO_CHROMIUM_REASON}`);

const runOf = (date: string): string => `manual__${date}T00:00:00+00:00`;

// A mark on the window: it survives in-place updates and is gone after any reload.
async function markWindow(page: Page): Promise<void> {
  await page.evaluate(() => ((globalThis as { flowMark?: number }).flowMark = 1));
}
async function isSameWindow(page: Page): Promise<boolean> {
  return page.evaluate(() => (globalThis as { flowMark?: number }).flowMark === 1);
}

// Runs that progress while a page is open: the page follows over SSE and log offsets, no reload.
describe.skipIf(!HAS_CHROMIUM)("flow ui: live updates", { timeout: 60_000 }, () => {
  // One finished run first: the grid then has a column before the new run arrives.
  const t = useUi(
    { "pipelines/slow.ts": SLOW, "pipelines/big-log.ts": BIG_LOG, go: "" },
    async ({ flowOk }) => {
      await flowOk(["run", "slow", "--date", "2026-01-31"]);
      await flowOk(["run", "big_log", "--date", "2026-01-31"]);
    },
  );
  const go = () => t.project.write("go", "");

  it("shows a run started with flow run on the side, and turns it green without a reload", async () => {
    const { page, ui, project } = t;
    await rm(join(project.dir, "go"), { force: true });
    await page.goto(ui.pageUrl("/dags/slow"));
    await page.waitForSelector("table.grid");
    expect(await page.locator("th[data-run]").count()).toBe(1);
    await markWindow(page);

    const run = runOf("2026-02-01");
    const child = project.spawn(["run", "slow", "--date", "2026-02-01"]);
    const cell = (task: string, state: string) =>
      `td.cell[data-task="${task}"][data-run="${run}"][data-state="${state}"]`;
    await page.waitForSelector(cell("wait", "running"));
    expect(await backgroundOf(page, cell("wait", "running"))).toBe(rgbOf(STATE_LOOKS.running.hex!));
    await go();
    await page.waitForSelector(`th[data-run="${run}"][data-state="success"]`);
    await page.waitForSelector(cell("after", "success"));
    expect(await backgroundOf(page, cell("wait", "success"))).toBe(rgbOf(STATE_LOOKS.success.hex!));
    expect(await isSameWindow(page)).toBe(true);
    expect((await child).exitCode).toBe(0);
  });

  it("updates the DAGs page's squares and the latest run's graph as a run progresses", async () => {
    const { page, ui, project } = t;
    await rm(join(project.dir, "go"), { force: true });
    const run = runOf("2026-02-04");
    const graph = await page.context().newPage();
    await graph.goto(ui.pageUrl("/dags/slow/graph"));
    await graph.waitForSelector('g.node[data-task="wait"][data-state="success"]');
    await page.goto(ui.pageUrl("/"));
    await page.waitForSelector('tr[data-dag="slow"] span.run-square');
    await markWindow(page);
    await markWindow(graph);

    const child = project.spawn(["run", "slow", "--date", "2026-02-04"]);
    const square = (state: string) => `span.run-square[data-run="${run}"][data-state="${state}"]`;
    await page.waitForSelector(square("running"));
    await graph.waitForSelector('g.node[data-task="wait"][data-state="running"]');
    expect(await graph.getAttribute("g.node[data-task=after]", "data-state")).not.toBe("success");
    await go();
    await page.waitForSelector(square("success"));
    await graph.waitForSelector('g.node[data-task="after"][data-state="success"]');
    expect(await graph.inputValue("#graph-run")).toBe(run);
    expect(await isSameWindow(page)).toBe(true);
    expect(await isSameWindow(graph)).toBe(true);
    expect((await child).exitCode).toBe(0);
  });

  it("follows a running task's log: the second line appears without a reload", async () => {
    const { page, ui, project } = t;
    await rm(join(project.dir, "go"), { force: true });
    const run = runOf("2026-02-02");
    const child = project.spawn(["run", "slow", "--date", "2026-02-02"]);
    // The run exists once flow run has written it; the page then opens on the running task.
    const base = `/dags/slow/runs/${encodeURIComponent(run)}/tasks`;
    await expect
      .poll(async () => (await project.flow(["status", "slow", "--json"])).stdout, {
        timeout: 15_000,
      })
      .toContain(run);

    await page.goto(ui.pageUrl(`${base}/wait/log`));
    await page.waitForSelector('pre#log:has-text("first line")');
    expect(await page.getAttribute("pre#log", "data-state")).toBe("running");
    const firstOffset = Number(await page.getAttribute("pre#log", "data-offset"));
    expect(firstOffset).toBeGreaterThan(0);
    await markWindow(page);
    await screenshot(page, "log", { readme: true });

    await go();
    await page.waitForSelector('pre#log:has-text("second line")');
    await page.waitForSelector('pre#log[data-state="success"]');
    const text = (await page.textContent("pre#log")) ?? "";
    // Appended once each: the page read on from its offset, never the whole file again.
    expect(text.match(/first line/g)).toHaveLength(1);
    expect(text.match(/second line/g)).toHaveLength(1);
    expect(Number(await page.getAttribute("pre#log", "data-offset"))).toBeGreaterThan(firstOffset);
    expect(await isSameWindow(page)).toBe(true);
    expect(await page.locator("a.try").count()).toBe(1);
    expect((await child).exitCode).toBe(0);
  });

  it('says "no log yet" for a task that has not started', async () => {
    const { page, ui, project } = t;
    await rm(join(project.dir, "go"), { force: true });
    const run = runOf("2026-02-03");
    const child = project.spawn(["run", "slow", "--date", "2026-02-03"]);
    await expect
      .poll(async () => (await project.flow(["status", "slow", "--json"])).stdout, {
        timeout: 15_000,
      })
      .toContain(run);
    await page.goto(ui.pageUrl(`/dags/slow/runs/${encodeURIComponent(run)}/tasks/after/log`));
    await page.waitForSelector("p.no-log");
    expect(await page.textContent("p.no-log")).toContain("No log yet");
    await go();
    expect((await child).exitCode).toBe(0);
  });

  it("opens a big log on its last 256 KiB, never reading the whole file", async () => {
    const { page, ui } = t;
    const run = encodeURIComponent(runOf("2026-01-31"));
    await page.goto(ui.pageUrl(`/dags/big_log/runs/${run}/tasks/shout/log`));
    await page.waitForSelector('pre#log:has-text("the end")');
    expect(await page.textContent("p.log-skipped")).toMatch(/The first \d+ KiB are not shown/);
    const text = (await page.textContent("pre#log")) ?? "";
    expect(text.length).toBeLessThanOrEqual(256 * 1024);
    expect(text.length).toBeGreaterThan(200 * 1024);
    expect(Number(await page.getAttribute("pre#log", "data-offset"))).toBeGreaterThan(409600);
  });
});
