import type { MiddlewareHandler } from 'hono';

/** Methods PostgREST's CORS policy allows in a preflight. */
export const CORS_METHODS = ['GET', 'POST', 'PATCH', 'PUT', 'DELETE', 'OPTIONS', 'HEAD'];
/** Response headers PostgREST exposes to browsers (Content-Profile and Proxy-Status are not). */
export const CORS_EXPOSED = 'Content-Encoding, Content-Location, Content-Range, Content-Type, Date, Location, Server, Transfer-Encoding, Range-Unit';

/**
 * PostgREST's CORS behaviour (POSTGREST.md §6): only requests with an Origin are concerned; a
 * preflight is answered here, before authentication or the database, and a failed policy check
 * falls through to the app without CORS headers; other responses gain the allow/expose headers.
 */
export function corsPolicy(): MiddlewareHandler {
  return async (c, next) => {
    const origin = c.req.header('origin');
    if (origin === undefined) return next();
    const requestedMethod = c.req.header('access-control-request-method');
    const preflight = c.req.method === 'OPTIONS' && requestedMethod !== undefined;
    // A preflight the policy refuses reaches the app untouched (PostgREST's corsIgnoreFailures).
    if (preflight && !CORS_METHODS.includes(requestedMethod.trim().toUpperCase())) return next();
    if (preflight) {
      const requested = (c.req.header('access-control-request-headers') ?? '').split(',').map((h) => h.trim()).filter(Boolean);
      const headers: string[] = [];
      for (const h of ['Authorization', ...requested, 'Accept', 'Accept-Language', 'Content-Language']) {
        if (!headers.some((x) => x.toLowerCase() === h.toLowerCase())) headers.push(h);
      }
      return new Response(null, {
        status: 200,
        headers: {
          'Access-Control-Allow-Origin': '*',
          'Access-Control-Allow-Methods': CORS_METHODS.join(', '),
          'Access-Control-Allow-Headers': headers.join(', '),
          'Access-Control-Max-Age': '86400',
        },
      });
    }
    await next();
    c.res.headers.set('Access-Control-Allow-Origin', '*');
    c.res.headers.set('Access-Control-Expose-Headers', CORS_EXPOSED);
  };
}
