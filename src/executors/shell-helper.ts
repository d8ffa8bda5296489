import { spawn, type ChildProcess } from "node:child_process";
import type { Readable, Writable } from "node:stream";
import { withoutSecretVariables } from "../connections/secret-variables.js";
import { listGroup, terminateProcesses } from "./process-tree.js";

/** What the helper reports about one background job. */
export interface ShellJob {
  /** The job's wrapper shell has been forked; `pid` lives exactly as long as the job. */
  onStart(pid: number): void;
  /** The job's command ended with this sh exit status. */
  onEnd(status: number): void;
  /** The helper died (or was closed) before the job reported its end. */
  onLost(reason: string): void;
  /**
   * The native spawner dropped a job that was to start after another (buildNativeRecord's
   * `after`): it never started. Cancelled, or what it followed did not exit 0.
   */
  onNotStarted?(): void;
}

export interface ShellHelperOptions {
  /**
   * The helper: a POSIX shell that forks jobs (`sh -s`; dash forks far faster than bash), or the
   * native spawner (bash-spawner.ts), which speaks the same `S`/`E` lines.
   */
  readonly program: { readonly file: string; readonly args: readonly string[] };
  /** Written to the helper's stdin before any job (the sh helper's traps). */
  readonly prelude?: string;
  /** How long processes get between SIGTERM and SIGKILL. */
  readonly graceMs: number;
  /**
   * The helper stops every process of its group itself when its stdin closes, and exits once
   * they are gone (the native spawner, a subreaper): close() then needs no scan of the process
   * table.
   */
  readonly stopsGroupOnEof?: boolean;
}

interface Session {
  readonly child: ChildProcess;
  readonly stdin: Writable;
  readonly stdout: Readable;
  readonly jobs: Map<number, ShellJob>;
  /** Jobs whose S line has arrived. */
  readonly started: Set<number>;
  /** E lines that arrived before their S line. */
  readonly earlyEnds: Map<number, number>;
  readonly closed: Promise<void>;
  partial: string;
  closing: boolean;
  corked: boolean;
  spawnError?: string;
}

/**
 * One long-lived helper that starts a job per record written to its stdin and reports
 * `S <id> <pid>` and `E <id> <status>` lines on stdout: `sh -s` forking a background job per
 * snippet (shShellHelper), or the native spawner. Measured on two cores, this starts tasks
 * faster than a Node spawn per task: Node's spawn is the slow part, dash's fork is cheap.
 *
 * The helper leads its own process group (detached), so terminal signals meant for flow don't hit
 * tasks, and tasks can be found and killed as a group. When flow dies, even by SIGKILL, the helper
 * reads EOF and its EXIT trap kills the group.
 */
export class ShellHelper {
  private session: Session | undefined;
  private nextId = 1;

  constructor(private readonly options: ShellHelperOptions) {}

  /**
   * Starts a job: `encode` turns the job's id into the helper's record for it. Returns the id.
   * `now`: the record goes out at once (a job that follows another must reach the spawner
   * before that one ends), with whatever this turn wrote before it.
   */
  run(encode: (id: number) => string, job: ShellJob, now = false): number {
    const session = (this.session ??= this.spawn());
    const id = this.nextId++;
    if (session.jobs.size === 0) this.hold(session, true);
    session.jobs.set(id, job);
    if (now) {
      this.uncork(session);
      session.stdin.write(encode(id));
      return id;
    }
    // The jobs started in one turn of the event loop (the tasks a finished one made ready) go
    // out in one write: each write to the pipe also wakes the helper.
    if (!session.corked) {
      session.corked = true;
      session.stdin.cork();
      process.nextTick(() => this.uncork(session));
    }
    session.stdin.write(encode(id));
    return id;
  }

  /**
   * Drops job `id` if it waits to follow another (native spawner): its onNotStarted follows. One
   * that has started runs on (the caller stops it as any job).
   */
  cancel(id: number): void {
    const session = this.session;
    if (!session?.jobs.has(id)) return;
    this.uncork(session); // before the caller stops what it follows
    session.stdin.write(`${id}\0c\0`);
  }

  // Writes what this turn corked now; the turn's pending uncork then finds nothing to do.
  private uncork(session: Session): void {
    if (!session.corked) return;
    session.corked = false;
    session.stdin.uncork();
  }

  /** Stops every process of the helper's group (SIGTERM, grace, SIGKILL), then the helper. */
  async close(): Promise<void> {
    const session = this.session;
    if (!session) return;
    this.session = undefined;
    session.closing = true;
    // Waiting for the helper's exit must keep the event loop alive, even when it was idle.
    this.hold(session, true);
    const pgid = session.child.pid;
    if (pgid !== undefined && this.options.stopsGroupOnEof) {
      session.stdin.end();
      // Should the helper hang, the group goes as it would without a grace period.
      const timer = setTimeout(() => killGroup(pgid), this.options.graceMs + 2000);
      await session.closed;
      clearTimeout(timer);
      return;
    }
    if (pgid !== undefined) {
      await terminateProcesses(
        listGroup(pgid).filter((info) => info.pid !== pgid),
        this.options.graceMs,
      );
      killGroup(pgid);
    }
    await session.closed;
  }

