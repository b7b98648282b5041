import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';

/** The API key and the Authorization the gateway forwards, as Kong's key-auth and request-transformer leave them. */
export interface ApiKeyVariables {
  apikey: string;
  /** The client's Authorization header, or `Bearer <apikey>` when it sent none. */
  authorization: string;
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Kong's answers, byte for byte in meaning (POSTGREST.md §7.1): no `code`, no `details`. */
function refuse(message: string, hint: string): Response {
  const text = JSON.stringify({ message, hint });
  return new Response(text, {
    status: 401,
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(Buffer.byteLength(text)) },
  });
}

/**
 * Supabase's gateway in front of PostgREST: the request must carry one of the accepted keys in
 * the `apikey` header or query parameter; without an Authorization header the key itself becomes
 * the Bearer token. Keys are compared through their digests in constant time. The outcome is
 * data: the refusal to send, or what to forward.
 */
export function createApiKeyCheck(options: { apiKeys: string[] }): (req: Request) => Response | ApiKeyVariables {
  if (options.apiKeys.length === 0) throw new Error('the apikey check needs at least one accepted key');
  const accepted = options.apiKeys.map(digest);
  return (req) => {
    const key = req.headers.get('apikey') ?? new URL(req.url).searchParams.get('apikey');
    if (key === null || key === '') return refuse('No API key found in request', 'No apikey request header or url param was found.');
    const candidate = digest(key);
    let known = false;
    for (const item of accepted) known = timingSafeEqual(item, candidate) || known;
    if (!known) return refuse('Invalid API key', 'Double check your Supabase `anon` or `service_role` API key.');
    return { apikey: key, authorization: req.headers.get('authorization') ?? `Bearer ${key}` };
  };
}

/** The apikey check as Hono middleware: refuses, or records the key and forwarded Authorization. */
export function apiKeyGuard(options: { apiKeys: string[] }): MiddlewareHandler<{ Variables: ApiKeyVariables }> {
  const check = createApiKeyCheck(options);
  return async (c, next) => {
    const outcome = check(c.req.raw);
    if (outcome instanceof Response) return outcome;
    c.set('apikey', outcome.apikey);
    c.set('authorization', outcome.authorization);
    await next();
  };
}
