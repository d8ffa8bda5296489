import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { HAS_CHROMIUM, NO_CHROMIUM_REASON } from "./browser.js";
import { useUi } from "./fixture.js";
import { SLOW } from "./pipelines.js";

if (!HAS_CHROMIUM) console.warn(`skipping test/browser/first-run.test.ts: ${NO_CHROMIUM_REASON}`);

// A new user's first minutes: flow ui open on a project that has never run anything (no state
// dir yet), then a first flow run in another terminal.
describe.skipIf(!HAS_CHROMIUM)(
  "flow ui: the first run of a new project",
  { timeout: 60_000 },
  () => {
    const t = useUi({ "pipelines/slow.ts": SLOW });

    it("shows the first run, made after flow ui started, and turns it green without a reload", async () => {
      const { page, ui, project } = t;
      expect(existsSync(join(project.stateDir, "runs"))).toBe(false);
      await page.goto(ui.pageUrl("/dags/slow"));
      await page.waitForSelector("table.grid");
      expect(await page.locator("th[data-run]").count()).toBe(0);

      const run = "manual__2026-02-01T00:00:00+00:00";
      const child = project.spawn(["run", "slow", "--date", "2026-02-01"]);
      await page.waitForSelector(
        `td.cell[data-task="wait"][data-run="${run}"][data-state="running"]`,
      );
      await project.write("go", "");
      await page.waitForSelector(`th[data-run="${run}"][data-state="success"]`);
      await page.waitForSelector(
        `td.cell[data-task="after"][data-run="${run}"][data-state="success"]`,
      );
      expect((await child).exitCode).toBe(0);
    });
  },
);
