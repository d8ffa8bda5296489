import { describe, expect, it } from "vitest";
import { HAS_CHROMIUM, NO_CHROMIUM_REASON, screenshot } from "./browser.js";
import { useUi } from "./fixture.js";
import { DAILY, ETL } from "./pipelines.js";

if (!HAS_CHROMIUM)
  console.warn(`skipping test/browser/state-errors.test.ts: ${NO_CHROMIUM_REASON}`);

const BROKEN_RUN = "manual__2026-01-01T00:00:00+00:00";

// One run file of etl that is not JSON: the DAGs page still lists both DAGs and shows the CLI's
// message on etl's row, where its runs would be; etl's grid shows the message instead of a grid.
describe.skipIf(!HAS_CHROMIUM)("flow ui: a run file flow cannot read", { timeout: 60_000 }, () => {
  let message = "";
  const t = useUi({ "pipelines/etl.ts": ETL, "pipelines/daily.ts": DAILY, ok: "" }, async (f) => {
    await f.flowOk(["run", "etl", "--date", "2026-01-01"]);
    await f.flowOk(["run", "daily", "--date", "2026-01-02"]);
    await f.project.write(`state/runs/etl/${BROKEN_RUN}.json`, "{ not json");
    const list = await f.flowOk(["list"], 4);
    message = list.stderr.split("\n")[0]!.replace(/^flow: /, "");
  });

  it("shows the error on the broken DAG's row and the other DAG's runs", async () => {
    const { page, ui } = t;
    await page.goto(ui.url);
    const error = page.locator('tr[data-dag="etl"] td.dag-error');
    await error.waitFor();
    expect(message).toContain(`${BROKEN_RUN}.json: not valid JSON`);
    expect((await error.textContent())?.trim()).toBe(message);
    expect(await page.locator('tr[data-dag="etl"] a[href="/dags/etl"]').count()).toBe(1);
    expect(await page.locator('tr[data-dag="etl"] span.run-square').count()).toBe(0);
    await page.waitForSelector('tr[data-dag="daily"] span.run-square[data-state="success"]');
    expect(await page.locator("#message").count()).toBe(0);
    await screenshot(page, "dags-state-error");

    await page.click('tr[data-dag="etl"] a[href="/dags/etl"]');
    await page.waitForSelector('#message[data-kind="error"]');
    expect(await page.locator("#message span").textContent()).toBe(message);
  });
});
