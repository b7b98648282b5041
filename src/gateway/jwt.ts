import { compactVerify, decodeProtectedHeader, errors as joseErrors, importJWK, type JWK } from 'jose';
import { jwtError } from './errors.js';
import { JwtCache, type JwtCacheOptions } from './jwt-cache.js';

/** Who the request acts as: the role to switch to and the claims for `request.jwt.claims`. */
export interface AuthResult {
  role: string;
  /** The token's claims (without the role filled in); `{}` for anonymous requests. */
  claims: Record<string, unknown>;
  /** True when a token was presented (even one whose role is the anon role). */
  hasToken: boolean;
  /** `request.jwt.claims`: the claims with `role` set to the effective role, as JSON (made once per token). */
  claimsJson: string;
}

/** PostgREST's fixed clock skew allowance for exp/nbf/iat, in seconds. */
export const JWT_LEEWAY_SECONDS = 30;

interface VerificationKey {
  alg: string;
  kid: string | undefined;
  key: Uint8Array | CryptoKey;
}

export interface JwtVerifierOptions {
  /** HS256 secret (≥ 32 characters, checked by the options schema). */
  secret: string;
  /** Public keys (ES256, RS256, …) also accepted, e.g. for asymmetric Supabase Auth tokens. */
  jwks?: { keys: JsonWebKey[] };
  anonRole: string;
  /** Seconds since the epoch; tests freeze it. */
  now?: () => number;
  /** The verified-token cache (PostgREST's JWT cache); `false` turns it off. */
  cache?: JwtCacheOptions | false;
}

function algorithmOf(jwk: JWK): string {
  if (jwk.alg) return jwk.alg;
  if (jwk.kty === 'EC') return ({ 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' } as Record<string, string>)[jwk.crv ?? ''] ?? 'ES256';
  if (jwk.kty === 'OKP') return 'EdDSA';
  return 'RS256';
}

/** Bearer token of an Authorization header as wai-extra reads it; undefined = no bearer token. */
export function bearerToken(header: string | null): string | undefined {
  if (header === null) return undefined;
  const match = /^(\S*)(\s*)([\s\S]*)$/.exec(header);
  if (!match || match[1]!.toLowerCase() !== 'bearer') return undefined;
  return match[3]!;
}

const claimNumber = (value: number) => (Number.isInteger(value) ? value : 0);

/**
 * Builds the token check PostgREST v14 performs (POSTGREST.md §4): the same error codes,
 * messages and order, the 30-second leeway, kid selection. Keys are imported once, at start-up,
 * so a malformed JWKS fails there rather than on the first request.
 */
export async function createJwtVerifier(options: JwtVerifierOptions): Promise<(token: string | undefined) => Promise<AuthResult>> {
  const keys: VerificationKey[] = [{ alg: 'HS256', kid: undefined, key: new TextEncoder().encode(options.secret) }];
  for (const [index, jwk] of (options.jwks?.keys ?? []).entries()) {
    const alg = algorithmOf(jwk as JWK);
    try {
      keys.push({ alg, kid: (jwk as JWK).kid, key: (await importJWK(jwk as JWK, alg)) as CryptoKey | Uint8Array });
    } catch {
      throw new Error(`jwks.keys[${index}] is not a usable public key for ${alg}`);
    }
  }
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  const cache = options.cache === false ? null : new JwtCache<AuthResult>(options.cache);
  const anonymous: AuthResult = Object.freeze({
    role: options.anonRole, claims: Object.freeze({}), hasToken: false, claimsJson: JSON.stringify({ role: options.anonRole }),
  }) as AuthResult;

  return async (token) => {
    if (token === undefined) return anonymous;
    if (token === '') throw jwtError('PGRST301', 'Empty JWT is sent in Authorization header');
    const at = now();
    const cached = cache?.get(token, at);
    if (cached !== undefined) {
      // The signature and shape were checked when the entry was made; the clock moves on.
      checkClaims(cached.claims, at);
      return cached;
    }
    const parts = token.split('.').length;
    if (parts !== 3) throw jwtError('PGRST301', `Expected 3 parts in JWT; got ${parts}`);
    let header: { alg?: unknown; kid?: unknown };
    try {
      header = decodeProtectedHeader(token);
    } catch {
      throw jwtError('PGRST301', 'JWT cryptographic operation failed');
    }
    if (header.alg === 'none') {
      throw jwtError('PGRST301', 'Wrong or unsupported encoding algorithm', "JWT is unsecured but expected 'alg' was not 'none'");
    }
    // A token's kid selects the keys with that kid; keys without one (the plain secret) stay eligible.
    const candidates = keys.filter((k) => k.alg === header.alg && (header.kid === undefined || k.kid === undefined || k.kid === header.kid));
    let payload: Uint8Array | undefined;
    for (const candidate of candidates) {
      try {
        payload = (await compactVerify(token, candidate.key)).payload;
        break;
      } catch (error) {
        if (!(error instanceof joseErrors.JWSSignatureVerificationFailed)) throw jwtError('PGRST301', 'JWT cryptographic operation failed');
      }
    }
    if (!payload) throw jwtError('PGRST301', 'No suitable key or wrong key type', 'None of the keys was able to decode the JWT');
    let claims: unknown;
    try {
      claims = JSON.parse(new TextDecoder().decode(payload));
    } catch {
      claims = undefined;
    }
    if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) throw jwtError('PGRST303', 'Parsing claims failed');
    checkClaims(claims as Record<string, unknown>, at);
    const role = (claims as Record<string, unknown>).role;
    const effectiveRole = role === undefined ? options.anonRole : typeof role === 'string' ? role : JSON.stringify(role);
    const result: AuthResult = Object.freeze({
      role: effectiveRole,
      claims: claims as Record<string, unknown>,
      hasToken: true,
      claimsJson: JSON.stringify({ ...(claims as Record<string, unknown>), role: effectiveRole }),
    });
    const exp = (claims as Record<string, unknown>).exp;
    cache?.set(token, result, typeof exp === 'number' ? claimNumber(exp) : undefined, at, JWT_LEEWAY_SECONDS);
    return result;
  };
}

/** exp, nbf, iat (each: a number, within the leeway), then aud's shape; first failure wins. */
function checkClaims(claims: Record<string, unknown>, now: number): void {
  const checks: [string, (n: number) => boolean, string][] = [
    ['exp', (exp) => exp < now - JWT_LEEWAY_SECONDS, 'JWT expired'],
    ['nbf', (nbf) => nbf > now + JWT_LEEWAY_SECONDS, 'JWT not yet valid'],
    ['iat', (iat) => iat > now + JWT_LEEWAY_SECONDS, 'JWT issued at future'],
  ];
  for (const [name, fails, message] of checks) {
    const value = claims[name];
    if (value === undefined) continue;
    if (typeof value !== 'number') throw jwtError('PGRST303', `The JWT '${name}' claim must be a number`);
    if (fails(claimNumber(value))) throw jwtError('PGRST303', message);
  }
  const aud = claims.aud;
  const audOk = aud === undefined || aud === null || typeof aud === 'string' || (Array.isArray(aud) && aud.every((a) => typeof a === 'string'));
  if (!audOk) throw jwtError('PGRST303', "The JWT 'aud' claim must be a string or an array of strings");
}
