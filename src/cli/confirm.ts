import { createInterface } from "node:readline/promises";

/** Whether the user can answer a question: stdin is a terminal. */
export function canAsk(input: NodeJS.ReadStream = process.stdin): boolean {
  return Boolean(input.isTTY);
}

/**
 * Asks a yes/no question on the terminal; only "y" or "yes" (any case) is a yes, so Enter, EOF
 * and Ctrl-D keep the default of doing nothing.
 */
export async function confirm(
  question: string,
  io: { input?: NodeJS.ReadableStream; output: NodeJS.WritableStream },
): Promise<boolean> {
  const prompt = createInterface({ input: io.input ?? process.stdin, output: io.output });
  try {
    const answer = await new Promise<string>((resolve) => {
      prompt.once("close", () => resolve(""));
      prompt.question(`${question} [y/N] `).then(resolve, () => resolve(""));
    });
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    prompt.close();
  }
}
