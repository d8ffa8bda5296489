import type { Transporter } from "nodemailer";
import type { Connection } from "../../core/connection.js";

/** Whether a connection is one nodemailer can send through. */
export function isSmtpConnection(connection: Connection): boolean {
  return connection.scheme === "smtp" || connection.scheme === "smtps";
}

/**
 * A nodemailer transport for an smtp:// (STARTTLS when offered) or smtps:// (TLS from the
 * start) connection, with its login and password. nodemailer is imported here, on first use:
 * every flow command's start-up is measured (bench W7) and most never send mail. Extras:
 * `ignore_tls=true` (no STARTTLS), `require_tls=true`, `reject_unauthorized=false` (a
 * self-signed server certificate).
 */
export async function smtpTransport(connection: Connection): Promise<Transporter> {
  const { default: nodemailer } = await import("nodemailer");
  const { extra } = connection;
  return nodemailer.createTransport({
    host: connection.host,
    ...(connection.port !== undefined && { port: connection.port }),
    secure: connection.scheme === "smtps",
    ...(connection.login !== undefined && {
      auth: { user: connection.login, pass: connection.password ?? "" },
    }),
    ignoreTLS: extra.ignore_tls === "true",
    requireTLS: extra.require_tls === "true",
    tls: { rejectUnauthorized: extra.reject_unauthorized !== "false" },
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
}