  private spawn(): Session {
    const { program, prelude } = this.options;
    // Every bash task inherits the helper's environment (both helpers): strip secrets here, once.
    const child = spawn(program.file, program.args, {
      env: withoutSecretVariables(process.env),
      detached: true,
      stdio: ["pipe", "pipe", "ignore"],
    });
    const stdin = child.stdin!;
    const stdout = child.stdout!;
    const closed = new Promise<void>((resolve) => child.once("close", () => resolve()));
    const session: Session = {
      child,
      stdin,
      stdout,
      jobs: new Map(),
      started: new Set(),
      earlyEnds: new Map(),
      closed,
      partial: "",
      closing: false,
      corked: false,
    };
    stdout.setEncoding("utf8");
    stdout.on("data", (chunk: string) => this.receive(session, chunk));
    // EPIPE after the helper died: the close handler below reports the jobs as lost.
    stdin.on("error", () => {});
    child.on("error", (error) => (session.spawnError ??= error.message));
    child.once("close", () => this.lose(session));
    if (prelude) stdin.write(prelude);
    return session;
  }

  // Lines may arrive split across chunks; each report line is short, so the pipe keeps it whole.
  // A quick job's wrapper can print its E line before the helper prints S (the helper writes S
  // only after the fork returns), so an early end waits for its start: callers always see
  // onStart, then onEnd.
  // Once close() began, jobs end as lost ("executor closed"), whatever the helper still reports
  // of tasks being stopped (the native spawner reports them killed; sh's wrappers die silently).
  private receive(session: Session, chunk: string): void {
    if (session.closing) return;
    const lines = (session.partial + chunk).split("\n");
    session.partial = lines.pop() ?? "";
    for (const line of lines) {
      const [kind, idText, valueText] = line.split(" ");
      const id = Number(idText);
      const value = Number(valueText);
      const job = session.jobs.get(id);
      if (!job) continue;
      if (kind === "S") {
        session.started.add(id);
        job.onStart(value);
        const early = session.earlyEnds.get(id);
        if (early !== undefined) this.end(session, id, job, early);
      } else if (kind === "E") {
        if (session.started.has(id)) this.end(session, id, job, value);
        else session.earlyEnds.set(id, value);
      } else if (kind === "C") {
        this.forget(session, id);
        if (job.onNotStarted) job.onNotStarted();
        else job.onLost("not started");
      }
    }
  }

  private end(session: Session, id: number, job: ShellJob, status: number): void {
    this.forget(session, id);
    job.onEnd(status);
  }

  private forget(session: Session, id: number): void {
    session.jobs.delete(id);
    session.started.delete(id);
    session.earlyEnds.delete(id);
    if (session.jobs.size === 0) this.hold(session, false);
  }

  private lose(session: Session): void {
    if (this.session === session) this.session = undefined;
    const reason = session.closing
      ? "executor closed"
      : session.spawnError
        ? `shell helper failed: ${session.spawnError}`
        : "shell helper exited";
    const jobs = [...session.jobs.values()];
    session.jobs.clear();
    for (const job of jobs) job.onLost(reason);
  }

  // An idle helper must not keep flow's event loop alive; a busy one must, or Node would exit
  // while tasks still run (nothing else is pending while we wait for their end lines).
  private hold(session: Session, busy: boolean): void {
    for (const handle of [session.child, session.stdin, session.stdout] as unknown as {
      ref(): void;
      unref(): void;
    }[]) {
      if (busy) handle.ref();
      else handle.unref();
    }
  }
}

function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

/** Seconds between the helper's SIGTERM and SIGKILL to its group when flow goes away. */
export function graceSeconds(graceMs: number): number {
  return Math.max(1, Math.ceil(graceMs / 1000));
}

/**
 * The sh helper: `shell -s`, whose EXIT trap stops every job when flow goes away (stdin EOF).
 * Inner traps reset in subshells, so job wrappers don't inherit them. TERM is ignored while
 * the EXIT trap runs, so the helper survives its own `kill -TERM 0` to send the SIGKILL.
 */
export function shShellHelper(shell: string, graceMs: number): ShellHelper {
  const prelude =
    `trap 'trap "" TERM; kill -TERM 0; sleep ${graceSeconds(graceMs)}; kill -KILL 0' EXIT\n` +
    `trap 'exit 143' TERM HUP INT\n`;
  return new ShellHelper({ program: { file: shell, args: ["-s"] }, prelude, graceMs });
}

/** The sh helper's record for a job: `body` in the background, its S and E lines. */
export function shJobRecord(body: string): (id: number) => string {
  return (id) => `{ ${body}; echo "E ${id} $?"; } & echo "S ${id} $!"\n`;
}
