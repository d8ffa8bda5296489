import type { RunCallbackContext, TaskCallbackContext } from "../../api/definitions.js";
import type { EmailAlertOptions } from "../../api/email-types.js";
import { sendEmail } from "./send-email.js";

/**
 * Sends the failure mail of `email.alert`: the subject names the DAG, run, task and state; the
 * body gives the reason and where the log is. Works as a task callback and as a DAG callback.
 */
export async function sendAlert(
  options: EmailAlertOptions,
  ctx: TaskCallbackContext | RunCallbackContext,
): Promise<void> {
  const isTask = "taskId" in ctx;
  const what = isTask ? `task "${ctx.taskId}" of dag "${ctx.dagId}"` : `dag "${ctx.dagId}"`;
  const subject = `flow: ${what} ${ctx.state} (run ${ctx.runId})`;
  const lines = [
    `dag:    ${ctx.dagId}`,
    `run:    ${ctx.runId} (logical date ${ctx.logicalDate})`,
    ...(isTask ? [`task:   ${ctx.taskId} (try ${ctx.tryNumber} of ${ctx.maxTries})`] : []),
    `state:  ${ctx.state}`,
    `reason: ${(isTask ? ctx.error : ctx.reason) ?? "-"}`,
    ...(isTask ? [] : [`failed tasks: ${ctx.failedTasks.join(", ") || "-"}`]),
    `log:    ${ctx.logPath}`,
  ];
  await sendEmail(
    {
      to: options.to,
      ...(options.cc !== undefined && { cc: options.cc }),
      ...(options.bcc !== undefined && { bcc: options.bcc }),
      ...(options.from !== undefined && { from: options.from }),
      ...(options.connection !== undefined && { connection: options.connection }),
      subject,
      text: `${lines.join("\n")}\n`,
    },
    ctx,
  );
}
