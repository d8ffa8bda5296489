import { isShellName, quoteShellWord } from "./shell-quote.js";
import { splitSimpleCommand } from "./simple-command.js";

/** What one try of a bash task runs, with every path absolute. */
export interface BashJob {
  readonly command: string;
  readonly cwd: string;
  /** Variables on top of the helper's environment (flow's `FLOW_*` and the task's own). */
  readonly env: Readonly<Record<string, string>>;
  readonly logPath: string;
  /** The shell that runs commands that are not simple: bash, or sh as a fallback. */
  readonly bash: string;
}

// Builtins that mean the same in every POSIX shell: the helper's sh runs them itself, with no
// fork of bash and no exec (a no-op task then costs what make's does).
const SAME_IN_EVERY_SHELL = /^\s*(true|false|:)\s*$/;

/**
 * The sh command the helper runs in the background for one try. The log redirect is opened by
 * the shell, so output never passes through Node. It appends (`>>`) because a command given as
 * a function may have logged lines already. Simple commands skip bash entirely (one exec fewer).
 */
export function buildJobScript(job: BashJob): string {
  const words = splitSimpleCommand(job.command);
  const program = SAME_IN_EVERY_SHELL.test(job.command)
    ? job.command.trim()
    : words
      ? words.map(quoteShellWord).join(" ")
      : `${quoteShellWord(job.bash)} -c ${quoteShellWord(job.command)}`;
  return `{ cd ${quoteShellWord(job.cwd)} && ${environmentPrefix(job.env)}${program}; } >>${quoteShellWord(job.logPath)} 2>&1 </dev/null`;
}

// `NAME='value' program` sets them for that program only. Names sh cannot assign (`my-var`)
// still reach the program through env(1).
function environmentPrefix(env: Readonly<Record<string, string>>): string {
  const entries = Object.entries(env);
  if (entries.every(([name]) => isShellName(name))) {
    return entries.map(([name, value]) => `${name}=${quoteShellWord(value)} `).join("");
  }
  return `env ${entries.map(([name, value]) => `${quoteShellWord(`${name}=${value}`)} `).join("")}`;
}

const BUILTIN_STATUS: Readonly<Record<string, string>> = { true: "0", ":": "0", false: "1" };

/**
 * The native spawner's record for one try (see native/flow-spawner.c): NUL-separated id, mode,
 * the job whose exit 0 it waits for (`after`, if any), cwd, log, argv and environment. The same three cases as buildJobScript: a builtin that means
 * the same in every shell (no exec, only its status), a simple command (exec'd with no shell),
 * anything else through bash. PWD is set as sh's `cd` would. Built in one pass over the fields:
 * it runs for every try, between a task's end and the start of the next.
 */
export function buildNativeRecord(job: BashJob, after?: number): (id: number) => string {
  const builtin = SAME_IN_EVERY_SHELL.test(job.command)
    ? BUILTIN_STATUS[job.command.trim()]
    : undefined;
  const argv =
    builtin !== undefined
      ? [builtin]
      : (splitSimpleCommand(job.command) ?? [job.bash, "-c", job.command]);
  const follows = after === undefined ? "" : String(after);
  let text = `${builtin !== undefined ? "b" : "x"}\0${follows}\0${job.cwd}\0${job.logPath}\0${argv.length}\0`;
  for (const arg of argv) text += `${arg}\0`;
  let env = "";
  let count = 1; // PWD, last
  for (const name of Object.keys(job.env)) {
    if (name === "PWD") continue;
    env += `${name}=${job.env[name]}\0`;
    count++;
  }
  text += `${count}\0${env}PWD=${job.cwd}\0`;
  // One NUL ends each field: any other came from a value and would shift the fields after it.
  if (countNul(text) !== 6 + argv.length + count)
    throw new Error("a command, path or environment value holds a NUL character");
  return (id) => `${id}\0${text}`;
}

function countNul(text: string): number {
  let count = 0;
  for (let at = text.indexOf("\0"); at !== -1; at = text.indexOf("\0", at + 1)) count++;
  return count;
}
