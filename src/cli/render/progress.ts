import { isWaitingForTime } from "../../core/states.js";
import { formatDuration } from "../../core/duration.js";
import type { TaskInstance } from "../../core/run.js";
import type { TaskState } from "../../core/states.js";
import { dim, stateStyle, type ColorOption } from "./colors.js";
import { formatCounts } from "./counts.js";
import { LiveBlock } from "./live-block.js";
import type { TextSink } from "./text-sink.js";
import { formatCount, formatTimestamp } from "./format.js";
import { describeOutcome, describeStart } from "./outcome.js";

/** What a run tells the terminal while it goes. `at` is when the event happened (the runner's clock). */
/** Where a try is when it is reported started: queued for a worker, or running (on `host`). */
export interface StartedWhere {
  readonly queued?: boolean;
  readonly host?: string;
}

export interface RunReporter {
  taskStarted(taskId: string, tryNumber: number, at: Date, where?: StartedWhere): void;
  /** A task ended (success, failed) or was decided without running (skipped, upstream_failed). */
  taskFinished(ti: TaskInstance, at: Date): void;
  /** A try failed and another will follow (`ti.state` is up_for_retry). */
  taskRetrying?(ti: TaskInstance, at: Date): void;
  /** Flush what is pending and stop any timer; call once, before printing the summary. */
  close(): void;
}

export interface PlainReporterOptions {
  readonly color: ColorOption;
}

/** How long a progress line may wait to be written with the ones after it (PlainReporter). */
export const PLAIN_FLUSH_MS = 50;

/**
 * Progress for a sink that is not a terminal (CI logs, a file, a pipe): one timestamped line per
 * event, nothing rewritten, so the log reads top to bottom like Airflow's task log. A line
 * that comes alone is written at once; the lines that follow it within PLAIN_FLUSH_MS go out
 * together at the end of that window (or at close(), or when the process exits): each write to
 * a pipe also wakes its reader, which cost a 1,000-task run a write and a wake-up per line.
 */
export class PlainReporter implements RunReporter {
  readonly #out: TextSink;
  readonly #color: ColorOption;
  #pending = "";
  // Open while lines written in the last PLAIN_FLUSH_MS may be followed by more.
  #timer: ReturnType<typeof setTimeout> | undefined;
  // A process that dies (an uncaught error in a function task) still writes what waits.
  readonly #atExit = (): void => this.#flush();

  constructor(out: TextSink, options: PlainReporterOptions) {
    this.#out = out;
    this.#color = options.color;
  }

  // `2026-11-24T08:42:50Z  extract  running (try 1)`, `queued (try 1)`, `running on w1 (try 1)`
  taskStarted(taskId: string, tryNumber: number, at: Date, where: StartedWhere = {}): void {
    this.#line(at, taskId, describeStart(tryNumber, this.#color, where));
  }

  // `2026-11-24T08:42:51Z  extract  success in 1.2s`; the runner may report a retry here too.
  taskFinished(ti: TaskInstance, at: Date): void {
    this.#line(at, ti.task_id, describeOutcome(ti, this.#color));
  }

  // `2026-11-24T08:42:51Z  extract  up_for_retry after 310ms (try 1/3): exit code 1, next try at ...`
  taskRetrying(ti: TaskInstance, at: Date): void {
    this.#line(at, ti.task_id, describeOutcome(ti, this.#color));
  }

  // Writes the lines still waiting, if any: the summary comes after them.
  close(): void {
    this.#flush();
  }

  #line(at: Date, taskId: string, text: string): void {
    const line = `${formatTimestamp(at)}  ${taskId}  ${text}\n`;
    if (this.#timer === undefined) {
      this.#out.write(line);
      // unref: a run that ends calls close(), which writes what waits.
      this.#timer = setTimeout(() => this.#flush(), PLAIN_FLUSH_MS).unref();
      return;
    }
    if (this.#pending === "") process.once("exit", this.#atExit);
    this.#pending += line;
  }

  #flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending === "") return;
    process.off("exit", this.#atExit);
    const text = this.#pending;
    this.#pending = "";
    this.#out.write(text);
  }
}

export interface LiveReporterOptions {
  readonly color: ColorOption;
  readonly unicode?: boolean;
  /** The clock, for the elapsed times in the live block. Default `() => new Date()`. */
  readonly now?: () => Date;
  /** Redraw period. 0 turns the timer off: the block is then drawn only by `refresh()` and `close()`. Default 100. */
  readonly intervalMs?: number;
  /** Running tasks listed in the live block; the rest are counted. Default 10. */
  readonly maxRunningRows?: number;
  /** Tasks in the run, for `12/40 done`; left out when unknown. */
  readonly total?: number;
}

