import { maskSecrets } from "../core/mask-secrets.js";

/**
 * The secrets of the connections one try resolved: its log lines and its reason pass through
 * `mask` before they are written, so a password never reaches the state dir.
 */
export class TrySecrets {
  private readonly secrets = new Set<string>();

  add(secrets: readonly string[]): void {
    for (const secret of secrets) this.secrets.add(secret);
  }

  get empty(): boolean {
    return this.secrets.size === 0;
  }

  mask(text: string): string {
    return this.secrets.size === 0 ? text : maskSecrets(text, this.secrets);
  }
}
