/** Secrets that travel inside URLs (credentials, API keys in the query) kept out of logs and notices. */

/** Query parameters that carry a credential rather than select a document. */
const SECRET_PARAM =
  /^(?:api[-_]?key|apikey|key|token|access[-_]?token|auth|authorization|password|passwd|pwd|secret|client[-_]?secret|sig|signature|session|sessionid|sid|private[-_]?token)$/i;
/** `scheme://user:pass@` anywhere in free text. */
const URL_CREDENTIALS = /\b([a-z][a-z\d+.-]*:\/\/)[^\s/@?#]+@/gi;
const WEBHOOK_TOKEN = /(\/webhooks\/\d+\/)[\w-]+/g;

/** A URL with its user info and secret query values replaced; anything unparseable passes through redactSecrets. */
export function redactUrl(value: string): string {
  if (!URL.canParse(value)) return redactSecrets(value);
  const url = new URL(value);
  let changed = false;
  if (url.username || url.password) {
    url.username = 'redacted';
    url.password = '';
    changed = true;
  }
  for (const name of [...new Set(url.searchParams.keys())]) {
    if (SECRET_PARAM.test(name)) {
      url.searchParams.set(name, 'redacted');
      changed = true;
    }
  }
  return redactSecrets(changed ? url.href : value);
}

/** Strips webhook tokens, URL credentials and secret query values from free text (error messages quote URLs). */
export function redactSecrets(text: string): string {
  return text
    .replace(WEBHOOK_TOKEN, '$1[redacted]')
    .replace(URL_CREDENTIALS, '$1redacted@')
    .replace(/([?&])([^=&\s#]+)=([^&\s#]*)/g, (match, lead: string, name: string) =>
      SECRET_PARAM.test(name) ? `${lead}${name}=redacted` : match,
    );
}
