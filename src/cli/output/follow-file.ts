import { closeSync, openSync, readSync } from "node:fs";

/**
 * Copies what is appended to `path` to `out` while a task writes it, until `stop()`, which
 * copies the rest. Polls every 50 ms: simple, and `flow test` only follows one file.
 */
export function followFile(path: string, out: { write(chunk: Buffer): unknown }): { stop(): void } {
  let position = 0;
  const buffer = Buffer.alloc(64 * 1024);
  const drain = (): void => {
    let fd: number;
    try {
      fd = openSync(path, "r");
    } catch {
      return;
    }
    try {
      for (;;) {
        const read = readSync(fd, buffer, 0, buffer.length, position);
        if (read === 0) break;
        position += read;
        out.write(Buffer.from(buffer.subarray(0, read)));
      }
    } finally {
      closeSync(fd);
    }
  };
  const timer = setInterval(drain, 50);
  return {
    stop() {
      clearInterval(timer);
      drain();
    },
  };
}
