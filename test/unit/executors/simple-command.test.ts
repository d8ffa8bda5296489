import { describe, expect, it } from "vitest";
import { splitSimpleCommand } from "../../../src/executors/simple-command.js";

describe("splitSimpleCommand", () => {
  it.each([
    [
      "a program with arguments",
      "python3 etl.py --day 2026-01-02",
      ["python3", "etl.py", "--day", "2026-01-02"],
    ],
    ["an absolute path", "/bin/true", ["/bin/true"]],
    ["extra spaces and tabs", "  sleep\t 1  ", ["sleep", "1"]],
    ["safe punctuation", "cp a,b@c%d+e=f:g ./out/", ["cp", "a,b@c%d+e=f:g", "./out/"]],
  ])("runs %s directly", (_name, command, words) => {
    expect(splitSimpleCommand(command)).toEqual(words);
  });

  it.each([
    ["a builtin", "echo -e hi"],
    ["a builtin with different sh semantics", "test -v HOME"],
    ["a reserved word", "if true"],
    ["exit, which would end the wrapper", "exit 3"],
    ["an assignment", "FOO=1 env"],
    ["a variable", "echo $HOME"],
    ["a glob", "ls *.csv"],
    ["a tilde", "ls ~/data"],
    ["quotes", "grep 'a b' file"],
    ["a pipe", "cat file | wc -l"],
    ["a sequence", "make; make install"],
    ["a redirect", "date >out"],
    ["a background job", "sleep 1 &"],
    ["a comment", "make # build"],
    ["a backslash", "printf a\\n"],
    ["a second line", "make\nmake install"],
    ["a subshell", "(make)"],
    ["nothing", "   "],
  ])("sends %s through bash", (_name, command) => {
    expect(splitSimpleCommand(command)).toBeUndefined();
  });
});
