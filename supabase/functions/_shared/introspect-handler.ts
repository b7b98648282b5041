// POST /functions/v1/introspect: OAuth 2.0 token introspection (RFC 7662, SPEC §14). A resource
// server asks whether an access token is active *now*: the signature, issuer, audience and expiry
// are checked, and the token's credential is looked up on every request, so a revocation (or the
// credential's expiry) answers `{"active": false}` on the very next call — unlike verifying the
// signature alone, which accepts the token until its `exp`.
//
// Who may ask: the project's service key as `Authorization: Bearer` (any brand's tokens), or a
// MintID credential holding scope `mintid:introspect` — by HTTP Basic / client_secret_post like
// the token endpoint, or with one of its own access tokens as Bearer — for tokens of its own brand
// only (any other token answers `{"active": false}`, exactly like an unknown one).
import { createLocalJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { readClientAuthentication } from './client-auth.ts';
import { authenticateClientSecret } from './cold-path.ts';
import { json } from './http.ts';
import type { PublicSigningJwk } from './keys.ts';
import { invalidClient, oauthError, storeFailure } from './oauth-errors.ts';
import { readOAuthForm } from './oauth-form.ts';
import { consoleLogger, constantTimeEqual, systemClock, type Clock, type Logger, type VerifySecret } from './ports.ts';
import type { TokenLimits } from './rate-limits.ts';
import type { Credential, CredentialStore } from './store.ts';
import type { UsageRecorder } from './usage-recorder.ts';
import { VerifyCache } from './verify-cache.ts';

/** The scope a credential needs to introspect its brand's tokens. */
export const INTROSPECT_SCOPE = 'mintid:introspect';

export interface IntrospectHandlerDeps {
  config: { issuer: string; audience: string };
  /** The public signing keys (the JWKS the jwks function serves). */
  jwks: { keys: PublicSigningJwk[] };
  /** The service key; a Bearer equal to it may introspect every brand's tokens. */
  serviceRoleKey: string;
  store: CredentialStore;
  verifySecret: VerifySecret;
  usage?: Pick<UsageRecorder, 'record'>;
  cache?: VerifyCache;
  clock?: Clock;
  log?: Logger;
  /**
   * The token endpoint's limits before argon2 (SPEC §14) for callers that authenticate with a
   * client secret: the same failure count per client_id (shared in the database), verification
   * slots. Default: none.
   */
  limits?: Pick<TokenLimits, 'failures' | 'failuresPerMinute' | 'failureDelayMs' | 'slots'>;
}

const INACTIVE = { active: false } as const;
const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };

/** Who is asking: every brand (the service key) or one brand (a credential with the scope). */
type Caller = { kind: 'service' } | { kind: 'credential'; brandId: string };

/** Claims every MintID access token carries (SPEC §7). */
interface AccessClaims extends JWTPayload {
  client_id: string;
  brand_id: string;
  credential_id: string;
  scope: string;
  sub: string;
  exp: number;
  iat: number;
  jti: string;
}

class LookupFailed extends Error {
  constructor(readonly response: Response) {
    super('lookup failed');
  }
}

