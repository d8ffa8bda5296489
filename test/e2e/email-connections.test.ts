import { chmod, readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { makeProject, statusJson, type Project } from "./harness.js";
import { listFiles } from "./helpers-files.js";
import {
  startHttpServer,
  startSmtpServer,
  type TestHttpServer,
  type TestSmtpServer,
} from "./helpers-servers.js";

// email tasks against a real SMTP server (smtp-server) on loopback, and `flow connections`
// against it and an HTTP server, through the built binary.
const PASSWORD = "mail-Pw_4u7!x";

let smtp: TestSmtpServer;
let web: TestHttpServer;
let project: Project | undefined;
beforeAll(async () => {
  smtp = await startSmtpServer("flow", PASSWORD);
  web = await startHttpServer();
});
afterAll(async () => {
  await smtp?.close();
  await web?.close();
});
afterEach(async () => {
  await project?.cleanup();
  project = undefined;
});

const smtpUri = (password = PASSWORD): string =>
  `smtp://flow:${encodeURIComponent(password)}@127.0.0.1:${smtp.port}?from=flow%40example.com`;

// A header of a raw message, unfolded, its RFC 2047 Q-encoded words decoded.
function header(raw: string, name: string): string | undefined {
  const unfolded = raw.replace(/\r?\n[ \t]+/g, " ");
  const value = new RegExp(`^${name}: (.*)$`, "mi").exec(unfolded)?.[1]?.trim();
  return value
    ?.replace(/\?=\s+=\?/g, "?==?")
    .replace(/=\?UTF-8\?Q\?([^?]*)\?=/gi, (_, text: string) =>
      Buffer.from(
        text
          .replace(/_/g, " ")
          .replace(/=([0-9A-F]{2})/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))),
        "latin1",
      ).toString("utf8"),
    );
}

