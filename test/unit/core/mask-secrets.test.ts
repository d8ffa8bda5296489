import { describe, expect, it } from "vitest";
import { urlProblem } from "../../../src/core/http-settings.js";
import { stripUrlCredentials } from "../../../src/core/mask-secrets.js";
import { describeFetchFailure, HttpError } from "../../../src/tasks/http/http-error.js";

describe("stripUrlCredentials", () => {
  it.each([
    ["login and password", "GET http://u:p@h:8/x?y=1", "GET http://h:8/x?y=1"],
    ["login only", "see https://u@h/", "see https://h/"],
    [
      "fetch's own message, quoting the URL",
      "Request cannot be constructed from a URL that includes credentials: http://inurl:UrlPass55@127.0.0.1:9/500",
      "Request cannot be constructed from a URL that includes credentials: http://127.0.0.1:9/500",
    ],
    ["an @ in the password, up to the last one", "http://u:p@ss@h/x", "http://h/x"],
    ["every URL of the text", "a://x:1@h b://y:2@k", "a://h b://k"],
    ["an @ in the path is kept", "http://h/a@b", "http://h/a@b"],
    ["an @ in the query is kept", "http://h/?to=a@b", "http://h/?to=a@b"],
    ["no URL", "mail me at a@b", "mail me at a@b"],
  ])("%s", (_name, text, expected) => {
    expect(stripUrlCredentials(text)).toBe(expected);
  });
});

describe("a URL with credentials in an http task", () => {
  it("urlProblem names the problem without the login or password", () => {
    const problem = urlProblem("http://inurl:UrlPass55@127.0.0.1:9/500");
    expect(problem).toBe(
      'url "http://127.0.0.1:9/500" has a login or password in it: put credentials in a connection (FLOW_CONN_<ID> or the state dir\'s connections.json) and give its id as `connection`',
    );
  });

  it("HttpError strips credentials from any URL it quotes, message and stack", () => {
    const error = new HttpError("connection refused: GET http://u:Secret99@h/x", "refused");
    expect(error.message).toBe("connection refused: GET http://h/x");
    expect(error.stack).not.toContain("Secret99");
  });

  it("describeFetchFailure never passes fetch's quote of the URL on whole", () => {
    const cause = new TypeError(
      "Request cannot be constructed from a URL that includes credentials: http://inurl:UrlPass55@h/500",
    );
    const failure = describeFetchFailure(
      new TypeError("fetch failed", { cause }),
      new AbortController().signal,
      "GET http://h/500",
      "h",
    );
    expect(failure.message).not.toContain("UrlPass55");
    expect(failure.message).toContain("includes credentials: http://h/500");
  });
});
