import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Hono } from "hono";
import { HttpError } from "./http-error.js";

const TYPES: Readonly<Record<string, string>> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".png": "image/png",
  ".svg": "image/svg+xml",
};

// One plain file name: no folder, no dot-name, nothing a path could be built from.
const FILE_NAME = /^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/;

// The page every view URL answers with; the client routes on location.pathname. No inline script.
const SHELL = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>flow</title>
<link rel="stylesheet" href="/static/app.css">
<script type="module" src="/static/app.js"></script>
</head>
<body>
<div id="app"></div>
</body>
</html>
`;

/** The URLs of the views (/work/notes/ui-contract.md): each gets the shell. */
const PAGES = [
  "/",
  "/dags/:dag",
  "/dags/:dag/graph",
  "/dags/:dag/durations",
  "/dags/:dag/runs/:run",
  "/dags/:dag/runs/:run/tasks/:task/log",
];

/**
 * Where the client bundle is: dist/ui/ beside dist/bundle/ (the built binary, whose chunks live in
 * dist/bundle/), or the repo's dist/ui/ when this file runs from src/ (tsx).
 */
export function findClientDir(): string {
  const candidates = [
    new URL("../ui/", import.meta.url),
    new URL("../../../dist/ui/", import.meta.url),
  ];
  const found = candidates
    .map((url) => fileURLToPath(url))
    .find((dir) => existsSync(join(dir, "app.js")));
  return found ?? fileURLToPath(candidates[0]!);
}

/** The shell for every view URL, and /static/<file> from the client bundle's folder. */
export function addStaticRoutes(app: Hono, clientDir: string): void {
  for (const page of PAGES) app.get(page, (c) => c.html(SHELL));
  app.get("/static/:file", async (c) => {
    const name = c.req.param("file");
    const type = TYPES[extname(name)];
    if (!FILE_NAME.test(name) || type === undefined) throw new HttpError(404, `no file "${name}"`);
    const data = await readFile(join(clientDir, name)).catch(() => undefined);
    if (data === undefined) throw new HttpError(404, `no file "${name}"`);
    return c.body(new Uint8Array(data), 200, { "Content-Type": type, "Cache-Control": "no-cache" });
  });
}
