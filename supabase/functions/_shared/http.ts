// Response helpers shared by the token and JWKS handlers: JSON bodies, CORS, 405s.

/** CORS for browser callers. Tokens are bearer values in a body, never cookies: no credentials mode. */
export const CORS_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers': 'WWW-Authenticate',
});

/** The answer to a CORS preflight for the given methods. */
export function preflight(methods: string): Response {
  return new Response(null, {
    status: 204,
    headers: {
      ...CORS_HEADERS,
      'Access-Control-Allow-Methods': methods,
      'Access-Control-Allow-Headers': 'authorization, content-type, apikey, x-client-info',
      'Access-Control-Max-Age': '86400',
      Allow: methods,
    },
  });
}

/** A JSON response with CORS headers. */
export function json(body: unknown, status: number, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json;charset=UTF-8', ...CORS_HEADERS, ...headers },
  });
}
