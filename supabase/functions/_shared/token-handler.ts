// POST /functions/v1/token: the OAuth 2.0 client credentials grant (RFC 6749 §4.4, SPEC §7).
// Order of checks: method, content type, form, grant_type, client authentication (one
// indistinguishable invalid_client for every failure), scope. The credential's status is read on
// every request; only the argon2 step may be answered from the verify cache.
import { SignJWT } from 'jose';
import { readClientAuthentication } from './client-auth.ts';
import { createSecretMatcher, DUMMY_SECRET_HASH, type SecretMatch } from './client-secret.ts';
import { CORS_HEADERS, json, preflight } from './http.ts';
import type { SigningKeys } from './keys.ts';
import { invalidClient, oauthError } from './oauth-errors.ts';
import { consoleLogger, systemClock, type Clock, type Logger, type VerifySecret } from './ports.ts';
import { StoreError, type Credential, type CredentialStore } from './store.ts';
import type { UsageRecorder } from './usage-recorder.ts';
import { VerifyCache } from './verify-cache.ts';

export interface TokenConfig {
  issuer: string;
  audience: string;
  /** 60–3600. */
  ttlSeconds: number;
}

export interface TokenHandlerDeps {
  config: TokenConfig;
  keys: SigningKeys;
  store: CredentialStore;
  verifySecret: VerifySecret;
  /** Notes successful exchanges for last_used_at. Default: none. */
  usage?: Pick<UsageRecorder, 'record'>;
  /** Default: a fresh VerifyCache (5 minutes, 10 000 credentials). */
  cache?: VerifyCache;
  clock?: Clock;
  log?: Logger;
}

export { DUMMY_SECRET_HASH };

const METHODS = 'POST, OPTIONS';
const MAX_BODY_BYTES = 16 * 1024;
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/; // RFC 6749 §3.3 scope-token

export function createTokenHandler(deps: TokenHandlerDeps): (req: Request) => Promise<Response> {
  const clock = deps.clock ?? systemClock;
  const log = deps.log ?? consoleLogger;
  const cache = deps.cache ?? new VerifyCache({ clock });

  // Current secret, or the previous one inside its rotation grace (client-secret.ts).
  const matchSecret = createSecretMatcher({ verifySecret: deps.verifySecret, cache, clock });

  return async function tokenHandler(req: Request): Promise<Response> {
    if (req.method === 'OPTIONS') return preflight(METHODS);
    if (req.method !== 'POST') {
      return json({ error: 'invalid_request', error_description: 'The token endpoint accepts only POST.' }, 405, {
        Allow: METHODS, 'Cache-Control': 'no-store',
      });
    }
    const mediaType = (req.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (mediaType !== 'application/x-www-form-urlencoded') {
      return oauthError('invalid_request', 'The body must be application/x-www-form-urlencoded.');
    }
    if (Number(req.headers.get('content-length') ?? 0) > MAX_BODY_BYTES) {
      return oauthError('invalid_request', 'The body is too large.');
    }
    const body = await req.text().catch(() => null);
    if (body === null || body.length > MAX_BODY_BYTES) return oauthError('invalid_request', 'The body could not be read.');
    const form = new URLSearchParams(body);

    for (const name of ['grant_type', 'scope']) {
      if (form.getAll(name).length > 1) return oauthError('invalid_request', `${name} must appear at most once.`);
    }
    const grantType = form.get('grant_type');
    if (!grantType) return oauthError('invalid_request', 'grant_type is required.');
    if (grantType !== 'client_credentials') {
      return oauthError('unsupported_grant_type', 'Only the client_credentials grant is supported.');
    }

    const auth = readClientAuthentication(req.headers.get('authorization'), form);
    if (!auth.ok) {
      if (auth.error === 'invalid_request') return oauthError('invalid_request', auth.description);
      return invalidClient(auth.basicUsed);
    }
    const basicUsed = auth.method === 'basic';

    let credential: Credential | null;
    let match: SecretMatch;
    try {
      credential = await deps.store.lookup(auth.clientId);
    } catch (error) {
      log(`mintid token: credential lookup failed (${describe(error)})`);
      // A refusal (wrong service key, missing function) will not heal by retrying: server_error.
      if (error instanceof StoreError && !error.transient) {
        return oauthError('server_error', 'The token service is misconfigured.');
      }
      return oauthError('temporarily_unavailable', 'The token service is temporarily unavailable; retry later.', { 'Retry-After': '5' });
    }
    try {
      match = await matchSecret(credential, auth.secret);
    } catch (error) {
      log(`mintid token: verifying the secret of credential ${credential?.credentialId} failed (${describe(error)})`);
      return oauthError('server_error', 'The token service could not verify the client.');
    }
    if (!credential || !match) return invalidClient(basicUsed);
    if (match === 'previous_closed' || credential.status !== 'active' ||
      (credential.expiresAt !== null && Date.parse(credential.expiresAt) <= clock.now())) {
      // The right secret of a dead credential (or a retired previous secret): same answer, but counted (SPEC §13).
      deps.usage?.record(credential.credentialId, 'rejected');
      return invalidClient(basicUsed);
    }

    const requested = form.get('scope');
    let scopes = credential.scopes;
    if (requested !== null && requested !== '') { // an empty scope= is no scope (SPEC §14)
      const tokens = requested.split(' ');
      if (tokens.some((t) => !SCOPE_TOKEN.test(t) || !credential.scopes.includes(t))) {
        return oauthError('invalid_scope', 'Request only scopes granted to this client, separated by single spaces.');
      }
      scopes = [...new Set(tokens)];
    }
    const scope = scopes.join(' ');

    // A token never outlives its credential: exp is capped at the credential's expiry.
    const iat = Math.floor(clock.now() / 1000);
    const exp = credential.expiresAt === null
      ? iat + deps.config.ttlSeconds
      : Math.min(iat + deps.config.ttlSeconds, Math.floor(Date.parse(credential.expiresAt) / 1000));
    if (exp <= iat) return invalidClient(basicUsed);

    let accessToken: string;
    try {
      accessToken = await sign(credential, scope, iat, exp);
    } catch (error) {
      log(`mintid token: signing failed (${describe(error)})`);
      return oauthError('server_error', 'The token service could not issue a token.');
    }
    deps.usage?.record(credential.credentialId, match);
    return new Response(
      JSON.stringify({ access_token: accessToken, token_type: 'Bearer', expires_in: exp - iat, scope }),
      {
        status: 200,
        headers: { 'Content-Type': 'application/json;charset=UTF-8', 'Cache-Control': 'no-store', Pragma: 'no-cache', ...CORS_HEADERS },
      },
    );
  };

  function sign(credential: Credential, scope: string, iat: number, exp: number): Promise<string> {
    return new SignJWT({
      client_id: credential.clientId,
      brand_id: credential.brandId,
      credential_id: credential.credentialId,
      scope,
    })
      .setProtectedHeader({ alg: 'ES256', kid: deps.keys.signer.kid, typ: 'at+jwt' })
      .setIssuer(deps.config.issuer)
      .setAudience(deps.config.audience)
      .setSubject(credential.clientId)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .setJti(crypto.randomUUID())
      .sign(deps.keys.signer.key);
  }
}

/** An error's class and code for a log line; never a foreign message, which might quote input. */
function describe(error: unknown): string {
  if (error instanceof StoreError) return `${error.name}: ${error.message}`; // our own text: RPC name and code
  if (!(error instanceof Error)) return 'unknown error';
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? `${error.name} ${code}` : error.name;
}
