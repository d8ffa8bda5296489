import { cp, readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  EXAMPLE_DEFAULTS,
  REPO_PIPELINES,
  makeProject,
  normalise,
  statusJson,
  type Project,
} from "./harness.js";
import { listFiles } from "./helpers-files.js";

// The README's quick start, on a temp copy of the bundled pipelines/ (with lib/ and fixtures/),
// so the data/ and state/ it writes land in the temp dir, not in the repo.
const DEFAULTS = EXAMPLE_DEFAULTS;

let project: Project;
beforeAll(async () => {
  project = await makeProject();
  await cp(REPO_PIPELINES, join(project.dir, "pipelines"), { recursive: true });
});
afterAll(async () => project?.cleanup());

describe("quick start on the bundled examples", () => {
  it("lists both examples", async () => {
    const list = await project.flow(["list"], { env: DEFAULTS });
    expect(list.exitCode).toBe(0);
    expect(list.stderr).toBe("");
    expect(list.stdout).toMatch(
      /│ rocket_launches │ None +│ +3 │ - +│ - +│ pipelines\/rocket_launches\.ts │/,
    );
    expect(list.stdout).toMatch(
      /│ user_events +│ @daily +│ +2 │ - +│ - +│ pipelines\/user_events\.ts +│/,
    );
  });

  it("flow run rocket_launches downloads the 5 pictures and ends with the tree and success", async () => {
    const result = await project.flow(["run", "rocket_launches"], { env: DEFAULTS });
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
    expect(normalise(result.stdout)).toContain(
      [
        "✔ download_launches  success (try 1/2, <dur>)",
        "└── ✔ get_pictures   success (<dur>)",
        "    └── ✔ notify     success (<dur>)",
      ].join("\n"),
    );
    expect(result.stdout).toMatch(/│ download_launches │ ✔ success │ 1\/2 +│/);
    expect(result.stdout.split("\n").at(-1)).toMatch(/^run manual__\S+ success in \S+: 3 success$/);
    expect(await listFiles(join(project.dir, "data/rocket_launches/images"))).toEqual([
      "apollo-11.png",
      "falcon-heavy-demo.png",
      "sputnik-1.png",
      "sts-1.png",
      "vostok-1.png",
    ]);
    expect((await project.flow(["logs", "rocket_launches", "notify"])).stdout).toBe(
      "There are now 5 images.",
    );
    const [run] = (await statusJson(project, "rocket_launches")).runs;
    expect(run!.state).toBe("success");
  });

  it("with LAUNCH_API_URL broken, download_launches fails after 2 tries and the rest is upstream_failed", async () => {
    // The task retries once after 10s: this test takes about 11 seconds.
    const result = await project.flow(["run", "rocket_launches"], {
      env: { ...DEFAULTS, LAUNCH_API_URL: "file:///nowhere.json" },
    });
    expect(result.exitCode).toBe(1);
    expect(result.stdout.split("\n").at(-1)).toMatch(
      /^run manual__\S+ failed in \S+: 1 failed, 2 upstream_failed$/,
    );
    const runs = (await statusJson(project, "rocket_launches")).runs;
    expect(runs.map((run) => run.state)).toEqual(["success", "failed"]);
    const tasks = runs[1]!.tasks;
    expect(tasks.download_launches).toMatchObject({ state: "failed", try_number: 2 });
    expect(tasks.get_pictures).toMatchObject({ state: "upstream_failed", try_number: 0 });
    expect(tasks.notify).toMatchObject({ state: "upstream_failed", try_number: 0 });

    const tree = await project.flow(["tree", "rocket_launches"]);
    expect(tree.exitCode).toBe(0);
    expect(tree.stdout).toContain("✘ download_launches  failed (try 2/2, ");
    expect(tree.stdout).toContain("└── ↑ get_pictures   upstream_failed");
    expect(tree.stdout).toContain("    └── ↑ notify     upstream_failed");

    // Every try keeps its own log: both say why the download failed.
    const last = await project.flow(["logs", "rocket_launches", "download_launches"]);
    const first = await project.flow([
      "logs",
      "rocket_launches",
      "download_launches",
      "--try",
      "1",
    ]);
    const why = /ERROR HttpError: cannot read the file \(ENOENT\): GET file:\/\/\/nowhere\.json$/m;
    expect(last.stdout).toMatch(why);
    expect(first.stdout).toMatch(why);
  });

  it("flow run user_events --date 2026-01-05 writes that day's stats CSV", async () => {
    const result = await project.flow(["run", "user_events", "--date", "2026-01-05"], {
      env: DEFAULTS,
    });
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
    expect(result.stdout.split("\n").at(-1)).toMatch(
      /^run manual__2026-01-05T00:00:00\+00:00 success in \S+: 2 success$/,
    );
    expect(await listFiles(join(project.dir, "data/user_events"))).toEqual([
      "events/2026-01-05.json",
      "stats/2026-01-05.csv",
    ]);
    // An @daily DAG's manual run processes the day holding --date: [2026-01-05, 2026-01-06).
    const [run] = (await statusJson(project, "user_events")).runs as unknown as {
      data_interval_start: string;
      data_interval_end: string;
    }[];
    expect(run).toMatchObject({
      data_interval_start: "2026-01-05T00:00:00.000Z",
      data_interval_end: "2026-01-06T00:00:00.000Z",
    });
    const csv = await readFile(join(project.dir, "data/user_events/stats/2026-01-05.csv"), "utf8");
    const [header, ...rows] = csv.trim().split("\n");
    expect(header).toMatch(/^date,user,events,first_event,last_event/);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      const [date, user, events, first, last] = row.split(",");
      expect(date, row).toBe("2026-01-05");
      expect(user).toMatch(/^user_/);
      expect(Number(events)).toBeGreaterThan(0);
      expect(first!.startsWith("2026-01-05T")).toBe(true);
      expect(last!.startsWith("2026-01-05T")).toBe(true);
    }
  });
});
