import { appendFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { JournalPoll } from "../../../src/ui/server/journal-poll.js";

// The fallback of live updates: a journal append is seen by polling sizes and mtimes, even when
// no file-system event arrives. Real files, a short interval.
let dir: string | undefined;
let poll: JournalPoll | undefined;
afterEach(async () => {
  poll?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("JournalPoll", () => {
  it("reports a tracked run once when polled, then on each append, and never after untrack", async () => {
    dir = await mkdtemp(join(tmpdir(), "flow-poll-"));
    const runs = join(dir, "runs", "etl");
    await mkdir(runs, { recursive: true });
    await writeFile(join(runs, "r1.json"), "{}");
    const seen: string[] = [];
    poll = new JournalPoll(dir, (dagId, runId) => seen.push(`${dagId}/${runId}`), 20);
    poll.track("etl", "r1");
    const until = async (count: number): Promise<void> => {
      for (let i = 0; i < 100 && seen.length < count; i++)
        await new Promise((resolve) => setTimeout(resolve, 10));
    };
    await until(1);
    expect(seen).toEqual(["etl/r1"]);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(seen).toEqual(["etl/r1"]); // nothing changed: nothing reported
    await appendFile(join(runs, "r1.journal"), '{"seq":1}\n');
    await until(2);
    expect(seen).toEqual(["etl/r1", "etl/r1"]);
    poll.untrack("etl", "r1");
    await appendFile(join(runs, "r1.journal"), '{"seq":2}\n');
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(seen).toHaveLength(2);
  });
});
