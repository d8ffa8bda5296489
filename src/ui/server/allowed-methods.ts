import type { Hono } from "hono";
import { METHOD_NAME_ALL } from "hono/router";
import { TrieRouter } from "hono/router/trie-router";

/**
 * The methods each path of `app` answers, from its routes as registered when this is called
 * (middleware, registered for every method, aside), matched by a router of hono's own so a
 * pattern means here what it means to the app. A GET route answers HEAD too, as hono does.
 * For a 405's Allow header: an empty list means no route has the path (404).
 */
export function allowedMethodsOf(app: Hono): (path: string) => readonly string[] {
  const router = new TrieRouter<string>();
  const methods = new Set<string>();
  for (const route of app.routes) {
    if (route.method === METHOD_NAME_ALL) continue;
    router.add(route.method, route.path, route.method);
    methods.add(route.method);
  }
  return (path) => {
    const allowed = [...methods].filter((method) => router.match(method, path)[0].length > 0);
    if (allowed.includes("GET")) allowed.splice(allowed.indexOf("GET") + 1, 0, "HEAD");
    return allowed;
  };
}
