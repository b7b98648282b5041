// Client authentication for the token endpoint (RFC 6749 §2.3.1): HTTP Basic, whose user and
// password are each application/x-www-form-urlencoded before base64, or client_id and
// client_secret in the form body — one of the two, never both (Basic may repeat its own client_id
// in the body). Shared by the token and introspection endpoints.

export type ClientAuthentication =
  | { ok: true; method: 'basic' | 'body'; clientId: string; secret: string }
  /** invalid_request: both methods, or a repeated credential parameter. */
  | { ok: false; error: 'invalid_request'; description: string; basicUsed: boolean }
  /** invalid_client: no (complete) client authentication, or an unusable Basic header. */
  | { ok: false; error: 'invalid_client'; basicUsed: boolean };

/** Reads the client's credentials from the Authorization header and the parsed form body. */
export function readClientAuthentication(authorization: string | null, form: URLSearchParams): ClientAuthentication {
  // Only Basic is client authentication. Another scheme (supabase-js sends `Bearer <anon key>`
  // by default) is not ours to judge and is ignored.
  if (authorization !== null && /^basic(\s|$)/i.test(authorization)) {
    // RFC 6749 §3.2.1 lets a client that authenticates send its client_id in the body too (e.g.
    // requests-oauthlib's include_client_id=True): accepted when it is the Basic one. A secret in
    // the body, or another client_id, is a second way of authenticating: refused.
    if (form.has('client_secret') || form.getAll('client_id').length > 1) {
      return { ok: false, error: 'invalid_request', description: 'Use either HTTP Basic or client_id and client_secret in the body, not both.', basicUsed: true };
    }
    const credentials = decodeBasic(authorization.slice(5).trim());
    if (!credentials) return { ok: false, error: 'invalid_client', basicUsed: true };
    if (form.has('client_id') && form.get('client_id') !== credentials.clientId) {
      return { ok: false, error: 'invalid_request', description: 'The client_id in the body differs from the HTTP Basic one.', basicUsed: true };
    }
    return { ok: true, method: 'basic', ...credentials };
  }
  if (form.getAll('client_id').length > 1 || form.getAll('client_secret').length > 1) {
    return { ok: false, error: 'invalid_request', description: 'client_id and client_secret must appear at most once.', basicUsed: false };
  }
  const clientId = form.get('client_id') ?? '';
  const secret = form.get('client_secret') ?? '';
  if (clientId === '' || secret === '') return { ok: false, error: 'invalid_client', basicUsed: false };
  return { ok: true, method: 'body', clientId, secret };
}

/** `base64(urlencode(client_id) ":" urlencode(client_secret))`, or null if it is not that. */
function decodeBasic(token: string): { clientId: string; secret: string } | null {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(token)) return null;
  let text: string;
  try {
    const binary = atob(token);
    text = new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
  } catch {
    return null;
  }
  const colon = text.indexOf(':');
  if (colon < 0) return null;
  const clientId = formDecode(text.slice(0, colon));
  const secret = formDecode(text.slice(colon + 1));
  if (!clientId || !secret) return null;
  return { clientId, secret };
}

/** application/x-www-form-urlencoded decoding of one value: `+` is a space, then %XX; null if malformed. */
function formDecode(value: string): string | null {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return null;
  }
}
