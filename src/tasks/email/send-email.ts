import { hostname } from "node:os";
import { basename, resolve } from "node:path";
import type { ConnectionLookup, TaskContext, TaskLogger } from "../../api/context.js";
import type { EmailSettings } from "../../api/email-types.js";
import type { FromContext } from "../../api/http-types.js";
import { FailTask } from "../../api/signals.js";
import { DEFAULT_SMTP_CONNECTION, emailSettingProblems } from "../../core/email-settings.js";
import { attachmentProblems } from "./attachment-problems.js";
import { isSmtpConnection, smtpTransport } from "./smtp-transport.js";

/** What sending needs from its caller: a task's ctx, or a callback's. */
export interface EmailContext {
  readonly connection: ConnectionLookup;
  readonly log: TaskLogger;
  /** Where relative attachment paths start; absent in callbacks (no attachments there). */
  readonly pipelineDir?: string;
}

function valueOf<T>(value: FromContext<T> | undefined, ctx: EmailContext): T | undefined {
  return typeof value === "function"
    ? (value as (ctx: TaskContext) => T)(ctx as TaskContext)
    : value;
}

const list = (value: string | string[] | undefined): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/**
 * Sends one mail through the settings' SMTP connection and logs who got it (never the body).
 * Settings computed from ctx are checked now; a problem fails without retry, as would an
 * unknown connection or one that is not smtp:// or smtps://. An attachment that cannot be read
 * fails the try (with retries) before the server is contacted.
 */
export async function sendEmail(settings: EmailSettings, ctx: EmailContext): Promise<string> {
  const values = {
    to: valueOf(settings.to, ctx),
    cc: valueOf(settings.cc, ctx),
    bcc: valueOf(settings.bcc, ctx),
    from: valueOf(settings.from, ctx),
    subject: valueOf(settings.subject, ctx),
    text: valueOf(settings.text, ctx),
    html: valueOf(settings.html, ctx),
    attachments: valueOf(settings.attachments, ctx),
  };
  const problems = emailSettingProblems(values);
  if (problems.length > 0) throw new FailTask(problems.join("; "));
  const id = settings.connection ?? DEFAULT_SMTP_CONNECTION;
  const connection = ctx.connection(id);
  if (!isSmtpConnection(connection))
    throw new FailTask(`connection "${id}" is ${connection.scheme}://, not smtp:// or smtps://`);
  const files = (values.attachments ?? []).map((given) => ({
    given,
    path: resolve(ctx.pipelineDir ?? process.cwd(), given),
  }));
  // Before the server hears from us. A missing file fails the try as any failure does (retried
  // if it may, as Airflow's EmailOperator would be): a process outside flow may still write it.
  const unreadable = await attachmentProblems(files);
  if (unreadable.length > 0) throw new EmailError(unreadable.join("; "));
  const attachments = files.map(({ path }) => ({ path, filename: basename(path) }));
  const transport = await smtpTransport(connection);
  const from = values.from ?? connection.extra.from ?? connection.login ?? `flow@${hostname()}`;
  try {
    const info = await transport.sendMail({
      from,
      to: list(values.to),
      cc: list(values.cc),
      bcc: list(values.bcc),
      subject: values.subject,
      ...(values.text !== undefined && { text: values.text }),
      ...(values.html !== undefined && { html: values.html }),
      attachments,
    });
    const recipients = [...list(values.to), ...list(values.cc), ...list(values.bcc)];
    ctx.log.info(
      `sent "${values.subject}" to ${recipients.join(", ")} through connection "${id}" (${connection.host})` +
        (attachments.length > 0 ? ` with ${attachments.map((a) => a.filename).join(", ")}` : ""),
    );
    return String(info.messageId ?? "");
  } catch (error) {
    // nodemailer's errors are one line with a code (ECONNECTION, EAUTH, EENVELOPE...).
    const code = (error as { code?: unknown }).code;
    const message = error instanceof Error ? error.message : String(error);
    throw new EmailError(
      `sending through "${id}" failed${code ? ` (${String(code)})` : ""}: ${message}`,
    );
  } finally {
    transport.close();
  }
}

/** Why a mail was not sent, in one line; its stack is that line (every frame is flow's). */
export class EmailError extends Error {
  constructor(message: string) {
    super(message.split("\n", 1)[0]);
    this.name = "EmailError";
    this.stack = `EmailError: ${this.message}`;
  }
}
