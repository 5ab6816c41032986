// What get_url, uri and unarchive's URL source share: the host's curl, told everything through a config
// on its stdin (`curl -K -`), so a URL with a token, an Authorization header or a body never appears in
// the host's process list (argv) or in skiff's own command lines.

export interface CurlRequest {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  /** sent as is (curl's data-raw: a leading @ is not a file name) */
  body?: string;
  /** follow redirects */
  follow?: boolean;
  /** seconds for the whole transfer */
  timeout?: number;
  /** accept any TLS certificate (Ansible's validate_certs: false) */
  insecure?: boolean;
  /** exit non-zero on an HTTP status of 400 or more */
  failOnError?: boolean;
  /** credentials (in the config on stdin, never in argv): sent when the server asks, or at once with `basic` */
  user?: { name: string; password: string; basic: boolean };
}

/** A value in curl's config syntax: double quotes, with \\ \" \n \r \t escaped. Pure. */
export const curlQuote = (s: string): string => `"${s.replace(/[\\"\n\r\t]/g, (c) => ({ '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t' })[c]!)}"`;

/** The config text for `curl -K -`. Pure. */
export function curlConfig(r: CurlRequest): string {
  const lines = [`url = ${curlQuote(r.url)}`, 'silent', 'show-error'];
  if (r.method) lines.push(`request = ${curlQuote(r.method)}`);
  for (const [k, val] of Object.entries(r.headers ?? {})) lines.push(`header = ${curlQuote(`${k}: ${val}`)}`);
  if (r.body !== undefined) lines.push(`data-raw = ${curlQuote(r.body)}`);
  if (r.follow) lines.push('location');
  if (r.timeout) lines.push(`max-time = ${r.timeout}`);
  if (r.insecure) lines.push('insecure');
  if (r.failOnError) lines.push('fail');
  // Ansible's url_username/url_password: urllib's basic and digest handlers answer a 401's challenge;
  // force_basic_auth sends Basic with the first request
  if (r.user) lines.push(`user = ${curlQuote(`${r.user.name}:${r.user.password}`)}`, r.user.basic ? 'basic' : 'anyauth');
  return lines.join('\n') + '\n';
}

/** A URL with any user:password@ part hidden, for messages. Pure. */
export const shownUrl = (url: string): string => url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/i, '$1***@');
