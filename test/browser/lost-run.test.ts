import { describe, expect, it } from "vitest";
import { isAlive, runningTry, waitFor } from "../e2e/processes.js";
import { HAS_CHROMIUM, NO_CHROMIUM_REASON } from "./browser.js";
import { useUi } from "./fixture.js";

if (!HAS_CHROMIUM) console.warn(`skipping test/browser/lost-run.test.ts: ${NO_CHROMIUM_REASON}`);

const RUN_ID = "manual__2026-04-01T00:00:00+00:00";
const PIPELINE = `
import { dag, bash } from "flow";
const slow = bash("slow", "sleep 60", { retries: 1 });
export default dag({ id: "lost", tasks: [slow] });
`;

// A run whose `flow run` was killed with -9 while its try ran: no command has recovered it.
describe.skipIf(!HAS_CHROMIUM)(
  "flow ui: a run whose flow process died",
  { timeout: 60_000 },
  () => {
    const t = useUi({ "pipelines/lost.ts": PIPELINE }, async ({ project }) => {
      const child = project.spawn(["run", "lost", "--date", "2026-04-01"]);
      const { pid } = await waitFor("the try to start", () =>
        runningTry(project, "lost", RUN_ID, "slow"),
      );
      child.kill("SIGKILL");
      await child;
      await waitFor("the try to end", async () => (isAlive(pid) ? undefined : true));
    });

    it("labels the run and its lost try lost, with a duration that does not grow", async () => {
      const { page, ui } = t;
      await page.goto(ui.pageUrl(`/dags/lost/runs/${encodeURIComponent(RUN_ID)}`));
      await page.waitForSelector('tr[data-task="slow"][data-state="up_for_retry"] .badge.lost');
      expect(await page.textContent("h2 .badge.lost")).toBe("lost");
      expect(await page.textContent("p.run-facts")).toContain("lost at");
      const duration = () => page.textContent('tr[data-task="slow"] td:nth-child(5)');
      const first = await duration();
      expect(first).toMatch(/^\d+(ms|\.\ds)$/);
      await page.waitForTimeout(1_100);
      await page.reload();
      await page.waitForSelector('tr[data-task="slow"] .badge.lost');
      expect(await duration()).toBe(first);
    });
  },
);
