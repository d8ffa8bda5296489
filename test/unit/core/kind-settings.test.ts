import { describe, expect, it } from "vitest";
import { emailSettingProblems } from "../../../src/core/email-settings.js";
import { httpSettingProblems } from "../../../src/core/http-settings.js";
import { splitKindSettings } from "../../../src/core/kind-settings.js";

describe("httpSettingProblems", () => {
  it.each([
    ["a plain GET", { url: "https://example.com" }, []],
    ["a connection and path", { connection: "api", path: "/v1" }, []],
    ["a file URL", { url: "file:///tmp/x.json" }, []],
    ["a URL computed from ctx", { url: () => "x" }, []],
    [
      "an unknown method",
      { url: "https://e.com", method: "get" },
      ['method "get" is not one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS'],
    ],
    ["no URL at all", {}, ["needs a `url`, or a `connection` (and a `path`)"]],
    [
      "both URL and connection",
      { url: "https://e.com", connection: "api" },
      ["takes a `url` or a `connection`, not both"],
    ],
    ["a relative URL", { url: "/x" }, ['url "/x" is not an absolute URL']],
    [
      "an unsupported scheme",
      { url: "ftp://e.com" },
      ['url scheme "ftp:" is not supported (use http:, https: or file:)'],
    ],
    [
      "a body on a GET",
      { url: "https://e.com", json: { a: 1 } },
      ["a GET request has no body: set `method` (POST, PUT...)"],
    ],
    [
      "body and json",
      { url: "https://e.com", method: "POST", body: "x", json: 1 },
      ["takes `body` or `json`, not both"],
    ],
    [
      "a bad status list",
      { url: "https://e.com", expectedStatus: [200, 99] },
      [
        "expectedStatus must be a list of status codes (100-599) or a function (status) => boolean, got 99 in the list",
      ],
    ],
    [
      "an empty status list",
      { url: "https://e.com", expectedStatus: [] },
      [
        "expectedStatus must be a list of status codes (100-599) or a function (status) => boolean, got an empty list",
      ],
    ],
    [
      "saveTo with responseAs",
      { url: "https://e.com", saveTo: "x", responseAs: "json" },
      ["takes `saveTo` or `responseAs`, not both (saveTo's result is the file's path)"],
    ],
  ])("%s", (_name, settings, problems) => {
    expect(httpSettingProblems(settings)).toEqual(problems);
  });

  it("never quotes the credentials of a bad URL", () => {
    expect(httpSettingProblems({ url: "ht tp://u:secret@x" }).join()).not.toContain("secret");
  });
});

describe("emailSettingProblems", () => {
  it.each([
    ["a complete mail", { to: "a@b.c", subject: "s" }, []],
    ["a named address", { to: ["Ops <ops@b.c>"], subject: "s" }, []],
    [
      "no recipient",
      { subject: "s" },
      ["needs a recipient: `to` (an address or a list of addresses)"],
    ],
    ["no subject", { to: "a@b.c" }, ["needs a `subject`"]],
    [
      "a bad address",
      { to: "a@b.c", cc: ["x"], subject: "s" },
      ['cc: "x" is not an email address'],
    ],
    [
      "attachments not a list",
      { to: "a@b.c", subject: "s", attachments: "f.txt" },
      [
        'attachments must be a list of file paths (relative to the pipeline\'s folder), got "f.txt"',
      ],
    ],
  ])("%s", (_name, settings, problems) => {
    expect(emailSettingProblems(settings)).toEqual(problems);
  });
});

describe("splitKindSettings", () => {
  it("splits a kind's settings from task options and reports unknown names with a suggestion", () => {
    expect(
      splitKindSettings({ url: "u", retries: 2, upstream: [], methd: "GET" }, ["url", "method"]),
    ).toEqual({
      settings: { url: "u" },
      rest: { retries: 2, upstream: [] },
      problems: ['unknown option "methd" (did you mean "method"?)'],
    });
  });
});
