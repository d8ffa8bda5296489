import { open, type FileHandle } from "node:fs/promises";
import type { Redis } from "ioredis";
import { LOG_CHUNK_BYTES, LOG_CHUNKS_IN_FLIGHT } from "../queue/protocol.js";
import { delay } from "../executors/process-tree.js";

/** A week: far longer than any driver takes to read a try's log. */
const STALE_STREAM_TTL_S = 7 * 86_400;

/** How often a running try's log file is read for new bytes. */
const TAIL_MS = 100;
/** How often a full stream is looked at again while the driver catches up. */
const BACKPRESSURE_MS = 50;

/**
 * The first line a delivery after the first ships: a try can start twice (at-least-once), and
 * whoever reads the try's log must see where the second start begins. `jobLost`: the driver
 * added the job again because Redis lost it, rather than BullMQ delivering it again.
 */
export function deliveryHeader(
  delivery: number,
  tryNumber: number,
  worker: string,
  jobLost = false,
): string {
  const why = jobLost
    ? "the previous delivery's job was lost from Redis and queued again"
    : "the previous delivery's worker was lost or handed the try back";
  return `flow: delivery ${delivery} of try ${tryNumber} on worker ${worker}: ${why}; the task starts over\n`;
}

/** The fields of one log entry: `d` delivery, `o` offset within the delivery's bytes, `b` bytes. */
export function logEntryFields(
  delivery: number,
  offset: number,
  bytes: Buffer,
): (string | Buffer)[] {
  return ["d", String(delivery), "o", String(offset), "b", bytes];
}

/** The fields of the end marker: every byte of the delivery was shipped, `end` of them. */
export function logEndFields(delivery: number, total: number): string[] {
  return ["d", String(delivery), "end", String(total)];
}

/**
 * Ships one delivery's log to the driver: tails the local log file while the task runs and
 * appends what it finds to the try's Redis stream in chunks of at most LOG_CHUNK_BYTES. When the
 * driver has not yet taken (trimmed) more than LOG_CHUNKS_IN_FLIGHT entries, it waits: a task
 * writing 200 MB fills the local disk, never Redis.
 */
export class LogShipper {
  private shipped = 0;
  private read = 0;
  private handle: FileHandle | undefined;
  private stopped = false;
  private tailing: Promise<void> | undefined;
  private pumping: Promise<void> = Promise.resolve();
  /** What stopped the tail loop (Redis closed under it); finish() throws it. */
  private failure: unknown;
  /** Ends the tail loop's current sleep at once. */
  private wake: (() => void) | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly delivery: number,
    private readonly file: string,
  ) {}

  /** Bytes shipped so far. */
  get total(): number {
    return this.shipped;
  }

  /** Ships text of the worker's own (a header, a refusal) as the next bytes of the log. */
  async say(text: string): Promise<void> {
    await this.send(Buffer.from(text));
  }

  /** Starts tailing the log file. */
  start(): void {
    this.tailing ??= (async () => {
      while (!this.stopped) {
        await this.pump();
        if (!this.stopped) await this.sleep();
      }
    })().catch((error: unknown) => {
      // Kept for finish(): a rejection nobody awaits yet would end the worker.
      this.failure = error;
    });
  }

  /** Stops tailing and ships what the file holds beyond what was shipped. */
  async finish(): Promise<void> {
    this.stopped = true;
    // The task has ended: no need to wait out the tail loop's sleep (it held every try's slot
    // for up to TAIL_MS more, most of a no-op try's round trip).
    this.wake?.();
    await this.tailing;
    if (this.failure !== undefined) throw this.failure;
    await this.pump();
    await this.handle?.close();
    this.handle = undefined;
  }

  /** Appends the end marker: the driver has the delivery's whole log once it reads it. */
  async end(): Promise<void> {
    await this.redis.xadd(this.key, "*", ...logEndFields(this.delivery, this.shipped));
    // The driver deletes the stream once the try is recorded; a delivery that lost its job and
    // shipped after that (a frozen worker) would leave a stream nobody reads: it expires.
    await this.redis.expire(this.key, STALE_STREAM_TTL_S);
  }

  // TAIL_MS, or less when finish() wakes it.
  private sleep(): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, TAIL_MS);
      this.wake = done;
    });
  }

  // One pump at a time: the tail loop and finish() must not read the same bytes twice.
  private pump(): Promise<void> {
    this.pumping = this.pumping.catch(() => undefined).then(() => this.drainFile());
    return this.pumping;
  }

  private async drainFile(): Promise<void> {
    if (!this.handle) {
      try {
        this.handle = await open(this.file, "r");
      } catch {
        return; // not written yet: a task that prints nothing has no file
      }
    }
    const buffer = Buffer.allocUnsafe(LOG_CHUNK_BYTES);
    for (;;) {
      const { bytesRead } = await this.handle.read(buffer, 0, LOG_CHUNK_BYTES, this.read);
      if (bytesRead === 0) return;
      this.read += bytesRead;
      await this.send(Buffer.from(buffer.subarray(0, bytesRead)));
    }
  }

  private async send(bytes: Buffer): Promise<void> {
    for (let at = 0; at < bytes.length; at += LOG_CHUNK_BYTES) {
      const chunk = bytes.subarray(at, at + LOG_CHUNK_BYTES);
      while ((await this.redis.xlen(this.key)) >= LOG_CHUNKS_IN_FLIGHT)
        await delay(BACKPRESSURE_MS);
      await this.redis.xadd(this.key, "*", ...logEntryFields(this.delivery, this.shipped, chunk));
      this.shipped += chunk.length;
    }
  }
}
