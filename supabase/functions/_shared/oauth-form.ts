// The request of an OAuth endpoint (token, introspection) up to its form: a CORS preflight is
// answered, only POST with an application/x-www-form-urlencoded body is taken, and the body is
// bounded before it is read (SPEC §15: a declared or streamed body past 16 KiB is refused).
import { json, preflight, readBoundedText } from './http.ts';
import { oauthError } from './oauth-errors.ts';

export const OAUTH_METHODS = 'POST, OPTIONS';
export const MAX_FORM_BYTES = 16 * 1024;
const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };

/** The form, or the response that refuses the request; `endpoint` names it in the 405 ("The token endpoint"). */
export async function readOAuthForm(req: Request, endpoint: string): Promise<URLSearchParams | Response> {
  if (req.method === 'OPTIONS') return preflight(OAUTH_METHODS);
  if (req.method !== 'POST') {
    return json({ error: 'invalid_request', error_description: `${endpoint} accepts only POST.` }, 405, { Allow: OAUTH_METHODS, ...NO_STORE });
  }
  const mediaType = (req.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (mediaType !== 'application/x-www-form-urlencoded') {
    return oauthError('invalid_request', 'The body must be application/x-www-form-urlencoded.');
  }
  const body = await readBoundedText(req, MAX_FORM_BYTES);
  if (!body.ok) {
    if (body.reason === 'unreadable') return oauthError('invalid_request', 'The body could not be read.');
    return json({ error: 'invalid_request', error_description: `The body must be at most ${MAX_FORM_BYTES} bytes.` }, 413, NO_STORE);
  }
  return new URLSearchParams(body.text);
}
