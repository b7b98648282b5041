// GET /functions/v1/jwks: the public halves of every configured signing key (SPEC §7).
import { json, preflight } from './http.ts';
import type { SigningKeys } from './keys.ts';

const METHODS = 'GET, HEAD, OPTIONS';

export interface JwksHandlerOptions {
  jwks: SigningKeys['jwks'];
  /** Cache-Control max-age. Default 300 s: short enough that a newly added key spreads before it signs. */
  maxAgeSeconds?: number;
}

export function createJwksHandler(options: JwksHandlerOptions): (req: Request) => Promise<Response> {
  const body = JSON.stringify(options.jwks);
  const cacheControl = `public, max-age=${options.maxAgeSeconds ?? 300}`;
  return async (req) => {
    if (req.method === 'OPTIONS') return preflight(METHODS);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return json({ error: 'method_not_allowed', error_description: 'The JWKS endpoint accepts only GET.' }, 405, { Allow: METHODS });
    }
    const response = json(JSON.parse(body), 200, { 'Cache-Control': cacheControl });
    return req.method === 'HEAD' ? new Response(null, { status: 200, headers: response.headers }) : response;
  };
}
