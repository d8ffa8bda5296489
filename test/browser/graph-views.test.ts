import { describe, expect, it } from "vitest";
import { STATE_LOOKS } from "../../src/palette/state-palette.js";
import { fillOf, HAS_CHROMIUM, NO_CHROMIUM_REASON, rgbOf, screenshot } from "./browser.js";
import { useUi } from "./fixture.js";
import { ETL } from "./pipelines.js";

if (!HAS_CHROMIUM) console.warn(`skipping test/browser/graph-views.test.ts: ${NO_CHROMIUM_REASON}`);

const FAILED = "manual__2026-01-01T00:00:00+00:00";
const SUCCEEDED = "manual__2026-01-02T00:00:00+00:00";
const node = (task: string) => `g.node[data-task="${task}"]`;

// The graph, run and durations views over two etl runs: the first failed, the second succeeded.
describe.skipIf(!HAS_CHROMIUM)("flow ui: graph, run and durations", { timeout: 60_000 }, () => {
  const t = useUi({ "pipelines/etl.ts": ETL }, async ({ flowOk, project }) => {
    await flowOk(["run", "etl", "--date", "2026-01-01"], 1);
    await project.write("ok", "");
    await flowOk(["run", "etl", "--date", "2026-01-02"]);
  });

  it("colours the graph's nodes by the selected run, and shows a trigger rule that is not the default", async () => {
    const { page, ui } = t;
    await page.goto(ui.pageUrl(`/dags/etl/graph?run=${encodeURIComponent(FAILED)}`));
    await page.waitForSelector(`svg.graph ${node("transform")}[data-state="failed"]`);
    expect(await page.getAttribute(node("load"), "data-state")).toBe("upstream_failed");
    expect(await fillOf(page, `${node("transform")} rect.node-box`)).toBe(
      rgbOf(STATE_LOOKS.failed.hex!),
    );
    expect(await page.locator("svg.graph path.edge").count()).toBe(3);
    expect(await page.textContent(`${node("report")} text.node-rule`)).toBe("all_done");
    expect(await page.locator("svg.graph text.node-rule").count()).toBe(1);

    await page.selectOption("#graph-run", SUCCEEDED);
    await page.waitForSelector(`${node("transform")}[data-state="success"]`);
    expect(page.url()).toContain(`run=${encodeURIComponent(SUCCEEDED)}`);
    expect(await fillOf(page, `${node("load")} rect.node-box`)).toBe(
      rgbOf(STATE_LOOKS.success.hex!),
    );
    await page.selectOption("#graph-run", FAILED);
    await page.waitForSelector(`${node("transform")}[data-state="failed"]`);
    await screenshot(page, "graph", { readme: true });
  });

  it("shows a run's tasks with state, tries and reasons, and a Gantt bar per started task", async () => {
    const { page, ui } = t;
    await page.goto(ui.pageUrl(`/dags/etl/runs/${encodeURIComponent(FAILED)}`));
    await page.waitForSelector('tr[data-task="transform"][data-state="failed"]');
    expect(await page.getAttribute('tr[data-task="load"]', "data-state")).toBe("upstream_failed");
    expect(await page.textContent('tr[data-task="transform"]')).toContain("1/1");
    // Every task that started has a bar; load never started.
    const bars = await page.$$eval("rect.gantt-bar", (rects) =>
      rects.map((r) => r.getAttribute("data-task")).sort(),
    );
    expect(bars).toEqual(["audit", "extract", "report", "transform"]);
    expect(await fillOf(page, 'rect.gantt-bar[data-task="transform"]')).toBe(
      rgbOf(STATE_LOOKS.failed.hex!),
    );
  });

  it("charts a task's durations, one point per run", async () => {
    const { page, ui } = t;
    await page.goto(ui.pageUrl("/dags/etl/durations?task=transform"));
    await page.waitForSelector("svg.durations circle.point");
    const points = await page.$$eval("circle.point", (circles) =>
      circles.map((c) => `${c.getAttribute("data-run")} ${c.getAttribute("data-state")}`),
    );
    expect(points).toEqual([`${FAILED} failed`, `${SUCCEEDED} success`]);
    await screenshot(page, "durations-etl");
  });
});
