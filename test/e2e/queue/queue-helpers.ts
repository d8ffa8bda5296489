import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { startRedis, type TestRedis } from "../redis-server.js";
import { makeProject, type Project } from "../harness.js";
import { startWorker, until, type RunningWorker } from "../../integration/worker/helpers.js";

export { until, type RunningWorker };

/** A project, its own redis-server and the workers a test starts; all stopped by `cleanup`. */
export interface QueueSetup {
  readonly project: Project;
  readonly redis: TestRedis;
  /** The flags that put a driver command on this Redis. */
  readonly queueArgs: string[];
  worker(args?: string[], on?: Project): Promise<RunningWorker>;
  cleanup(): Promise<void>;
}

export async function queueSetup(
  files: Record<string, string>,
  options: { persist?: boolean } = {},
): Promise<QueueSetup> {
  const redis = await startRedis(options);
  const project = await makeProject(files);
  const workers: RunningWorker[] = [];
  return {
    project,
    redis,
    queueArgs: ["--executor", "queue", "--redis", redis.url],
    async worker(args = [], on = project) {
      const started = await startWorker(on, redis.url, args);
      workers.push(started);
      return started;
    },
    async cleanup() {
      for (const worker of workers.splice(0)) {
        try {
          process.kill(worker.pid, "SIGCONT");
          process.kill(worker.pid, "SIGKILL");
        } catch {
          // gone already
        }
        await worker.process;
      }
      await redis.cleanup();
      await project.cleanup();
    },
  };
}

/** The run's only stored state file, parsed. */
export async function storedRun(project: Project, dagId: string): Promise<StoredRun> {
  const { readdir } = await import("node:fs/promises");
  const dir = join(project.stateDir, "runs", dagId);
  const files = (await readdir(dir)).filter((name) => name.endsWith(".json"));
  if (files.length !== 1) throw new Error(`expected one run of ${dagId}, found ${files.length}`);
  return JSON.parse(await readFile(join(dir, files[0]!), "utf8")).run as StoredRun;
}

export interface StoredRun {
  readonly run_id: string;
  readonly state: string;
  readonly tasks: Record<
    string,
    {
      state: string;
      try_number: number;
      reason: string | null;
      log_path: string | null;
      job_id?: string;
      hostname?: string;
      result?: unknown;
    }
  >;
}
