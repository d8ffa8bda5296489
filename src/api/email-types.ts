import type { DependencyOptions, TaskCallbacks, TaskOptions } from "./definitions.js";
import type { FromContext } from "./http-types.js";

/** What only email tasks take (Airflow's EmailOperator, sent with nodemailer). */
export interface EmailSettings {
  /** One address or a list; `"Ops <ops@example.com>"` works too. */
  to: FromContext<string | string[]>;
  cc?: FromContext<string | string[]>;
  bcc?: FromContext<string | string[]>;
  /** Default: the connection's `from` extra, else its login, else `flow@<this host>`. */
  from?: FromContext<string>;
  subject: FromContext<string>;
  text?: FromContext<string>;
  html?: FromContext<string>;
  /** Files to attach, relative to the pipeline's folder or absolute. */
  attachments?: FromContext<string[]>;
  /** An smtp:// or smtps:// connection id. Default `smtp_default`. */
  connection?: string;
}

export interface EmailOptions
  extends TaskOptions, TaskCallbacks, DependencyOptions, EmailSettings {}

/** Who gets a failure alert of `email.alert`, and through which connection. */
export interface EmailAlertOptions {
  to: string | string[];
  cc?: string | string[];
  bcc?: string | string[];
  from?: string;
  /** Default `smtp_default`. */
  connection?: string;
}
