// POST /functions/v1/token: the OAuth 2.0 client credentials grant (RFC 6749 §4.4, SPEC §7).
// Order of checks: method, content type, form, grant_type, client authentication (one
// indistinguishable invalid_client for every failure), scope. The credential's status is read on
// every request; only the argon2 step may be answered from the verify cache, and only for an
// active credential. The cold path (argon2) passes the limits of rate-limits.ts first (cold-path.ts)
// and the status is read again before signing (SPEC §14).
import { SignJWT } from 'jose';
import { readClientAuthentication } from './client-auth.ts';
import { DUMMY_SECRET_HASH, previousSecretOpen } from './client-secret.ts';
import { authenticateClientSecret, type PrefetchedFailures } from './cold-path.ts';
import { CORS_HEADERS } from './http.ts';
import type { SigningKeys } from './keys.ts';
import { invalidClient, oauthError, storeFailure } from './oauth-errors.ts';
import { readOAuthForm } from './oauth-form.ts';
import { consoleLogger, systemClock, type Clock, type Logger, type VerifySecret } from './ports.ts';
import { clientAddress, failureKeys, tooManyExchanges, tooManyFailures, type TokenLimits } from './rate-limits.ts';
import { describeError, type Credential, type CredentialStore } from './store.ts';
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
  /** Limits before argon2 and on successes (rate-limits.ts). Default: none. */
  limits?: TokenLimits;
}

export { DUMMY_SECRET_HASH };

/** The database's client_id rule (SPEC §5): any other value cannot name a credential, so it is not looked up. */
const CLIENT_ID = /^[A-Za-z0-9._-]{3,128}$/;
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/; // RFC 6749 §3.3 scope-token