export function createIntrospectHandler(deps: IntrospectHandlerDeps): (req: Request) => Promise<Response> {
  const clock = deps.clock ?? systemClock;
  const log = deps.log ?? consoleLogger;
  const cache = deps.cache ?? new VerifyCache({ clock });
  const limits = deps.limits ?? {};
  const keySet = createLocalJWKSet(deps.jwks as unknown as Parameters<typeof createLocalJWKSet>[0]);
  const serviceKey = new TextEncoder().encode(deps.serviceRoleKey);

  const isActiveNow = (credential: Credential | null): credential is Credential =>
    credential !== null && credential.status === 'active' &&
    (credential.expiresAt === null || Date.parse(credential.expiresAt) > clock.now());

  /** A store call failed: 503 when retrying may help, else 500 (a refusal will not heal). */
  const storeDown = storeFailure(log, 'mintid introspect', 'introspection service');

  async function lookup(clientId: string): Promise<Credential | null> {
    try {
      return await deps.store.lookup(clientId);
    } catch (error) {
      throw new LookupFailed(storeDown('credential lookup', error));
    }
  }

  /** A MintID access token's claims, or null when it is not one that this server issued and that is unexpired. */
  async function verifyAccessToken(token: string): Promise<AccessClaims | null> {
    if (token.length === 0 || token.length > 4096) return null;
    try {
      const { payload } = await jwtVerify(token, keySet, {
        issuer: deps.config.issuer, audience: deps.config.audience, algorithms: ['ES256'], typ: 'at+jwt',
        currentDate: new Date(clock.now()), requiredClaims: ['exp', 'iat', 'sub', 'jti'],
      });
      const p = payload as Partial<AccessClaims>;
      if (typeof p.client_id !== 'string' || typeof p.brand_id !== 'string' || typeof p.credential_id !== 'string' ||
        typeof p.scope !== 'string' || p.sub !== p.client_id) return null;
      return p as AccessClaims;
    } catch {
      return null;
    }
  }

  /** The token's claims when its credential is active now (and still the one that got it). */
  async function activeToken(token: string): Promise<{ claims: AccessClaims; credential: Credential } | null> {
    const claims = await verifyAccessToken(token);
    if (!claims) return null;
    const credential = await lookup(claims.client_id);
    if (!isActiveNow(credential) || credential.credentialId !== claims.credential_id || credential.brandId !== claims.brand_id) {
      return null;
    }
    return { claims, credential };
  }

  /** Authenticates the caller, or answers the refusal (RFC 7662 §2.1: 401). */
  async function authenticateCaller(req: Request, form: URLSearchParams): Promise<Caller | Response> {
    const authorization = req.headers.get('authorization');
    const bearer = authorization === null ? null : /^bearer\s+(\S+)\s*$/i.exec(authorization)?.[1] ?? null;
    // "Bearer" with nothing after it (an unset shell variable, usually): say so, not "no authentication".
    if (authorization !== null && /^bearer\s*$/i.test(authorization)) {
      return bearerRefused('invalid_token', 'The Authorization header says Bearer but carries no token.');
    }
    if (bearer !== null && !form.has('client_id') && !form.has('client_secret')) {
      if (constantTimeEqual(new TextEncoder().encode(bearer), serviceKey)) return { kind: 'service' };
      const caller = await activeToken(bearer);
      if (!caller) return bearerRefused('invalid_token', 'The bearer token is not an active MintID access token or the service key.');
      if (!caller.claims.scope.split(' ').includes(INTROSPECT_SCOPE)) {
        return bearerRefused('insufficient_scope', `The access token needs the scope ${INTROSPECT_SCOPE}.`);
      }
      return { kind: 'credential', brandId: caller.credential.brandId };
    }
    const auth = readClientAuthentication(authorization, form);
    if (!auth.ok) {
      if (auth.error === 'invalid_request') return oauthError('invalid_request', auth.description);
      return invalidClient(auth.basicUsed);
    }
    const basicUsed = auth.method === 'basic';
    const credential = await lookup(auth.clientId);
    // Every argon2 verification goes through the token endpoint's cold path: failure limit, slots.
    const verified = await authenticateClientSecret({
      cold: { limits, verifySecret: deps.verifySecret, log, storeDown },
      matcher: { cache, clock }, usage: deps.usage, isActive: isActiveNow, service: 'mintid introspect',
      refuse: () => invalidClient(basicUsed),
      verifyFailed: () => oauthError('server_error', 'The introspection service could not verify the client.'),
    }, credential, auth.secret, req);
    if (verified instanceof Response) return verified;
    deps.usage?.record(verified.credential.credentialId, verified.match);
    if (!verified.credential.scopes.includes(INTROSPECT_SCOPE)) {
      return json({ error: 'insufficient_scope', error_description: `The client needs the scope ${INTROSPECT_SCOPE}.` }, 401, NO_STORE);
    }
    return { kind: 'credential', brandId: verified.credential.brandId };
  }

  return async function introspectHandler(req: Request): Promise<Response> {
    const form = await readOAuthForm(req, 'The introspection endpoint');
    if (form instanceof Response) return form;

    try {
      const caller = await authenticateCaller(req, form);
      if (caller instanceof Response) return caller;
      const tokens = form.getAll('token');
      if (tokens.length !== 1 || tokens[0] === '') return oauthError('invalid_request', 'Send the token to introspect, once, as `token`.');
      // token_type_hint is optional and may be ignored (RFC 7662 §2.1): there is one kind of token here.
      const found = await activeToken(tokens[0]!);
      if (!found || (caller.kind === 'credential' && found.claims.brand_id !== caller.brandId)) {
        return json(INACTIVE, 200, NO_STORE);
      }
      const c = found.claims;
      return json({
        active: true, scope: c.scope, client_id: c.client_id, token_type: 'Bearer', exp: c.exp, iat: c.iat,
        sub: c.sub, aud: c.aud, iss: c.iss, jti: c.jti, brand_id: c.brand_id, credential_id: c.credential_id,
      }, 200, NO_STORE);
    } catch (error) {
      if (error instanceof LookupFailed) return error.response;
      throw error;
    }
  };
}

/** RFC 6750 §3: 401 with a Bearer challenge naming the problem. */
function bearerRefused(error: 'invalid_token' | 'insufficient_scope', description: string): Response {
  return json({ error, error_description: description }, 401, {
    ...NO_STORE,
    'WWW-Authenticate': `Bearer realm="mintid", error="${error}"`,
  });
}

