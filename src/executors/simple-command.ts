// Characters that mean nothing to sh inside a word. Anything else (quotes, $, globs, ~, #, ;, |,
// &, <, >, parentheses, backslash, newline...) sends the command through a real shell.
const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

// bash builtins and reserved words. When one of them comes first the command must go through
// bash: the helper is dash, whose builtins differ (`echo -e`), and some (`exit`, `cd`) would act
// on the helper's wrapper instead of a child. GNU make keeps a similar list for its fast path.
const SHELL_WORDS = new Set([
  "!", ".", ":", "[", "[[", "]]", "{", "}", "alias", "bg", "bind", "break", "builtin", "caller",
  "case", "cd", "command", "compgen", "complete", "compopt", "continue", "coproc", "declare", "dirs",
  "disown", "do", "done", "echo", "elif", "else", "enable", "esac", "eval", "exec", "exit", "export",
  "false", "fc", "fg", "fi", "for", "function", "getopts", "hash", "help", "history", "if", "in",
  "jobs", "kill", "let", "local", "logout", "mapfile", "popd", "printf", "pushd", "pwd", "read",
  "readarray", "readonly", "return", "select", "set", "shift", "shopt", "source", "suspend", "test",
  "then", "time", "times", "trap", "true", "type", "typeset", "ulimit", "umask", "unalias", "unset",
  "until", "wait", "while",
]);

/**
 * The words of `command` when it is a plain `program arg arg` that can be run without a shell
 * (GNU make's fast path), or undefined when it needs bash.
 */
export function splitSimpleCommand(command: string): string[] | undefined {
  const words = command.split(/[ \t]+/).filter((word) => word !== "");
  const first = words[0];
  if (first === undefined || SHELL_WORDS.has(first) || first.includes("=")) return undefined;
  return words.every((word) => SAFE_WORD.test(word)) ? words : undefined;
}
