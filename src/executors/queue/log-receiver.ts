import { appendFileSync, closeSync, mkdirSync, openSync, readSync, statSync } from "node:fs";
import { dirname } from "node:path";
import type { Redis } from "ioredis";

/** Entries read from a try's log stream per round trip. */
const BATCH = 64;

/** What a log entry says once its fields are read. */
type Entry =
  | { readonly delivery: number; readonly offset: number; readonly bytes: Buffer }
  | { readonly delivery: number; readonly end: number };

/**
 * Appends the log a worker streams back (see src/queue/protocol.ts) to the try's log file, in
 * order, exactly once: entries carry the delivery and the byte offset within it, the file's size
 * says what is written, and `<delivery>:<start>` kept in Redis says where the current delivery
 * began in the file. So a driver restarted between appending and trimming skips what it wrote,
 * and a stale delivery (a worker that lost the job but went on) adds nothing.
 */
export class LogReceiver {
  private cursor = "-";
  private delivery = 1;
  private base = 0;
  private size = 0;
  private ready: Promise<void> | undefined;
  private pulling: Promise<void> = Promise.resolve();
  private endsWithNewline = true;
  /** The end marker of the current delivery, once read: its total bytes. */
  private endBytes: number | undefined;
  /** The latest delivery whose log began (0: none yet, as far as the file and stream say). */
  private begun = 0;

  constructor(
    private readonly redis: Redis,
    private readonly file: string,
    private readonly streamKey: string,
    private readonly baseKey: string,
  ) {}

  /**
   * Reads what has arrived and appends it; resolves once it is written and trimmed. Pulls run
   * one at a time (the checks, the events and the final drain all pull).
   */
  pull(): Promise<void> {
    const next = this.pulling.then(() => this.pullNow());
    this.pulling = next.catch(() => {});
    return next;
  }

  private async pullNow(): Promise<void> {
    await this.initOnce();
    for (;;) {
      const start = this.cursor === "-" ? "-" : `(${this.cursor}`;
      const raw = await this.redis.xrangeBuffer(this.streamKey, start, "+", "COUNT", BATCH);
      if (raw.length === 0) return;
      const ids: string[] = [];
      for (const [id, fields] of raw) {
        ids.push(id.toString());
        await this.take(parseEntry(fields));
      }
      this.cursor = ids[ids.length - 1]!;
      await this.redis.xdel(this.streamKey, ...ids);
      if (raw.length < BATCH) return;
    }
  }

  /** The latest delivery of the try whose log has begun: 0 when no delivery's has yet. */
  get lastDelivery(): number {
    return this.begun;
  }

  /**
   * Pulls until the end marker of `delivery` has arrived, or until nothing new came for
   * `quietMs`; returns how many of `bytes` (the total the worker says it sent) are missing.
   */
  async drain(delivery: number, bytes: number, quietMs: number): Promise<number> {
    let lastSize = -1;
    let quietSince = Date.now();
    for (;;) {
      await this.pull();
      if (this.delivery === delivery && this.endBytes !== undefined) {
        if (this.size === 0) this.append(Buffer.alloc(0)); // the try ran and printed nothing
        return 0;
      }
      if (this.size !== lastSize) [lastSize, quietSince] = [this.size, Date.now()];
      else if (Date.now() - quietSince > quietMs) {
        const written = this.delivery === delivery ? this.size - this.base : 0;
        return Math.max(0, bytes - written);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /**
   * Appends a line of flow's own to the try's log (how the queue handled the try). It is not
   * part of a delivery's bytes: the current delivery's bytes go on after it.
   */
  async note(line: string): Promise<void> {
    await this.initOnce();
    const bytes = Buffer.from(`flow: ${line}\n`);
    this.append(bytes);
    this.base += bytes.length;
    await this.saveBase();
  }

  // init() once it has succeeded (Redis may be away at first).
  private initOnce(): Promise<void> {
    this.ready ??= this.init().catch((error: unknown) => {
      this.ready = undefined;
      throw error;
    });
    return this.ready;
  }

  private saveBase(): Promise<unknown> {
    return this.redis.set(this.baseKey, `${this.delivery}:${this.base}`, "EX", 7 * 86_400);
  }

  private async init(): Promise<void> {
    this.size = 0;
    try {
      this.size = statSync(this.file).size;
      if (this.size > 0) this.endsWithNewline = lastByte(this.file, this.size) === 0x0a;
    } catch {
      // no file yet
    }
    const stored = await this.redis.get(this.baseKey);
    const match = stored ? /^(\d+):(\d+)$/.exec(stored) : null;
    // Without one, the first delivery starts the file.
    if (match) [this.delivery, this.base] = [Number(match[1]), Number(match[2])];
    // A file with bytes and no stored base: Redis lost the base, a delivery had begun.
    if (match || this.size > 0) this.begun = this.delivery;
  }

  private async take(entry: Entry | undefined): Promise<void> {
    if (!entry || entry.delivery < this.delivery) return; // malformed, or a stale delivery's
    this.begun = Math.max(this.begun, entry.delivery);
    if (entry.delivery > this.delivery) {
      // The previous delivery may have stopped mid-line: the new one starts on a line of its own.
      if (this.size > 0 && !this.endsWithNewline) this.append(Buffer.from("\n"));
      [this.delivery, this.base, this.endBytes] = [entry.delivery, this.size, undefined];
      await this.saveBase();
    }
    if ("end" in entry) {
      this.endBytes = entry.end;
      return;
    }
    const written = this.size - this.base;
    if (entry.offset + entry.bytes.length <= written) return; // written before a restart
    if (entry.offset > written) await this.skipLost(entry.offset - written, entry.offset);
    this.append(entry.bytes.subarray(Math.max(0, written - entry.offset)));
  }

  // Entries before this one's `offset` never arrived: Redis lost them (restarted without its
  // data) before they were read. Says so in the log, and goes on from `offset`.
  private async skipLost(bytes: number, offset: number): Promise<void> {
    if (this.size > 0 && !this.endsWithNewline) this.append(Buffer.from("\n"));
    this.append(Buffer.from(`flow: ${bytes} bytes of this try's log were lost in Redis\n`));
    this.base = this.size - offset;
    await this.saveBase();
  }

  private append(bytes: Buffer): void {
    if (this.size === 0) mkdirSync(dirname(this.file), { recursive: true });
    appendFileSync(this.file, bytes);
    this.size += bytes.length;
    if (bytes.length > 0) this.endsWithNewline = bytes[bytes.length - 1] === 0x0a;
  }
}

function lastByte(file: string, size: number): number {
  const fd = openSync(file, "r");
  try {
    const byte = Buffer.alloc(1);
    readSync(fd, byte, 0, 1, size - 1);
    return byte[0]!;
  } finally {
    closeSync(fd);
  }
}

function parseEntry(fields: Buffer[]): Entry | undefined {
  const map = new Map<string, Buffer>();
  for (let i = 0; i + 1 < fields.length; i += 2) map.set(fields[i]!.toString(), fields[i + 1]!);
  const delivery = Number(map.get("d")?.toString());
  if (!Number.isInteger(delivery) || delivery < 1) return undefined;
  const end = map.get("end");
  if (end !== undefined) return { delivery, end: Number(end.toString()) };
  const offset = Number(map.get("o")?.toString());
  const bytes = map.get("b");
  if (!Number.isInteger(offset) || bytes === undefined) return undefined;
  return { delivery, offset, bytes };
}
