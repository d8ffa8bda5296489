import { copyFile, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The part of a Launch Library 2 launch that rocket_launches uses. */
export interface Launch {
  readonly id: string;
  readonly name: string;
  /** Image URL as the API gave it: absolute, or relative to the document (the bundled fixture). */
  readonly image: string | null;
}

/**
 * Reads a Launch Library 2 list response (`{count, results: [...]}`). `image` is a URL string in
 * API 2.0.0-2.2.0 and an object with `image_url` in later versions; both are accepted.
 */
export function parseLaunches(text: string): Launch[] {
  const document: unknown = JSON.parse(text);
  const results = (document as { results?: unknown } | null)?.results;
  if (!Array.isArray(results)) throw new Error('launches.json has no "results" array');
  return results.map((raw: unknown, index) => {
    const item = (typeof raw === "object" && raw !== null ? raw : {}) as Record<string, unknown>;
    const image = item.image as string | { image_url?: string } | null | undefined;
    return {
      id: String(item.id ?? index),
      name: String(item.name ?? `launch #${index + 1}`),
      image: (typeof image === "object" ? image?.image_url : image) ?? null,
    };
  });
}

/** The file name a picture is saved under: the last segment of its URL path, like the book's. */
export function pictureFileName(source: URL, fallback: string): string {
  return basename(decodeURIComponent(source.pathname)) || fallback;
}

/**
 * Copies the picture at `source` into `dir` and returns the path written. http(s) URLs are
 * fetched; file URLs are copied, so the bundled fixture works with no network at all.
 */
export async function savePicture(
  source: URL,
  dir: string,
  fallbackName: string,
  signal?: AbortSignal,
): Promise<string> {
  const target = join(dir, pictureFileName(source, fallbackName));
  if (source.protocol === "file:") {
    await copyFile(fileURLToPath(source), target);
  } else if (source.protocol === "http:" || source.protocol === "https:") {
    const response = await fetch(source, { signal });
    if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`);
    await writeFile(target, new Uint8Array(await response.arrayBuffer()));
  } else {
    throw new Error(`unsupported URL scheme "${source.protocol}"`);
  }
  return target;
}
