import { describeValue } from "./describe-value.js";

/** What only email tasks take, besides the options every task takes. */
export const EMAIL_SETTING_NAMES = [
  "to",
  "cc",
  "bcc",
  "from",
  "subject",
  "text",
  "html",
  "attachments",
  "connection",
] as const;

/** The connection an email uses when it names none (Airflow's `smtp_default`). */
export const DEFAULT_SMTP_CONNECTION = "smtp_default";

/**
 * Every problem of an email's settings that can be known when the pipeline loads: no recipient,
 * no subject, a value of the wrong type. `what` prefixes nothing for a task, `email.alert: ` for
 * the alert helper. Values given as functions of the run context are checked when the try runs.
 */
export function emailSettingProblems(settings: Readonly<Record<string, unknown>>): string[] {
  const problems: string[] = [];
  const { to, cc, bcc, from, subject, text, html, attachments, connection } = settings;
  if (to === undefined || (Array.isArray(to) && to.length === 0) || to === "")
    problems.push("needs a recipient: `to` (an address or a list of addresses)");
  for (const [name, value] of [
    ["to", to],
    ["cc", cc],
    ["bcc", bcc],
  ] as const) {
    if (value === undefined || typeof value === "function") continue;
    const list = Array.isArray(value) ? value : [value];
    for (const address of list)
      if (typeof address !== "string" || !/^[^\s@]+@[^\s@]+$|<[^\s@]+@[^\s@]+>$/.test(address))
        problems.push(`${name}: ${describeValue(address)} is not an email address`);
  }
  if (subject === undefined || subject === "") problems.push("needs a `subject`");
  for (const [name, value] of [
    ["subject", subject],
    ["text", text],
    ["html", html],
    ["from", from],
  ] as const)
    if (value !== undefined && typeof value !== "string" && typeof value !== "function")
      problems.push(`${name} must be a string or a function of ctx, got ${describeValue(value)}`);
  if (attachments !== undefined && !isFileList(attachments))
    problems.push(
      `attachments must be a list of file paths (relative to the pipeline's folder), got ${describeValue(attachments)}`,
    );
  if (connection !== undefined && (typeof connection !== "string" || connection === ""))
    problems.push(`connection must be a connection id, got ${describeValue(connection)}`);
  return problems;
}

function isFileList(value: unknown): boolean {
  return (
    typeof value === "function" ||
    (Array.isArray(value) && value.every((item) => typeof item === "string" && item !== ""))
  );
}
