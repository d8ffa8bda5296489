import { Command } from "commander";
import {
  ALL_WORKERS_PATTERN,
  DEFAULT_REDIS_URL,
  queueKeys,
  type WorkerEntry,
} from "../../queue/protocol.js";
import { describeRedisUrl } from "../../queue/redis.js";
import type { CliContext } from "../context.js";
import { makeTable } from "../render/table.js";
import { queueName } from "./worker.js";

interface WorkersOptions {
  queue?: string;
  redis?: string;
  json?: boolean;
}

/** `flow workers`: the live workers, as their registry entries say (each renewed every 5 s). */
export function makeWorkersCommand(context: CliContext): Command {
  return new Command("workers")
    .description("list the live workers: host, pid, queue, concurrency, running tries, heartbeat")
    .option("--queue <name>", "only the workers of this queue (default: every queue)")
    .option("--redis <url>", `Redis to ask (default: FLOW_REDIS_URL or ${DEFAULT_REDIS_URL})`)
    .option("--json", "print JSON: {workers: [...]}")
    .addHelpText(
      "after",
      `
A worker that stops cleanly leaves the list at once; one that was killed leaves it when its
entry expires (15 s without a heartbeat).

Examples:
  flow workers
  flow workers --queue default --json | jq '.workers[].running'`,
    )
    .action(async (options: WorkersOptions) => {
      const url = options.redis ?? (context.env.FLOW_REDIS_URL || DEFAULT_REDIS_URL);
      const pattern =
        options.queue === undefined
          ? ALL_WORKERS_PATTERN
          : queueKeys(queueName(options.queue)).workerPattern;
      const [{ connectRedis }, { listWorkers }] = await Promise.all([
        import("../../queue/redis.js"),
        import("../../worker/registry.js"),
      ]);
      const redis = await connectRedis(url, { name: "flow-workers" });
      let workers: WorkerEntry[];
      try {
        workers = await listWorkers(redis, pattern);
      } finally {
        redis.disconnect();
      }
      const now = new Date();
      if (options.json) {
        context.stdout.write(`${JSON.stringify(toWorkersJson(workers, now), null, 2)}\n`);
        return;
      }
      if (workers.length === 0) {
        const where = options.queue === undefined ? "" : ` on queue "${options.queue}"`;
        context.stdout.write(
          `no live workers${where} at ${describeRedisUrl(url)}\n` +
            "start one with: flow worker --redis <url> (on each machine that has the pipelines folder)\n",
        );
        return;
      }
      const table = makeTable(["worker", "queue", "concurrency", "running tries", "heartbeat"], {
        color: context.color,
      });
      for (const row of workerRows(workers, now)) table.push([...row]);
      context.stdout.write(`${table.toString()}\n`);
    });
}

/** One table row per worker: `host:pid`, queue, concurrency, its running tries one per line, heartbeat age. */
export function workerRows(workers: readonly WorkerEntry[], now: Date): string[][] {
  return workers.map((worker) => [
    `${worker.host}:${worker.pid}`,
    worker.queue,
    String(worker.concurrency),
    worker.running.length === 0
      ? "-"
      : worker.running
          .map((item) => `${item.dagId}.${item.taskId} ${item.runId} try ${item.tryNumber}`)
          .join("\n"),
    `${ageSeconds(worker.heartbeat, now)}s ago`,
  ]);
}

/** The `--json` contract: the registry entries in snake_case, with the heartbeat's age. */
export function toWorkersJson(workers: readonly WorkerEntry[], now: Date) {
  return {
    workers: workers.map((worker) => ({
      host: worker.host,
      pid: worker.pid,
      queue: worker.queue,
      concurrency: worker.concurrency,
      pipelines_dir: worker.pipelinesDir,
      started_at: worker.startedAt,
      heartbeat: worker.heartbeat,
      heartbeat_age_s: ageSeconds(worker.heartbeat, now),
      running: worker.running.map((item) => ({
        job_id: item.jobId,
        dag_id: item.dagId,
        task_id: item.taskId,
        run_id: item.runId,
        try_number: item.tryNumber,
        since: item.since,
      })),
    })),
  };
}

function ageSeconds(at: string, now: Date): number {
  return Math.max(0, Math.round((now.getTime() - new Date(at).getTime()) / 1000));
}
