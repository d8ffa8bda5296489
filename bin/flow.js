#!/usr/bin/env node
// Tiny launcher: everything lives in dist/bundle/flow.js (src/cli/bundle-entry.ts) (built by `npm run build`).
import { main } from "../dist/bundle/flow.js";

// `flow ... | head` closes the pipe early: stop quietly, as other command-line tools do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
}

const code = await main(process.argv);
// Exit once the output is flushed, even if a pipeline module left a timer or a top-level await
// behind: the command is over.
process.stdout.write("", () => process.exit(code));