describe("email tasks", () => {
  it("sends a mail with its attachment through smtp_default; the server gets subject, recipients and the file", async () => {
    project = await makeProject({
      "pipelines/report.ts": `
import { dag, email } from "flow";
export default dag({ id: "report", tasks: [
  email("send_report", {
    to: ["ops@example.com", "Boss <boss@example.com>"],
    cc: "cc@example.com",
    bcc: ["hidden@example.com"],
    subject: (ctx) => "report for " + ctx.ds,
    text: "see attached",
    html: "<p>see attached</p>",
    attachments: ["data/report.csv"],
  }),
] });
`,
      "pipelines/data/report.csv": "day,rows\n2026-01-05,42\n",
    });
    const before = smtp.mails.length;
    const result = await project.flow(["run", "report", "--date", "2026-01-05"], {
      env: { FLOW_CONN_SMTP_DEFAULT: smtpUri() },
    });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(smtp.mails.length).toBe(before + 1);
    const mail = smtp.mails.at(-1)!;
    expect(mail.from).toBe("flow@example.com");
    expect(mail.to.sort()).toEqual(
      ["boss@example.com", "cc@example.com", "hidden@example.com", "ops@example.com"].sort(),
    );
    expect(header(mail.raw, "Subject")).toBe("report for 2026-01-05");
    expect(header(mail.raw, "To")).toBe("ops@example.com, Boss <boss@example.com>");
    expect(header(mail.raw, "Bcc")).toBeUndefined();
    expect(mail.raw).toMatch(/filename=report\.csv/);
    const base64 = /filename=report\.csv\r?\n(?:[^\r\n]+\r?\n)*\r?\n([A-Za-z0-9+/=\r\n]+)/.exec(
      mail.raw,
    )?.[1];
    expect(Buffer.from(base64!.replace(/\s/g, ""), "base64").toString()).toBe(
      "day,rows\n2026-01-05,42\n",
    );
    const log = await project.flow(["logs", "report", "send_report"]);
    expect(log.stdout).toContain(
      'sent "report for 2026-01-05" to ops@example.com, Boss <boss@example.com>, cc@example.com, hidden@example.com through connection "smtp_default" (127.0.0.1) with report.csv',
    );
  });

  it("a wrong password fails the try with the server's answer, never the password", async () => {
    const wrong = "wrong-Secret-77";
    project = await makeProject({
      "pipelines/mail.ts": `
import { dag, email } from "flow";
export default dag({ id: "mail", tasks: [
  email("send", { to: "ops@example.com", subject: "hi", text: "x", connection: "mailer" }),
] });
`,
    });
    const result = await project.flow(["run", "mail"], {
      env: { FLOW_CONN_MAILER: smtpUri(wrong) },
    });
    expect(result.exitCode).toBe(1);
    const [run] = (await statusJson(project, "mail")).runs;
    const task = run!.tasks.send as unknown as { state: string; reason: string };
    expect(task.state).toBe("failed");
    expect(task.reason).toMatch(/^EmailError: sending through "mailer" failed \(EAUTH\): /);
    for (const path of await listFiles(project.stateDir))
      expect(await readFile(join(project.stateDir, path), "utf8")).not.toContain(wrong);
  });

  it("an attachment that cannot be read fails the try before the server is contacted, naming the file; retries apply", async () => {
    project = await makeProject({
      "pipelines/report.ts": `
import { dag, email } from "flow";
export default dag({ id: "report", tasks: [
  email("send_report", {
    to: "ops@example.com",
    subject: "report",
    text: "see attached",
    attachments: ["data/report.csv", "data/missing.csv", "data"],
    retries: 1,
    retryDelay: 0,
  }),
] });
`,
      "pipelines/data/report.csv": "day,rows\n",
    });
    const connections = smtp.connections();
    const mails = smtp.mails.length;
    const result = await project.flow(["run", "report"], {
      env: { FLOW_CONN_SMTP_DEFAULT: smtpUri() },
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).not.toContain("    at ");
    expect(smtp.connections()).toBe(connections);
    expect(smtp.mails.length).toBe(mails);
    const [run] = (await statusJson(project, "report")).runs;
    const pipelines = join(project.dir, "pipelines");
    expect(run!.tasks.send_report).toMatchObject({
      state: "failed",
      try_number: 2,
      reason: `EmailError: attachment "data/missing.csv" (${pipelines}/data/missing.csv) does not exist; attachment "data" (${pipelines}/data) is a folder, not a file`,
    });
  });

  it("email.alert sends a failure mail naming the dag, run, task and state, with the reason and the log path", async () => {
    project = await makeProject({
      "pipelines/alerted.ts": `
import { dag, bash, email } from "flow";
export default dag({
  id: "alerted",
  defaults: { onFailure: email.alert({ to: "oncall@example.com" }) },
  tasks: [bash("load", "echo loading; exit 3")],
});
`,
    });
    const before = smtp.mails.length;
    const result = await project.flow(["run", "alerted", "--date", "2026-01-05"], {
      env: { FLOW_CONN_SMTP_DEFAULT: smtpUri() },
    });
    expect(result.exitCode).toBe(1);
    expect(smtp.mails.length).toBe(before + 1);
    const mail = smtp.mails.at(-1)!;
    expect(mail.to).toEqual(["oncall@example.com"]);
    expect(header(mail.raw, "Subject")).toBe(
      'flow: task "load" of dag "alerted" failed (run manual__2026-01-05T00:00:00+00:00)',
    );
    // The text part is quoted-printable: undo its soft line breaks and escapes.
    const body = mail.raw
      .replace(/=\r?\n/g, "")
      .replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    expect(body).toContain("reason: exit code 3");
    expect(body).toContain(
      `log:    ${join(project.stateDir, "logs/alerted/manual__2026-01-05T00:00:00+00:00/load.1.log")}`,
    );
  });

  it("no recipient or no subject is a validation error at load time", async () => {
    project = await makeProject({
      "pipelines/bad.ts": `
import { dag, email } from "flow";
export default dag({ id: "bad", tasks: [
  email("no_one", { subject: "hi", text: "x" } as never),
  email("no_subject", { to: "not-an-address" } as never),
] });
`,
    });
    const result = await project.flow(["validate"]);
    expect(result.exitCode).toBe(3);
    expect(result.stderr.trim().split("\n")).toEqual([
      'pipelines/bad.ts: dag "bad": task "no_one": needs a recipient: `to` (an address or a list of addresses)',
      'pipelines/bad.ts: dag "bad": task "no_subject": to: "not-an-address" is not an email address',
      'pipelines/bad.ts: dag "bad": task "no_subject": needs a `subject`',
    ]);
  });
});

describe("connections at run time", () => {
  it("a task finds a connection in the state dir's file; the environment wins over it; an open file fails the try", async () => {
    project = await makeProject({
      "pipelines/calls.ts": `
import { dag, http } from "flow";
export default dag({ id: "calls", tasks: [
  http("from_file", { connection: "web", path: "ok", responseAs: "json" }),
  http("from_env", { connection: "web2", path: "ok", responseAs: "json" }),
] });
`,
    });
    await project.write(
      "state/connections.json",
      JSON.stringify({
        web: `http://127.0.0.1:${web.port}`,
        web2: "http://127.0.0.1:1/unreachable",
      }),
    );
    const file = join(project.stateDir, "connections.json");
    await chmod(file, 0o600);
    const env = { FLOW_CONN_WEB2: `http://127.0.0.1:${web.port}` };
    const ok = await project.flow(["run", "calls", "--date", "2026-01-05"], { env });
    expect(ok.exitCode, ok.stderr).toBe(0);

    await chmod(file, 0o640);
    const refused = await project.flow(["run", "calls", "--date", "2026-01-06"], { env });
    expect(refused.exitCode).toBe(1);
    const runs = (await statusJson(project, "calls")).runs as unknown as {
      tasks: Record<string, { state: string; reason: string | null }>;
    }[];
    const failed = runs.find((run) => run.tasks.from_file!.state === "failed")!;
    expect(failed.tasks.from_file!.reason).toBe(
      `${file} is readable by group or others (mode 0640): refused, it holds passwords (no retry)`,
    );
  });
});

describe("flow connections", () => {
  it("list shows env and file connections, env first, passwords hidden; test answers for http and smtp", async () => {
    project = await makeProject({});
    const filePassword = "file-Only-Secret-1";
    await project.write(
      "state/connections.json",
      JSON.stringify({
        web: `http://reader:${filePassword}@127.0.0.1:${web.port}/ok`,
        mailer: "smtp://should-be-overridden@example.com",
      }),
    );
    await chmod(join(project.stateDir, "connections.json"), 0o600);
    const env = { FLOW_CONN_MAILER: smtpUri() };
    const list = await project.flow(["connections", "list"], { env });
    expect(list.exitCode, list.stderr).toBe(0);
    expect(list.stdout).toMatch(
      /│ mailer │ smtp +│ 127\.0\.0\.1 │ \d+ +│ flow +│ \*\*\* +│ env FLOW_CONN_MAILER │/,
    );
    expect(list.stdout).toMatch(
      /│ web +│ http +│ 127\.0\.0\.1 │ \d+ +│ reader │ \*\*\* +│ connections\.json +│/,
    );
    const json = await project.flow(["connections", "list", "--json"], { env });
    for (const text of [list.stdout, json.stdout]) {
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain(filePassword);
    }

    const http = await project.flow(["connections", "test", "web"], { env });
    expect(http.exitCode, http.stderr).toBe(0);
    expect(http.stdout).toBe(`ok: connection "web": GET ${web.url}/ok -> 200 OK`);
    // With the credentials an http task sends, so that they are tested too.
    const basic = `Basic ${Buffer.from(`reader:${filePassword}`).toString("base64")}`;
    expect(web.requests.at(-1)).toMatchObject({ url: "/ok", headers: { authorization: basic } });
    const refused = await project.flow(["connections", "test", "denied"], {
      env: { FLOW_CONN_DENIED: `http://reader:wrong@127.0.0.1:${web.port}/status/401` },
    });
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toBe(
      `flow: failed: connection "denied": GET ${web.url}/status/401 -> 401 Unauthorized: the server refused the connection's credentials`,
    );
    const mail = await project.flow(["connections", "test", "mailer"], { env });
    expect(mail.exitCode, mail.stderr).toBe(0);
    expect(mail.stdout).toBe(
      `ok: connection "mailer": smtp://127.0.0.1:${smtp.port}: handshake ok`,
    );

    const badLogin = await project.flow(["connections", "test", "mailer"], {
      env: { FLOW_CONN_MAILER: smtpUri("nope-Nope-9") },
    });
    expect(badLogin.exitCode).toBe(1);
    expect(badLogin.stderr).toMatch(
      /^flow: failed: connection "mailer": smtp:\/\/127\.0\.0\.1:\d+: EAUTH: /,
    );
    expect(badLogin.stderr).not.toContain("nope-Nope-9");
  });

  it("refuses a connections file others can read, an unknown id and a malformed URI: one line, exit 2", async () => {
    project = await makeProject({});
    await project.write("state/connections.json", '{"x": "https://a:b@example.com"}');
    const file = join(project.stateDir, "connections.json");
    await chmod(file, 0o644);
    const open = await project.flow(["connections", "list"]);
    expect(open.exitCode).toBe(2);
    expect(open.stderr).toBe(
      `flow: ${file} is readable by group or others (mode 0644): refused, it holds passwords\nflow: hint: chmod 600 ${file}`,
    );
    await chmod(file, 0o600);
    const unknown = await project.flow(["connections", "test", "nope"]);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toBe(
      `flow: unknown connection "nope" (known: "x"): set FLOW_CONN_NOPE or ${file}`,
    );
    const malformed = await project.flow(["connections", "list"], {
      env: { FLOW_CONN_BAD: "http://user:sec ret@" },
    });
    expect(malformed.exitCode).toBe(2);
    expect(malformed.stderr).toMatch(/^flow: connection "bad": .* \(from env FLOW_CONN_BAD\)$/);
    expect(malformed.stderr).not.toContain("sec ret");
  });
});
