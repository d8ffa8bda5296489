import { EXIT, FlowError } from "../errors.js";

/**
 * A connection that cannot be used: unknown id, malformed URI, a connections file others may
 * read or that is not JSON. Bad input, so a usage error (exit 2) when a command hits it; a task
 * that hits it fails without retry (a retry cannot fix configuration). Never quotes a secret.
 */
export class ConnectionError extends FlowError {
  constructor(message: string, options: { hint?: string } = {}) {
    super(message, { exitCode: EXIT.usage, ...options });
  }
}