export function createTokenHandler(deps: TokenHandlerDeps): (req: Request) => Promise<Response> {
  const clock = deps.clock ?? systemClock;
  const log = deps.log ?? consoleLogger;
  const cache = deps.cache ?? new VerifyCache({ clock });

  const limits = deps.limits ?? {};

  /** Active now: not revoked, not expired (an expiry JavaScript cannot represent counts as far away). */
  const isActive = (c: Credential) => c.status === 'active' && !(expiresMs(c) <= clock.now());

  /**
   * 429 before the lookup while this instance knows the request's key is blocked (the client_id's
   * credential, or the address for a client_id it has not seen), unless the secret matches the
   * verify cache: that one takes the normal path, with its status read as always.
   */
  async function refuseWhileBlocked(clientId: string, secret: string, req: Request): Promise<Response | null> {
    if (!limits.blocks) return null;
    const known = limits.blocks.credentialOf(clientId);
    const address = clientAddress(req);
    // Without a proxy's address every caller shares 'unknown': judge such a client_id only after its lookup.
    if (!known && address === 'unknown') return null;
    const seconds = limits.blocks.blockedSeconds(failureKeys(known?.credentialId ?? null, address), clock.now());
    if (seconds === 0) return null;
    if (known && await cache.matches(known.credentialId, known.secretHash, secret)) return null;
    return tooManyFailures(seconds, limits.failureDelayMs);
  }

  /**
   * Whether a request for this client_id will probably run argon2: this instance has not seen the
   * client_id (limits.blocks remembers the credential of each one it looked up), or the verify
   * cache holds nothing for its stored hash. Without local blocks: never (the lookup goes alone,
   * the failure count is read by the cold path only when it is needed).
   */
  function probablyCold(clientId: string): boolean {
    if (!limits.blocks) return false;
    const known = limits.blocks.credentialOf(clientId);
    return !known || !cache.has(known.credentialId, known.secretHash);
  }

  const storeDown = storeFailure(log, 'mintid token', 'token service');

  return async function tokenHandler(req: Request): Promise<Response> {
    const form = await readOAuthForm(req, 'The token endpoint');
    if (form instanceof Response) return form;

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

    const early = await refuseWhileBlocked(auth.clientId, auth.secret, req);
    if (early) return early;
    let credential: Credential | null = null;
    let prefetched: PrefetchedFailures | undefined;
    // An impossible client_id (a NUL byte, 500 characters) is an unknown client: not looked up, same cost.
    if (CLIENT_ID.test(auth.clientId)) {
      try {
        if (probablyCold(auth.clientId) && limits.failures && deps.store.lookupWithFailures) {
          // The cold path's failure check rides along with the lookup: one round trip before argon2.
          const found = await deps.store.lookupWithFailures(auth.clientId, failureKeys(null, clientAddress(req))[0]!, limits.failuresPerMinute ?? 10);
          credential = found.credential;
          prefetched = found.failures;
        } else {
          credential = await deps.store.lookup(auth.clientId);
        }
      } catch (error) {
        // A refusal (wrong service key, missing function) will not heal by retrying: server_error.
        return storeDown('credential lookup', error);
      }
      if (credential) limits.blocks?.noteCredential(auth.clientId, credential.credentialId, credential.secretHash);
    }

    // Every argon2 verification of this request goes through the cold path's limits and slots;
    // the current secret, or the previous one inside its rotation grace (client-secret.ts).
    const verified = await authenticateClientSecret({
      cold: { limits, verifySecret: deps.verifySecret, log, storeDown, now: () => clock.now() },
      matcher: { cache, clock }, usage: deps.usage, isActive, service: 'mintid token',
      refuse: () => invalidClient(basicUsed),
      verifyFailed: () => oauthError('server_error', 'The token service could not verify the client.'),
    }, credential, auth.secret, req, prefetched);
    if (verified instanceof Response) return verified;
    const { match } = verified;
    credential = verified.credential;
    if (verified.argon2Ran) {
      // argon2 took tens of milliseconds (seconds under load): a revocation or rotation that
      // committed meanwhile must win. Read the credential again before signing (SPEC §14).
      let fresh: Credential | null;
      try {
        fresh = await deps.store.lookup(auth.clientId);
      } catch (error) {
        return storeDown('credential re-check', error);
      }
      const same = fresh !== null && fresh.credentialId === credential.credentialId && (match === 'current'
        ? fresh.secretHash === credential.secretHash
        : fresh.previousSecret?.hash === credential.previousSecret?.hash && previousSecretOpen(fresh, clock.now()));
      if (!fresh || !same || !isActive(fresh)) {
        cache.forget(credential.credentialId);
        if (fresh && fresh.credentialId === credential.credentialId && !isActive(fresh)) deps.usage?.record(credential.credentialId, 'rejected');
        return invalidClient(basicUsed);
      }
      credential = fresh;
    }
    const current = credential;

    const requested = form.get('scope');
    let scopes = credential.scopes;
    if (requested !== null && requested !== '') { // an empty scope= is no scope (SPEC §14)
      const tokens = requested.split(' ');
      if (tokens.some((t) => !SCOPE_TOKEN.test(t) || !current.scopes.includes(t))) {
        return oauthError('invalid_scope', 'Request only scopes granted to this client, separated by single spaces.');
      }
      scopes = [...new Set(tokens)];
    }
    const scope = scopes.join(' ');

    // A token never outlives its credential: exp is capped at the credential's expiry.
    const iat = Math.floor(clock.now() / 1000);
    const until = expiresMs(credential);
    const exp = Number.isFinite(until)
      ? Math.min(iat + deps.config.ttlSeconds, Math.floor(until / 1000))
      : iat + deps.config.ttlSeconds;
    if (exp <= iat) return invalidClient(basicUsed);
    const rate = limits.successes?.take(credential.credentialId);
    if (rate && !rate.allowed) return tooManyExchanges(rate.headers);

    let accessToken: string;
    try {
      accessToken = await sign(credential, scope, iat, exp);
    } catch (error) {
      log(`mintid token: signing failed (${describeError(error)})`);
      return oauthError('server_error', 'The token service could not issue a token.');
    }
    deps.usage?.record(credential.credentialId, match);
    return new Response(
      JSON.stringify({ access_token: accessToken, token_type: 'Bearer', expires_in: exp - iat, scope }),
      {
        status: 200,
        headers: {
          'Content-Type': 'application/json;charset=UTF-8', 'Cache-Control': 'no-store', Pragma: 'no-cache', ...CORS_HEADERS,
          ...rate?.headers,
        },
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

/** The credential's expiry in ms since the epoch; NaN when there is none or JavaScript cannot represent it. */
function expiresMs(credential: Credential): number {
  return credential.expiresAt === null ? NaN : Date.parse(credential.expiresAt);
}

