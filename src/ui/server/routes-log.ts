import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import type { Context, Hono } from "hono";
import { findTryLog, type TryQuery } from "../../ops/read-log.js";
import { readTaskLog } from "../../ops/task-log.js";
import { HttpError } from "./http-error.js";
import { idParam, intQuery } from "./request-input.js";
import type { ServerContext } from "./server-context.js";

// At most this much of a log per call: a page follows a big log by offsets, never whole.
const MAX_LOG_CHUNK = 64 * 1024;

/** A try's log from a byte offset (JSON, for the log view), and the raw file (text/plain). */
export function addLogRoutes(app: Hono, { workspace }: ServerContext): void {
  app.get("/api/dags/:dag/runs/:run/tasks/:task/log", async (c) => {
    const offset = intQuery(c, "offset", 0, 0);
    const log = await readTaskLog(workspace, tryQuery(c), offset, MAX_LOG_CHUNK);
    const data = log.chunk ? completeUtf8(log.chunk.data) : Buffer.alloc(0);
    return c.json({
      try_number: log.tryNumber,
      tries: log.instance.try_number,
      state: log.instance.state,
      data: data.toString("utf8"),
      offset,
      next_offset: offset + data.length,
      size: log.chunk?.size ?? 0,
      exists: log.chunk !== undefined,
    });
  });

  app.get("/api/dags/:dag/runs/:run/tasks/:task/log/raw", async (c) => {
    const { path, tryNumber, taskId } = await findTryLog(workspace, tryQuery(c));
    const stream = await openLog(path);
    if (!stream) throw new HttpError(404, `try ${tryNumber} of task "${taskId}" wrote no log`);
    return c.body(Readable.toWeb(stream) as ReadableStream<Uint8Array>, 200, {
      "Content-Type": "text/plain; charset=utf-8",
    });
  });
}

function tryQuery(c: Context): TryQuery {
  const tryNumber = intQuery(c, "try", undefined, 1);
  return {
    dagId: idParam("dag", c.req.param("dag")),
    runId: idParam("run", c.req.param("run")),
    taskId: idParam("task", c.req.param("task")),
    ...(tryNumber !== undefined && { tryNumber }),
  };
}

// The file, or undefined when it does not exist (a try that printed nothing yet).
async function openLog(path: string): Promise<Readable | undefined> {
  const stream = createReadStream(path);
  return new Promise((resolve) => {
    stream.once("open", () => resolve(stream));
    stream.once("error", () => resolve(undefined));
  });
}

/**
 * The bytes up to the last whole UTF-8 character: a chunk may end inside one, and decoding it
 * would show U+FFFD; the next read starts at the cut instead.
 */
export function completeUtf8(data: Buffer): Buffer {
  let start = data.length - 1;
  // Walk back over at most 3 continuation bytes (10xxxxxx) to the lead byte of the last character.
  while (start >= 0 && data.length - start <= 4 && (data[start]! & 0xc0) === 0x80) start--;
  if (start < 0) return data;
  const lead = data[start]!;
  const length = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return start + length <= data.length ? data : data.subarray(0, start);
}
