import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseLaunches, pictureFileName } from "../../../pipelines/lib/launches.js";

const fixture = new URL("../../../pipelines/fixtures/launches.json", import.meta.url);

describe("parseLaunches", () => {
  it.each([
    ["a URL string (API 2.0.0-2.2.0)", "https://example.com/a.png", "https://example.com/a.png"],
    [
      "an object with image_url (later API versions)",
      { image_url: "https://example.com/b.jpg" },
      "https://example.com/b.jpg",
    ],
    ["null", null, null],
    ["missing", undefined, null],
  ])("reads an image given as %s", (_name, image, expected) => {
    const text = JSON.stringify({ count: 1, results: [{ id: "x", name: "Launch X", image }] });
    expect(parseLaunches(text)).toEqual([{ id: "x", name: "Launch X", image: expected }]);
  });

  it("rejects a document without results", () => {
    expect(() => parseLaunches(JSON.stringify({ detail: "Request was throttled." }))).toThrow(
      'launches.json has no "results" array',
    );
  });
});

describe("pictureFileName", () => {
  it.each([
    [
      "the last path segment",
      "https://example.com/media/launch/apollo_11.png?w=200",
      "apollo_11.png",
    ],
    ["decoded", "file:///tmp/images/sts%201.png", "sts 1.png"],
    ["the fallback when the path has no file name", "https://example.com/", "launch-1"],
  ])("is %s", (_name, url, expected) => {
    expect(pictureFileName(new URL(url), "launch-1")).toBe(expected);
  });
});

describe("the bundled fixture", () => {
  const launches = parseLaunches(readFileSync(fixture, "utf8"));

  it("holds about five launches, each with a picture", () => {
    expect(launches).toHaveLength(5);
    expect(launches.every((launch) => launch.image)).toBe(true);
  });

  it("points at small PNG files next to it", () => {
    for (const launch of launches) {
      const bytes = readFileSync(fileURLToPath(new URL(launch.image!, fixture)));
      expect(bytes.subarray(0, 8)).toEqual(
        Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      );
      expect(bytes.length).toBeLessThan(2000);
    }
  });
});
