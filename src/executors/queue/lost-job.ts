import type { Redis } from "ioredis";
import { MAX_STARTS, REGISTRY_REWRITE_MS, type WorkerEntry } from "../../queue/protocol.js";
import { listWorkers } from "../../queue/worker-list.js";
import type { Flight } from "./flight.js";
import { addTryJob, buildJobData } from "./job-data.js";
import type { QueueLine } from "./named-queues.js";
import type { QueueSettings } from "./settings.js";

/** What the driver does next about a try whose job is gone from Redis. */
export type LostJobStep =
  | { readonly kind: "wait" }
  | { readonly kind: "add"; readonly startsBefore: number }
  | { readonly kind: "fail"; readonly error: string };

/**
 * The next step for a try whose job is gone from Redis (restarted without its data, or flushed).
 * The job's lock and the workers' registry went with it, yet a worker may still run the try: it
 * stops a delivery whose job is gone (src/worker/lost-jobs.ts), and lists it as running until
 * it has. Adding the job while that delivery runs would start the try beside it, so the job is
 * added again only once no worker lists the try, and not before every live worker has written
 * its registry entry again. A try started MAX_STARTS times already fails instead.
 * - `lostForMs`: how long ago the driver first found the job gone;
 * - `running`: the deliveries of the try that workers list as running now;
 * - `starts`: the latest delivery known to have started (its progress, log or listing), 0 for none.
 */
export function lostJobStep(
  lostForMs: number,
  running: readonly number[],
  starts: number,
): LostJobStep {
  if (running.length > 0 || lostForMs < REGISTRY_REWRITE_MS) return { kind: "wait" };
  if (starts >= MAX_STARTS)
    return {
      kind: "fail",
      error: `its job was lost from Redis (restarted without its data?) after the try had started ${starts} times, and a try starts at most ${MAX_STARTS} times`,
    };
  return { kind: "add", startsBefore: starts };
}

/** How long one read of a queue's registry serves every try checked meanwhile. */
const REGISTRY_READ_MS = 500;

/** A queue's registry as read when the read began, `at`. */
interface RegistryRead {
  readonly at: number;
  readonly entries: readonly WorkerEntry[];
}

/** The driver's side of a job lost from Redis: it waits, adds the job again, or fails the try. */
export class LostJobs {
  private readonly reads = new Map<string, { at: number; read: Promise<RegistryRead> }>();

  constructor(
    private readonly redis: Redis,
    private readonly settings: QueueSettings,
  ) {}

  /** One check of a try whose job the driver found gone; throws when Redis is away. */
  async check(flight: Flight): Promise<void> {
    const lostSince = (flight.lostSince ??= Date.now());
    const registry = await this.registry(flight.line);
    const running = registry.entries
      .flatMap((worker) => worker.running)
      .filter((item) => item.jobId === flight.jobId)
      .map((item) => item.delivery);
    // Read after the registry: a stopped delivery's last line (shipped before its worker stopped
    // listing it) is in the log, and counts as a start, before the driver's note.
    await flight.log.pull();
    flight.starts = Math.max(flight.starts, flight.log.lastDelivery, ...running);
    // Counted to when the registry was read: what it says is as old as that.
    const step = lostJobStep(registry.at - lostSince, running, flight.starts);
    if (step.kind === "wait" || flight.settling) return;
    if (step.kind === "fail")
      return flight.settle({ status: "failed", error: step.error, retryable: true });
    const built = buildJobData(flight.execution, flight.kind, this.settings, Infinity);
    if ("outcome" in built) return flight.settle(built.outcome);
    await flight.log.note(
      `the job of this try was gone from Redis (restarted without its data?) and no worker runs the try; queued it again`,
    );
    const data = { ...built.data, startsBefore: step.startsBefore };
    await addTryJob(flight.line, flight.jobId, flight.execution, data);
    flight.lostSince = undefined;
  }

  // The queue's registry, read at most once per REGISTRY_READ_MS (a failed read fails as many).
  private registry(line: QueueLine): Promise<RegistryRead> {
    const at = Date.now();
    const last = this.reads.get(line.name);
    if (last && at - last.at < REGISTRY_READ_MS) return last.read;
    const read = listWorkers(this.redis, line.keys.workerPattern).then((entries) => ({
      at,
      entries,
    }));
    read.catch(() => undefined); // each caller handles it; none may leave it unhandled
    this.reads.set(line.name, { at, read });
    return read;
  }
}
