/**
 * Secrets shorter than this are not masked (Airflow's `min_length_masked_secret`, also 5): a
 * password `e` would otherwise turn every `e` of a log into `***`, and hiding it hides nothing.
 */
export const MIN_MASKED_SECRET_LENGTH = 5;

/** Whether a secret is long enough to be masked (see MIN_MASKED_SECRET_LENGTH). */
export function isMaskable(secret: string): boolean {
  return secret.length >= MIN_MASKED_SECRET_LENGTH;
}

/**
 * `text` with every occurrence of each secret replaced by `***` (Airflow's secrets masker).
 * Longer secrets first, so that a secret containing a shorter one is masked whole. Secrets
 * shorter than MIN_MASKED_SECRET_LENGTH are left as they are.
 */
export function maskSecrets(text: string, secrets: Iterable<string>): string {
  const sorted = [...new Set(secrets)].filter(isMaskable).sort((a, b) => b.length - a.length);
  let masked = text;
  for (const secret of sorted)
    if (masked.includes(secret)) masked = masked.split(secret).join("***");
  return masked;
}

/**
 * A URL as it may be shown in a log: no user or password, and the values of query parameters
 * whose names look secret (`token`, `api_key`, `sig`...) replaced by `***`.
 */
export function redactUrl(url: URL): string {
  const shown = new URL(url.href);
  shown.username = "";
  shown.password = "";
  for (const key of [...new Set(shown.searchParams.keys())])
    if (/token|secret|passw|api_?key|key$|sig|auth|credential/i.test(key))
      shown.searchParams.set(key, "***");
  return shown.href.replace(/%2A%2A%2A/g, "***");
}

/**
 * `text` with the login and password of every URL in it removed (`http://u:p@h/` becomes
 * `http://h/`), for messages built from a URL or from an error about one (fetch quotes the whole
 * URL it refuses). Up to the last `@` before the host ends, as the WHATWG URL parser splits it.
 */
export function stripUrlCredentials(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#]*@/gi, "$1");
}
