import { describe, expect, it } from "vitest";
import {
  connectionBaseUrl,
  connectionEnvName,
  parseConnectionUri,
  secretsOf,
  type Connection,
} from "../../../src/core/connection.js";
import { maskSecrets, redactUrl } from "../../../src/core/mask-secrets.js";

const parsed = (uri: unknown): Connection => {
  const result = parseConnectionUri("c", uri);
  if (!result.ok) throw new Error(result.problem);
  return result.connection;
};

describe("parseConnectionUri", () => {
  it.each([
    [
      "http with login, percent-encoded password, port, path and extra",
      "https://user%40corp:p%40ss%2Fw0rd@api.example.com:8443/v1/base?token=t%3D1&timeout=5",
      {
        scheme: "https",
        host: "api.example.com",
        port: 8443,
        login: "user@corp",
        password: "p@ss/w0rd",
        schema: "v1/base",
        extra: { token: "t=1", timeout: "5" },
      },
    ],
    [
      "smtp without port or path",
      "smtp://mailer:secret@smtp.example.com",
      {
        scheme: "smtp",
        host: "smtp.example.com",
        port: undefined,
        login: "mailer",
        password: "secret",
        schema: "",
        extra: {},
      },
    ],
    [
      "no credentials, upper-case scheme",
      "HTTP://127.0.0.1:8080",
      {
        scheme: "http",
        host: "127.0.0.1",
        port: 8080,
        login: undefined,
        password: undefined,
        schema: "",
        extra: {},
      },
    ],
  ])("%s", (_name, uri, expected) => {
    expect(parsed(uri)).toEqual({ id: "c", ...expected });
  });

  it.each([
    ["no scheme", "example.com:80", 'no "scheme://"'],
    ["no host", "http://", "not a URI"],
    ["not a string", 42, "the URI must be a string, got 42"],
    ["empty", "", "the URI must be a string"],
  ])("refuses %s, without quoting the URI", (_name, uri, problem) => {
    const result = parseConnectionUri("c", uri);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem).toContain(problem);
  });

  it("never quotes a password in a problem", () => {
    const result = parseConnectionUri("c", "http://user:hunter2@exa mple.com");
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem).not.toContain("hunter2");
  });
});

describe("connection helpers", () => {
  it("names the variable as Airflow does: FLOW_CONN_ and the id upper-cased", () => {
    expect(connectionEnvName("smtp_default")).toBe("FLOW_CONN_SMTP_DEFAULT");
  });

  it("secretsOf gives the password, secret-looking extras and their encoded forms", () => {
    const connection = parsed("https://u:p%40ssw@h/x?api_key=k1k1k&region=eu&token=t%2F2t2");
    expect(secretsOf(connection).sort()).toEqual(
      ["k1k1k", "p%40ssw", "p@ssw", "t%2F2t2", "t/2t2"].sort(),
    );
  });

  it("secretsOf leaves out secrets shorter than 5 characters, and their encoded forms", () => {
    const connection = parsed("https://u:e%40@h/x?api_key=k1&token=t0ken&secret=");
    expect(secretsOf(connection)).toEqual(["t0ken"]);
  });

  it("the base URL of an http connection has no credentials", () => {
    expect(connectionBaseUrl(parsed("https://u:p@api.example.com:8443/v1?x=1"))).toBe(
      "https://api.example.com:8443/v1",
    );
  });
});

describe("masking", () => {
  it.each([
    ["every occurrence", "a pw123 b pw123", ["pw123"], "a *** b ***"],
    ["the longer secret first", "token=abcdefgh", ["abcde", "abcdefgh"], "token=***"],
    ["nothing without secrets", "plain", [], "plain"],
    ["ignores empty secrets", "plain", [""], "plain"],
    [
      "not a secret shorter than 5 (Airflow's min_length_masked_secret)",
      "processed for date",
      ["e", "ss", "abcd"],
      "processed for date",
    ],
    ["a secret of exactly 5", "key abcde.", ["abcde"], "key ***."],
  ])("maskSecrets: %s", (_name, text, secrets, expected) => {
    expect(maskSecrets(text, secrets)).toBe(expected);
  });

  it("redactUrl drops credentials and secret query values", () => {
    expect(redactUrl(new URL("https://u:p@h.example/x?token=abc&day=1&api_key=z"))).toBe(
      "https://h.example/x?token=***&day=1&api_key=***",
    );
  });
});
