// The benchmark suite in quick mode (tiny workloads, one repetition), so that `npm run bench`
// never rots: every workload must run through the built binary and produce its figures.
import { execa } from "execa";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import type { WorkloadResult } from "../../bench/lib/report.js";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
let scratch: string | undefined;
afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe("npm run bench --quick", () => {
  it(
    "runs every workload and prints a table with a verdict per target",
    { timeout: 90_000 },
    async () => {
      scratch = await mkdtemp(join(tmpdir(), "flow-bench-smoke-"));
      const json = join(scratch, "results.json");
      const result = await execa(
        process.execPath,
        ["--import", "tsx", "bench/run.ts", "--quick", "--json", json],
        { cwd: repo, reject: false, env: { BENCH_QUICK: "1" } },
      );
      expect(result.stderr).not.toContain("error:");
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toContain("| workload");

      const { results } = JSON.parse(await readFile(json, "utf8")) as { results: WorkloadResult[] };
      expect(results.map((r) => r.id)).toEqual([
        "W1",
        "W2",
        "W3",
        "W4",
        "W5",
        "W6",
        "W7",
        "W8",
        "W9",
        "W10",
        "W11",
      ]);
      // W1-W3 measure flow's own floor beside it, where a C compiler built the native spawner.
      const spawner = join(
        repo,
        "dist",
        "native",
        `flow-spawner-${process.platform}-${process.arch}`,
      );
      for (const id of existsSync(spawner) ? ["W1", "W2", "W3"] : []) {
        const rows = results.find((r) => r.id === id)!.rows;
        const floor = rows.find((row) => row.measure.startsWith("spawner floor"));
        expect(Number.isFinite(floor?.value), `${id} spawner floor`).toBe(true);
      }
      for (const workload of results) {
        const available = !workload.notes.some((note) => note.startsWith("not available"));
        if (!available) continue;
        expect(workload.rows.length, workload.id).toBeGreaterThan(0);
        expect(
          workload.rows.some((row) => row.verdict),
          `${workload.id} has a target`,
        ).toBe(true);
        // CPU time comes from /proc in 10 ms ticks: a quick run's server may use less than one.
        // "Start-up excluded" is a difference of two single runs (a quick run's few tasks, one
        // task): on a busy machine it may come out below zero, so it need only be a number.
        const flowRows = workload.rows.filter(
          (row) => row.measure.includes("flow") && !row.measure.includes("CPU time"),
        );
        for (const row of flowRows) {
          const what = `${workload.id} ${row.measure}`;
          if (row.measure.includes("start-up excluded"))
            expect(Number.isFinite(row.value), what).toBe(true);
          else expect(row.value, what).toBeGreaterThan(0);
        }
      }
    },
  );
});
