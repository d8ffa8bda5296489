import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa, type ResultPromise } from "execa";
import { closedPort } from "./helpers-servers.js";

/** Debian's redis-server, as `.ci/run` installs it. */
export const REDIS_SERVER = process.env.REDIS_SERVER_BIN ?? "/usr/bin/redis-server";

/** A redis-server of a test's own on a loopback port of its own, with its data in a temp dir. */
export interface TestRedis {
  readonly port: number;
  readonly url: string;
  /** Stops the server (SIGTERM; with AOF on, what it has is on disk). */
  stop(): Promise<void>;
  /** Stops the server and starts it again on the same port and data dir. */
  restart(options?: { downMs?: number }): Promise<void>;
  /** Stops it for good and removes its data dir. */
  cleanup(): Promise<void>;
}

/**
 * Starts redis-server on 127.0.0.1 and a free port. `persist` turns the append-only file on
 * (fsync always), as the README asks of a Redis that workers use: a restart then loses nothing.
 */
export async function startRedis(options: { persist?: boolean } = {}): Promise<TestRedis> {
  const dir = await mkdtemp(join(tmpdir(), "flow-redis-"));
  const port = await closedPort();
  let child: ResultPromise | undefined;
  const args = [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--dir",
    dir,
    "--save",
    "",
    "--appendonly",
    options.persist ? "yes" : "no",
    "--appendfsync",
    "always",
    "--protected-mode",
    "no",
  ];
  const start = async (): Promise<void> => {
    child = execa(REDIS_SERVER, args, { reject: false, stdin: "ignore", cleanup: true });
    const deadline = Date.now() + 10_000;
    for (;;) {
      const ping = await execa("redis-cli", ["-p", String(port), "ping"], { reject: false });
      if (ping.stdout.trim() === "PONG") return;
      if (Date.now() > deadline) throw new Error(`redis-server did not start on port ${port}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const stop = async (): Promise<void> => {
    if (!child) return;
    const running = child;
    child = undefined;
    running.kill("SIGTERM");
    await running;
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop,
    async restart({ downMs = 0 } = {}) {
      await stop();
      if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
      await start();
    },
    async cleanup() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
