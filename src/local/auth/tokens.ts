import { errors as joseErrors, jwtVerify } from 'jose';
import { signHs256 } from '../keys.js';
import { authError, AuthReply } from './errors.js';
import type { AuthUser, OpenedSession, SessionStore } from './store.js';

/** Lifetime of a local access token (Supabase Auth's default JWT expiry). */
export const ACCESS_TOKEN_SECONDS = 3600;

export interface TokenConfig {
  /** HS256 secret shared with the gateway. */
  jwtSecret: string;
  /** `iss` of the access tokens: `<public URL>/auth/v1`, as Supabase Auth sets it. */
  issuer: string;
  /** Seconds since the epoch; tests freeze it. */
  now?: () => number;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/**
 * Supabase Auth's AccessTokenResponse for an opened session: an HS256 access token with the claims
 * Supabase Auth puts in (sub, aud, role, email, session_id, aal, amr, metadata, is_anonymous).
 */
export async function sessionResponse(config: TokenConfig, session: OpenedSession): Promise<Record<string, unknown>> {
  const iat = (config.now ?? nowSeconds)();
  const exp = iat + ACCESS_TOKEN_SECONDS;
  const { user } = session;
  const accessToken = await signHs256(config.jwtSecret, {
    iss: config.issuer,
    sub: user.id,
    aud: user.aud ?? 'authenticated',
    exp,
    iat,
    email: user.email,
    phone: user.phone ?? '',
    app_metadata: user.app_metadata,
    user_metadata: user.user_metadata,
    role: user.role ?? 'authenticated',
    aal: 'aal1',
    amr: [{ method: 'password', timestamp: session.authenticatedAt }],
    session_id: session.sessionId,
    is_anonymous: user.is_anonymous === true,
  });
  return {
    access_token: accessToken,
    token_type: 'bearer',
    expires_in: ACCESS_TOKEN_SECONDS,
    expires_at: exp,
    refresh_token: session.refreshToken,
    user,
  };
}

/** golang-jwt's wording for why a token failed, as Supabase Auth puts it in its bad_jwt message. */
function jwtFailure(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'token has invalid claims: token is expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed) return 'token has invalid claims: token is not valid yet';
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'token signature is invalid: signature is invalid';
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'token is unverifiable: signing method is invalid';
  return 'token is malformed: could not parse the token';
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface Authenticated {
  user: AuthUser;
  claims: Record<string, unknown>;
  /** The token's session_id, when it names one. */
  sessionId: string | undefined;
}

/**
 * Supabase Auth's requireAuthentication: a Bearer token (401 no_authorization), verified with the
 * JWT secret and no leeway (403 bad_jwt), whose sub is a uuid (400 bad_jwt) of an existing user
 * (403 user_not_found) and whose session_id, if any, still exists (403 session_not_found — what
 * supabase-js reads as "signed out").
 */
export async function authenticate(req: Request, config: TokenConfig, store: SessionStore): Promise<Authenticated> {
  const match = /^bearer (\S+)$/i.exec(req.headers.get('authorization') ?? '');
  if (!match) throw new AuthReply(authError(req, 401, 'no_authorization', 'This endpoint requires a valid Bearer token'));
  let claims: Record<string, unknown>;
  try {
    const now = config.now ?? nowSeconds;
    ({ payload: claims } = await jwtVerify(match[1]!, new TextEncoder().encode(config.jwtSecret), {
      algorithms: ['HS256'], currentDate: new Date(now() * 1000),
    }));
  } catch (error) {
    throw new AuthReply(authError(req, 403, 'bad_jwt', `invalid JWT: unable to parse or verify signature, ${jwtFailure(error)}`));
  }
  const sub = claims.sub;
  if (typeof sub !== 'string' || sub === '') throw new AuthReply(authError(req, 403, 'bad_jwt', 'invalid claim: missing sub claim'));
  if (!UUID.test(sub)) throw new AuthReply(authError(req, 400, 'bad_jwt', 'invalid claim: sub claim must be a UUID'));
  const rawSession = claims.session_id;
  let sessionId: string | undefined;
  if (rawSession !== undefined && rawSession !== null && rawSession !== '' && rawSession !== '00000000-0000-0000-0000-000000000000') {
    if (typeof rawSession !== 'string' || !UUID.test(rawSession)) {
      throw new AuthReply(authError(req, 403, 'bad_jwt', 'invalid claim: session_id claim must be a UUID'));
    }
    sessionId = rawSession;
  }
  const subject = await store.tokenSubject(sub, sessionId);
  if (!subject) throw new AuthReply(authError(req, 403, 'user_not_found', 'User from sub claim in JWT does not exist'));
  if (!subject.sessionExists) {
    throw new AuthReply(authError(req, 403, 'session_not_found', 'Session from session_id claim in JWT does not exist'));
  }
  return { user: subject.user, claims, sessionId };
}
