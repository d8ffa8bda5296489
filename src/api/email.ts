import { EMAIL_SETTING_NAMES, emailSettingProblems } from "../core/email-settings.js";
import { splitKindSettings } from "../core/kind-settings.js";
import type { RunCallbackContext, Task, TaskCallbackContext, TaskFunction } from "./definitions.js";
import type { EmailAlertOptions, EmailOptions, EmailSettings } from "./email-types.js";
import { makeTask, type AnyOptions } from "./make-task.js";

/**
 * A task that sends one mail through an SMTP connection (Airflow's EmailOperator, sent with
 * nodemailer): `to`, `subject`, `text` and/or `html`, `attachments` relative to the pipeline's
 * folder. The connection is `smtp_default` unless `connection` names another. No recipient or
 * no subject is a problem reported when the pipeline loads.
 */
function emailTask(id: string, options: EmailOptions): Task {
  const { settings, rest, problems } = splitKindSettings(
    options as unknown as Record<string, unknown>,
    EMAIL_SETTING_NAMES,
  );
  const run: TaskFunction = async (ctx) => {
    await (
      await import("../tasks/email/send-email.js")
    ).sendEmail(settings as unknown as EmailSettings, ctx);
  };
  return makeTask(id, "function", "plain", rest as AnyOptions, {
    run,
    problems: [...problems, ...emailSettingProblems(settings)],
  });
}

/** A callback that works as a task's and as a DAG's: `onFailure: email.alert({ to })`. */
export type AlertCallback = (ctx: TaskCallbackContext | RunCallbackContext) => Promise<void>;

/**
 * A failure alert for `onFailure` (or `onRetry`) of a task, a DAG's `defaults`, or a DAG: a mail
 * whose subject names the DAG, run, task and state, and whose body gives the reason and the log
 * path. A bad recipient throws when the pipeline loads (an import error naming the line).
 */
function alert(options: EmailAlertOptions): AlertCallback {
  const problems = emailSettingProblems({ ...options, subject: "alert" });
  if (problems.length > 0) throw new TypeError(`email.alert: ${problems.join("; ")}`);
  return async (ctx) => {
    await (await import("../tasks/email/alert.js")).sendAlert(options, ctx);
  };
}

/** `email(id, options)` makes an email task; `email.alert(options)` a failure-alert callback. */
export const email: typeof emailTask & { alert: typeof alert } = Object.assign(emailTask, {
  alert,
});