interface RunningTry {
  readonly tryNumber: number;
  readonly startedAt: number;
}

/**
 * Progress for a terminal: a live block (one line per running task with its elapsed time, then a
 * counts line) redrawn in place by log-update, and a permanent line above it for each task that
 * ends. Events only update maps and queue lines; drawing happens on the timer, so thousands of
 * events per second cost one redraw per tick, not one per event.
 */
export class LiveReporter implements RunReporter {
  readonly #out: TextSink;
  readonly #color: ColorOption;
  readonly #unicode: boolean;
  readonly #now: () => Date;
  readonly #maxRows: number;
  readonly #total: number | undefined;
  readonly #startedAt: number;
  readonly #log: LiveBlock;
  readonly #timer: ReturnType<typeof setInterval> | undefined;
  // Insertion order is start order, so the longest-running tasks are the ones listed.
  readonly #running = new Map<string, RunningTry>();
  readonly #counts = new Map<TaskState, number>();
  #pending: string[] = [];
  #closed = false;

  constructor(out: TextSink, options: LiveReporterOptions) {
    this.#out = out;
    this.#color = options.color;
    this.#unicode = options.unicode ?? true;
    this.#now = options.now ?? (() => new Date());
    this.#maxRows = options.maxRunningRows ?? 10;
    this.#total = options.total;
    this.#startedAt = this.#now().getTime();
    // The cursor is left visible: hiding it would write to process.stderr, outside our sink.
    this.#log = new LiveBlock(out);
    const intervalMs = options.intervalMs ?? 100;
    this.#timer =
      intervalMs > 0 ? setInterval(() => this.refresh(), intervalMs).unref() : undefined;
  }

  // Only bookkeeping here: the line appears on the next redraw.
  taskStarted(taskId: string, tryNumber: number, at: Date): void {
    this.#running.set(taskId, { tryNumber, startedAt: at.getTime() });
  }

  // Queues the permanent line; the runner reports retries through here too, so route them.
  taskFinished(ti: TaskInstance, _at: Date): void {
    this.#running.delete(ti.task_id);
    // A retry or a sensor's next poke: the task is not done, so it is not counted yet.
    if (!isWaitingForTime(ti.state))
      this.#counts.set(ti.state, (this.#counts.get(ti.state) ?? 0) + 1);
    const style = stateStyle(ti.state, this.#color, this.#unicode);
    this.#pending.push(
      `${style.paint(style.symbol)} ${ti.task_id}  ${describeOutcome(ti, this.#color)}`,
    );
  }

  // A failed try that will be retried: a permanent line, and the task leaves the running list.
  taskRetrying(ti: TaskInstance, at: Date): void {
    this.taskFinished(ti, at);
  }

  /** Writes queued lines above the live block and redraws it; the timer calls this. */
  refresh(): void {
    if (this.#closed) return;
    this.#flushPending();
    this.#log.draw(this.#renderBlock());
  }

  /** Resolves once the live block can be drawn (log-update loads on first use). */
  get ready(): Promise<void> {
    return this.#log.ready;
  }

  // Final flush; the live block is erased, not redrawn, so the summary that follows stands alone.
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#log.clear();
    this.#flushPending();
    this.#log.done();
  }

  #flushPending(): void {
    if (this.#pending.length === 0) return;
    this.#log.clear();
    this.#out.write(`${this.#pending.join("\n")}\n`);
    this.#pending = [];
  }

  #renderBlock(): string {
    const now = this.#now().getTime();
    const lines: string[] = [];
    const style = stateStyle("running", this.#color, this.#unicode);
    for (const [taskId, run] of this.#running) {
      if (lines.length === this.#maxRows) break;
      const elapsed = formatDuration(Math.max(0, now - run.startedAt));
      lines.push(
        `${style.paint(style.symbol)} ${taskId}  ${style.paint("running")} ${elapsed} (try ${run.tryNumber})`,
      );
    }
    const more = this.#running.size - lines.length;
    if (more > 0) lines.push(dim(`… and ${formatCount(more)} more running`, this.#color));
    lines.push(this.#countsLine(now));
    return lines.join("\n");
  }

  // `3 running, 8 success, 1 failed  12/40 done  1m 05s`
  #countsLine(now: number): string {
    const counts = new Map(this.#counts);
    if (this.#running.size > 0) counts.set("running", this.#running.size);
    const parts = [formatCounts(counts, this.#color) || "starting"];
    if (this.#total !== undefined) {
      const done = [...this.#counts.values()].reduce((sum, n) => sum + n, 0);
      parts.push(`${formatCount(done)}/${formatCount(this.#total)} done`);
    }
    parts.push(dim(formatDuration(Math.max(0, now - this.#startedAt)), this.#color));
    return parts.join("  ");
  }
}
