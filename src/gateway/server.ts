import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { apiKeyGuard, createApiKeyCheck, type ApiKeyVariables } from './apikey.js';
import { corsPolicy } from './cors.js';
import { ApiError, errorResponse, pgrst } from './errors.js';
import { createFunctionsHandler } from './functions.js';
import { withForwardedFor } from './forwarded.js';
import { bearerToken, type AuthResult } from './jwt.js';
import type { EdgeFunction } from './options.js';
import type { createRpcHandler } from './rpc.js';

type Variables = ApiKeyVariables & { auth: AuthResult };

export interface AppParts {
  verify: (token: string | undefined) => Promise<AuthResult>;
  apiKeys: string[];
  rpc: ReturnType<typeof createRpcHandler>;
  functions: Record<string, EdgeFunction>;
  /** Handlers by path prefix that answer everything under it themselves (e.g. the local /auth/v1). */
  routes?: Record<string, (req: Request) => Promise<Response>>;
}

/** Unexpected failures: logged by name only (never a request body or a secret), answered as PGRSTX00. */
function toResponse(error: unknown, method: string): Response {
  if (error instanceof ApiError) return errorResponse(error, method);
  console.error(`gateway: unexpected ${(error as Error)?.name ?? 'error'} while answering a request`);
  return errorResponse(pgrst(500, 'PGRSTX00', 'Internal server error'), method);
}

/**
 * The whole gateway as one Hono app. `/rest/v1/*`: CORS → apikey → JWT → PostgREST's RPC
 * processing (the order of POSTGREST.md §1.2 behind Kong). `/functions/v1/<name>`: the edge
 * function registry, with the same apikey and JWT checks for functions that ask for them.
 */
export function createApp(parts: AppParts): Hono<{ Variables: Variables }> {
  const app = new Hono<{ Variables: Variables }>();
  app.onError((error, c) => toResponse(error, c.req.method));

  app.use('/rest/v1/*', corsPolicy(), apiKeyGuard({ apiKeys: parts.apiKeys }), async (c, next) => {
    c.set('auth', await parts.verify(bearerToken(c.get('authorization'))));
    await next();
  });
  app.all('/rest/v1/*', (c) => parts.rpc(c.req.raw, {
    path: c.req.path.slice('/rest/v1'.length),
    auth: c.get('auth'),
    authorization: c.get('authorization'),
  }));

  const checkKey = createApiKeyCheck({ apiKeys: parts.apiKeys });
  const functions = createFunctionsHandler(parts.functions, async (req) => {
    const outcome = checkKey(req);
    if (outcome instanceof Response) return outcome;
    try {
      await parts.verify(bearerToken(outcome.authorization));
    } catch (error) {
      return toResponse(error, req.method);
    }
    const headers = new Headers(req.headers);
    headers.set('authorization', outcome.authorization);
    return new Request(req, { headers });
  });
  app.all('/functions/v1/*', (c) => functions(withForwardedFor(c.req.raw, c.env)));
  for (const [prefix, handler] of Object.entries(parts.routes ?? {})) {
    app.all(prefix, (c) => handler(c.req.raw));
    app.all(`${prefix}/*`, (c) => handler(c.req.raw));
  }
  app.notFound(() => {
    const text = JSON.stringify({ message: 'no Route matched with those values' });
    return new Response(text, { status: 404, headers: { 'Content-Type': 'application/json; charset=utf-8' } });
  });
  return app;
}

/** Serves `fetch` over HTTP; resolves once listening, with a `close` that also drops open sockets. */
export function listenHttp(fetch: (req: Request) => Promise<Response>, port: number, host: string):
  Promise<{ url: string; close: () => Promise<void> }> {
  return new Promise((resolve, reject) => {
    let server: ServerType | undefined = undefined;
    server = serve({ fetch, port, hostname: host }, (info: AddressInfo) => {
      const shown = info.family === 'IPv6' ? `[${info.address}]` : info.address;
      resolve({
        url: `http://${shown}:${info.port}`,
        close: () => new Promise<void>((done) => {
          const http = server as unknown as { close(cb: () => void): void; closeAllConnections?: () => void };
          http.close(() => done());
          http.closeAllConnections?.();
        }),
      });
    });
    server.once('error', reject);
  });
}
