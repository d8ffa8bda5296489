import { formatDuration } from "../../core/duration.js";
import type { DagRun } from "../../core/run.js";
import { dim, paint, type ColorOption } from "./colors.js";
import { elapsedMs, formatCount, formatTimestamp } from "./format.js";
import { LiveBlock } from "./live-block.js";
import type { TextSink } from "./text-sink.js";

/** Where a backfill stands, for the progress bar. */
export interface BackfillTally {
  /** Runs the backfill executes (skipped ones are not counted). */
  readonly total: number;
  /** Runs that ended (success or failed). */
  readonly done: number;
  readonly failed: number;
  readonly running: number;
  readonly elapsedMs: number;
}

/**
 * `[██████░░░░░░░░░░░░░░] 3/10 runs  1 failed  2 running  12.0s elapsed  ~28.0s left`. The estimate
 * assumes the remaining runs take as long as the finished ones did (with the same concurrency);
 * it is left out until a run has finished.
 */
export function formatBackfillBar(
  tally: BackfillTally,
  options: { readonly color: ColorOption; readonly width?: number; readonly unicode?: boolean },
): string {
  const width = options.width ?? 20;
  const ratio = tally.total === 0 ? 1 : Math.min(1, tally.done / tally.total);
  const filled = Math.round(ratio * width);
  const [full, empty] = options.unicode === false ? ["#", "-"] : ["█", "░"];
  const parts = [
    `[${full.repeat(filled)}${empty.repeat(width - filled)}] ${formatCount(tally.done)}/${formatCount(tally.total)} runs`,
  ];
  if (tally.failed > 0)
    parts.push(paint(`${formatCount(tally.failed)} failed`, "failed", options.color));
  if (tally.running > 0) parts.push(`${formatCount(tally.running)} running`);
  parts.push(dim(`${formatDuration(tally.elapsedMs)} elapsed`, options.color));
  const left = tally.total - tally.done;
  if (tally.done > 0 && left > 0) {
    const estimate = Math.round((tally.elapsedMs / tally.done) * left);
    parts.push(dim(`~${formatDuration(estimate)} left`, options.color));
  }
  return parts.join("  ");
}

/** `backfill__2026-01-01T00:00:00+00:00  success in 1.2s  (3/10)`: one finished run. */
export function formatRunDone(
  run: DagRun,
  done: number,
  total: number,
  color: ColorOption,
): string {
  const ms = elapsedMs(run.start, run.end);
  const state =
    run.state === "queued"
      ? "interrupted (queued, resumes next time)"
      : paint(run.state, run.state, color);
  const took = ms === null || run.state === "queued" ? "" : ` in ${formatDuration(ms)}`;
  return `${run.run_id}  ${state}${took}  (${formatCount(done)}/${formatCount(total)})`;
}

/** What the backfill command shows while runs execute. */
export interface BackfillProgress {
  runStarted(at: Date): void;
  runFinished(run: DagRun, at: Date): void;
  /** Stop redrawing and leave the terminal clean for the summary; call once. */
  close(): void;
}

interface ProgressOptions {
  readonly total: number;
  readonly color: ColorOption;
  /** The clock for elapsed times. Default `() => new Date()`. */
  readonly now?: () => Date;
}

// Counts shared by both displays.
class Tally {
  done = 0;
  failed = 0;
  running = 0;
  readonly startedAt: number;
  constructor(
    readonly total: number,
    now: Date,
  ) {
    this.startedAt = now.getTime();
  }
  started(): void {
    this.running++;
  }
  finished(run: DagRun): void {
    this.running = Math.max(0, this.running - 1);
    if (run.state === "queued") return; // interrupted: not done
    this.done++;
    if (run.state === "failed") this.failed++;
  }
  at(now: Date): BackfillTally {
    const { total, done, failed, running } = this;
    return { total, done, failed, running, elapsedMs: Math.max(0, now.getTime() - this.startedAt) };
  }
}

/** Not a terminal (CI, a file, a pipe): one timestamped line per finished run. */
export class PlainBackfillProgress implements BackfillProgress {
  readonly #out: TextSink;
  readonly #color: ColorOption;
  readonly #tally: Tally;

  constructor(out: TextSink, options: ProgressOptions) {
    this.#out = out;
    this.#color = options.color;
    this.#tally = new Tally(options.total, (options.now ?? (() => new Date()))());
  }

  runStarted(): void {
    this.#tally.started();
  }

  runFinished(run: DagRun, at: Date): void {
    this.#tally.finished(run);
    const line = formatRunDone(run, this.#tally.done, this.#tally.total, this.#color);
    this.#out.write(`${formatTimestamp(at)}  ${line}\n`);
  }

  close(): void {}
}

/**
 * A terminal: the progress bar redrawn in place (log-update, on a timer, so many short runs cost
 * one redraw per tick), with a permanent line above it for each run that failed or was
 * interrupted. Successful runs only move the bar: a year of daily runs stays readable.
 * A small renderer rather than cli-progress: log-update is already what `flow run` draws with,
 * and the bar is one formatted line.
 */
export class LiveBackfillProgress implements BackfillProgress {
  readonly #out: TextSink;
  readonly #color: ColorOption;
  readonly #now: () => Date;
  readonly #tally: Tally;
  readonly #log: LiveBlock;
  readonly #timer: ReturnType<typeof setInterval> | undefined;
  #pending: string[] = [];
  #closed = false;

  constructor(out: TextSink, options: ProgressOptions & { readonly intervalMs?: number }) {
    this.#out = out;
    this.#color = options.color;
    this.#now = options.now ?? (() => new Date());
    this.#tally = new Tally(options.total, this.#now());
    this.#log = new LiveBlock(out);
    const intervalMs = options.intervalMs ?? 200;
    this.#timer =
      intervalMs > 0 ? setInterval(() => this.refresh(), intervalMs).unref() : undefined;
  }

  runStarted(): void {
    this.#tally.started();
  }

  runFinished(run: DagRun): void {
    this.#tally.finished(run);
    if (run.state !== "success")
      this.#pending.push(formatRunDone(run, this.#tally.done, this.#tally.total, this.#color));
  }

  /** Writes pending lines above the bar and redraws it; the timer calls this. */
  refresh(): void {
    if (this.#closed) return;
    this.#flushPending();
    this.#log.draw(this.#bar());
  }

  /** Resolves once the bar can be drawn (log-update loads on first use). */
  get ready(): Promise<void> {
    return this.#log.ready;
  }

  // The final bar stays on screen: it is the last word on how far the backfill got (written
  // as a plain line when the backfill ended before log-update had loaded).
  close(): void {
    if (this.#closed) return;
    this.#flushPending();
    if (!this.#log.draw(this.#bar())) this.#out.write(`${this.#bar()}\n`);
    this.#closed = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#log.done();
  }

  #bar(): string {
    const width = Math.max(10, Math.min(30, (this.#out.columns || 80) - 60));
    return formatBackfillBar(this.#tally.at(this.#now()), { color: this.#color, width });
  }

  #flushPending(): void {
    if (this.#pending.length === 0) return;
    this.#log.clear();
    this.#out.write(`${this.#pending.join("\n")}\n`);
    this.#pending = [];
  }
}

/** The progress display for `out`: the live bar on a terminal, plain lines otherwise. */
export function makeBackfillProgress(
  out: TextSink,
  options: ProgressOptions & { readonly live: boolean },
): BackfillProgress {
  const { live, ...rest } = options;
  return live ? new LiveBackfillProgress(out, rest) : new PlainBackfillProgress(out, rest);
}
