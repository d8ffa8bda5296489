#!/usr/bin/env node
// Tiny launcher: everything lives in dist/cli/main.js (built by `npm run build`).
import { main } from "../dist/cli/main.js";

// `flow ... | head` closes the pipe early: stop quietly, as other command-line tools do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
}

process.exitCode = await main(process.argv);
