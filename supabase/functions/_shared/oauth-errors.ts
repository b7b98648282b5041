// OAuth 2.0 error responses (RFC 6749 §5.2): one closed set of codes, each with its HTTP status.
import { json } from './http.ts';
import type { Logger } from './ports.ts';
import { describeError, StoreError } from './store.ts';

export const OAUTH_ERROR_STATUS = {
  invalid_request: 400,
  invalid_client: 401,
  unsupported_grant_type: 400,
  invalid_scope: 400,
  /** Not in RFC 6749: the rate limits of SPEC §14 (with Retry-After). */
  too_many_requests: 429,
  server_error: 500,
  temporarily_unavailable: 503,
} as const;
export type OAuthErrorCode = keyof typeof OAUTH_ERROR_STATUS;

/**
 * The one description of every client-authentication failure (none given, unknown client, wrong
 * secret, revoked, expired): nothing in the answer tells them apart.
 */
export const INVALID_CLIENT_DESCRIPTION = 'Client authentication failed.';

/** An RFC 6749 §5.2 error: `{"error", "error_description"}`, never cached. */
export function oauthError(code: OAuthErrorCode, description: string, headers: Record<string, string> = {}): Response {
  return json({ error: code, error_description: description }, OAUTH_ERROR_STATUS[code], {
    'Cache-Control': 'no-store',
    Pragma: 'no-cache',
    ...headers,
  });
}

/** invalid_client, with the Basic challenge when the client tried HTTP Basic (RFC 6749 §5.2). */
export function invalidClient(basicUsed: boolean): Response {
  return oauthError('invalid_client', INVALID_CLIENT_DESCRIPTION, basicUsed ? { 'WWW-Authenticate': 'Basic realm="mintid"' } : {});
}

/**
 * The answer to a failed store call, after one log line (`<prefix>: <what> failed (<class>)`): 503
 * with Retry-After when retrying may help, else 500 (a refusal will not heal). `service` names the
 * endpoint in the description ("token service", "introspection service").
 */
export function storeFailure(log: Logger, prefix: string, service: string): (what: string, error: unknown) => Response {
  return (what, error) => {
    log(`${prefix}: ${what} failed (${describeError(error)})`);
    if (error instanceof StoreError && !error.transient) return oauthError('server_error', `The ${service} is misconfigured.`);
    return oauthError('temporarily_unavailable', `The ${service} is temporarily unavailable; retry later.`, { 'Retry-After': '5' });
  };
}
