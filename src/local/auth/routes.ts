import { Hono, type MiddlewareHandler } from 'hono';
import { createApiKeyCheck } from '../../gateway/apikey.js';
import { corsPolicy } from '../../gateway/cors.js';
import type { AuthContext, AuthRoute } from './context.js';
import { signInUnavailable, type Unavailable } from './availability.js';
import { API_VERSION_HEADER, authError, AuthReply, signInUnavailableResponse, unexpectedFailure } from './errors.js';
import { logout } from './logout.js';
import { passwordGrant } from './password-grant.js';
import { refreshGrant } from './refresh-grant.js';
import { signup } from './signup.js';
import { SessionStore } from './store.js';
import { getUser } from './user.js';
import type { TokenConfig } from './tokens.js';

export interface AuthRoutesOptions {
  /** URL of the `supabase_auth_admin` login (src/local/auth.sql). */
  databaseUrl: string;
  /** HS256 secret of the stack (the gateway verifies the access tokens with it). */
  jwtSecret: string;
  /** Base URL clients use; the access tokens' `iss` is `<publicUrl>/auth/v1`. */
  publicUrl: string;
  /** Accepted `apikey` values, as for /rest/v1 (every /auth/v1 route needs one, as on hosted Supabase). */
  apiKeys: string[];
  /** Seconds since the epoch; tests freeze it. */
  now?: () => number;
  /** Where "local sign-in unavailable: …" is written, once per cause (default: console.error). */
  log?: (line: string) => void;
}

export interface AuthRoutes {
  /** Answers every request under /auth/v1. */
  handler: (req: Request) => Promise<Response>;
  store: SessionStore;
  /**
   * Tries the routes' database login and functions once: null when local sign-in works, else why
   * not (also logged, once per cause, as every later request that meets the same cause would).
   */
  check(): Promise<Unavailable | null>;
  close(): Promise<void>;
}

/**
 * Runs a route; a ready refusal answers as is, a store that cannot work as 503
 * `local_signin_unavailable` (the cause reported once), anything else as Supabase Auth's 500
 * (logged by name only).
 */
function guarded(route: AuthRoute, ctx: AuthContext, report: (u: Unavailable) => void): (req: Request) => Promise<Response> {
  return async (req) => {
    try {
      return await route(req, ctx);
    } catch (error) {
      if (error instanceof AuthReply) return error.response;
      const unavailable = signInUnavailable(error);
      if (unavailable) {
        report(unavailable);
        return signInUnavailableResponse(req, unavailable.why, unavailable.retryAfter);
      }
      console.error(`auth: unexpected ${(error as Error)?.name ?? 'error'} (${(error as { code?: string })?.code ?? 'no code'}) while answering a request`);
      return unexpectedFailure(req);
    }
  };
}

/** POST /token: the grant named by `grant_type` (query string, as supabase-js sends it). */
const token: AuthRoute = (req, ctx) => {
  switch (new URL(req.url).searchParams.get('grant_type')) {
    case 'password':
      return passwordGrant(req, ctx);
    case 'refresh_token':
      return refreshGrant(req, ctx);
    default:
      // Supabase Auth's answer for a missing or unknown grant type, word for word.
      return Promise.resolve(authError(req, 400, 'invalid_credentials', 'unsupported_grant_type'));
  }
};

/** Browsers may read the API version header (supabase-js needs it to read error codes). */
const exposeApiVersion: MiddlewareHandler = async (c, next) => {
  await next();
  const exposed = c.res.headers.get('Access-Control-Expose-Headers');
  if (exposed !== null) c.res.headers.set('Access-Control-Expose-Headers', `${exposed}, ${API_VERSION_HEADER}`);
};

const PATHS: Record<string, { method: string; route: AuthRoute }> = {
  '/auth/v1/token': { method: 'POST', route: token },
  '/auth/v1/user': { method: 'GET', route: getUser },
  '/auth/v1/logout': { method: 'POST', route: logout },
  '/auth/v1/signup': { method: 'POST', route: signup },
};

/**
 * The local stack's /auth/v1 (SPEC §10): the subset of Supabase Auth that supabase-js's auth
 * client uses for e-mail and password, with Supabase Auth's shapes. CORS as the gateway's, then
 * the gateway's apikey check, then the route.
 */
export function createAuthRoutes(options: AuthRoutesOptions): AuthRoutes {
  const store = new SessionStore(options.databaseUrl);
  const tokens: TokenConfig = {
    jwtSecret: options.jwtSecret,
    issuer: `${options.publicUrl.replace(/\/+$/, '')}/auth/v1`,
    ...(options.now ? { now: options.now } : {}),
  };
  const ctx: AuthContext = { store, tokens };
  const log = options.log ?? ((line: string) => console.error(line));
  // One line per cause, not one per request; a cause that healed (the database came back) may be reported again.
  let lastCause: Unavailable['cause'] | null = null;
  const report = (u: Unavailable) => {
    if (u.cause === lastCause) return;
    lastCause = u.cause;
    log(`local sign-in unavailable: ${u.why} /auth/v1 answers 503 local_signin_unavailable until then.`);
  };
  const checkKey = createApiKeyCheck({ apiKeys: options.apiKeys });
  const app = new Hono();
  app.use('*', exposeApiVersion, corsPolicy(), async (c, next) => {
    const outcome = checkKey(c.req.raw);
    if (outcome instanceof Response) return outcome;
    await next();
  });
  app.all('*', (c) => {
    const entry = PATHS[c.req.path.replace(/\/+$/, '')];
    if (!entry) return authError(c.req.raw, 404, 'not_found', 'Not Found');
    if (c.req.method !== entry.method) {
      const refusal = authError(c.req.raw, 405, 'method_not_allowed', 'Method Not Allowed');
      refusal.headers.set('Allow', `${entry.method}, OPTIONS`);
      return refusal;
    }
    return guarded(entry.route, ctx, report)(c.req.raw);
  });
  return {
    handler: async (req) => app.fetch(req),
    store,
    async check() {
      try {
        await store.probe();
        lastCause = null;
        return null;
      } catch (error) {
        const unavailable = signInUnavailable(error);
        if (!unavailable) throw error;
        report(unavailable);
        return unavailable;
      }
    },
    close: () => store.close(),
  };
}
