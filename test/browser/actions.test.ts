import { describe, expect, it } from "vitest";
import { STATE_LOOKS } from "../../src/palette/state-palette.js";
import { statusJson } from "../e2e/harness.js";
import { backgroundOf, HAS_CHROMIUM, NO_CHROMIUM_REASON, rgbOf, screenshot } from "./browser.js";
import { useUi } from "./fixture.js";
import { ETL } from "./pipelines.js";

if (!HAS_CHROMIUM) console.warn(`skipping test/browser/actions.test.ts: ${NO_CHROMIUM_REASON}`);

const runOf = (day: string): string => `manual__2026-01-${day}T00:00:00+00:00`;
const runPage = (run: string): string => `/dags/etl/runs/${encodeURIComponent(run)}`;
const cell = (task: string, run: string) => `td.cell[data-task="${task}"][data-run="${run}"]`;

// The actions through the page, each checked on disk afterwards (flow status --json,
// executions.log): four failed etl runs, one per action, made by flow run before the page opens.
describe.skipIf(!HAS_CHROMIUM)("flow ui: actions", { timeout: 60_000 }, () => {
  const t = useUi({ "pipelines/etl.ts": ETL }, async ({ flowOk }) => {
    for (const day of ["01", "02", "03", "04"])
      await flowOk(["run", "etl", "--date", `2026-01-${day}`], 1);
  });

  // How often each task ran, from executions.log.
  async function executions(): Promise<Record<string, number>> {
    const text = await t.project.read("executions.log");
    const counts: Record<string, number> = {};
    for (const id of text.split("\n").filter(Boolean)) counts[id] = (counts[id] ?? 0) + 1;
    return counts;
  }
  async function storedRun(run: string) {
    const found = (await statusJson(t.project, "etl")).runs.find((r) => r.run_id === run);
    if (found === undefined) throw new Error(`no run ${run} in flow status --json`);
    return found;
  }

  it("clears through a preview of exactly the chosen task instances, and re-runs only those", async () => {
    const { page, ui, project } = t;
    const run = runOf("01");
    await project.write("ok", "");
    const before = await executions();
    await page.goto(ui.pageUrl("/dags/etl"));
    await page.click(cell("transform", run));
    await page.check('.task-panel input[name="downstream"]');
    await page.click("button#clear-preview");
    await page.waitForSelector("ul#clear-plan > li");
    const planned = await page.$$eval("ul#clear-plan > li", (items) =>
      items.map((li) => `${li.getAttribute("data-run")} ${li.getAttribute("data-task")}`),
    );
    // transform and what follows it in that run; not extract, not audit, not the other runs.
    expect(planned.sort()).toEqual([`${run} load`, `${run} report`, `${run} transform`]);
    await page.locator("button#clear-apply").scrollIntoViewIfNeeded();
    await screenshot(page, "clear-preview", { readme: true });

    await page.click("button#clear-apply");
    await page.waitForSelector('#message[data-kind="ok"]');
    await page.waitForSelector(`th[data-run="${run}"][data-state="success"]`, { timeout: 20_000 });
    expect(await backgroundOf(page, cell("transform", run))).toBe(rgbOf(STATE_LOOKS.success.hex!));

    const after = await executions();
    expect({
      extract: (after.extract ?? 0) - (before.extract ?? 0),
      transform: (after.transform ?? 0) - (before.transform ?? 0),
      load: (after.load ?? 0) - (before.load ?? 0),
      report: (after.report ?? 0) - (before.report ?? 0),
      audit: (after.audit ?? 0) - (before.audit ?? 0),
    }).toEqual({ extract: 0, transform: 1, load: 1, report: 1, audit: 0 });
    const stored = await storedRun(run);
    expect(stored.state).toBe("success");
    expect(stored.tasks.transform?.try_number).toBe(2);
    expect(stored.tasks.extract?.try_number).toBe(1);
    expect((await storedRun(runOf("02"))).state).toBe("failed");
  });

  it("refuses to apply a plan that changed since the preview, with the server's message", async () => {
    const { page, ui, project } = t;
    const run = runOf("02");
    await page.goto(ui.pageUrl("/dags/etl"));
    await page.click(cell("transform", run));
    await page.click("button#clear-preview");
    await page.waitForSelector(`ul#clear-plan > li[data-task="transform"][data-run="${run}"]`);
    // Meanwhile, on the command line: the previewed task instance changes.
    const mark = await project.flow([
      "mark",
      "etl",
      "success",
      "--run",
      run,
      "--task",
      "transform",
    ]);
    expect(mark.exitCode, mark.stderr).toBe(0);
    const before = await project.snapshotState();
    await page.click("button#clear-apply");
    await page.waitForSelector('#message[data-kind="error"]');
    expect(await page.textContent("#message")).toMatch(/plan|changed/i);
    expect(await project.snapshotState()).toEqual(before);
  });

  it("marks a task instance success from the run page", async () => {
    const { page, ui } = t;
    const run = runOf("03");
    await page.goto(ui.pageUrl(runPage(run)));
    await page.click('tr[data-task="transform"]');
    await page.click("button#mark-success");
    await page.waitForSelector('#message[data-kind="ok"]');
    await page.waitForSelector('tr[data-task="transform"][data-state="success"]');
    expect((await storedRun(run)).tasks.transform?.state).toBe("success");
    expect((await storedRun(run)).tasks.extract?.state).toBe("success");
  });

  it("retries a failed run from the point of failure", async () => {
    const { page, ui, project } = t;
    const run = runOf("04");
    await project.write("ok", "");
    await page.goto(ui.pageUrl(runPage(run)));
    await page.waitForSelector('tr[data-task="transform"][data-state="failed"]');
    await screenshot(page, "run", { readme: true });
    await page.click("button#retry");
    await page.waitForSelector('#message[data-kind="ok"]');
    await page.waitForSelector('tr[data-task="load"][data-state="success"]', { timeout: 20_000 });
    await expect
      .poll(async () => (await storedRun(run)).state, { timeout: 20_000 })
      .toBe("success");
    expect((await storedRun(run)).tasks.extract?.try_number).toBe(1);
  });

  it("triggers a run with a date and params, which then appears in the grid", async () => {
    const { page, ui } = t;
    const run = "manual__2026-03-01T00:00:00+00:00";
    await page.goto(ui.pageUrl("/dags/etl"));
    await page.waitForSelector("table.grid");
    await page.click("button#trigger");
    await page.fill('#trigger-form input[name="date"]', "2026-03-01");
    await page.fill('#trigger-form textarea[name="params"]', '{"region": "eu"}');
    await page.click('#trigger-form button[type="submit"]');
    await page.waitForSelector('#message[data-kind="ok"]');
    expect(await page.textContent("#message")).toContain(run);
    await page.waitForSelector(`th[data-run="${run}"][data-state="success"]`, { timeout: 20_000 });
    await expect
      .poll(async () => (await storedRun(run)).state, { timeout: 20_000 })
      .toBe("success");
  });

  it("shows a bad params value as an error and sends nothing", async () => {
    const { page, ui } = t;
    await page.goto(ui.pageUrl("/dags/etl"));
    await page.click("button#trigger");
    await page.fill('#trigger-form textarea[name="params"]', "{not json");
    await page.click('#trigger-form button[type="submit"]');
    await page.waitForSelector('#message[data-kind="error"]');
    expect(await page.textContent("#message")).toContain("params is not JSON");
  });
});
