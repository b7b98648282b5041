// ES256 signing keys for the token endpoint (MINTID_SIGNING_KEYS), generated locally.
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import type { PrivateEcJwk, PublicSigningJwk } from '../../supabase/functions/_shared/keys.js';

/** A private ES256 JWK as MINTID_SIGNING_KEYS holds it (the token function's own types). */
export type SigningJwk = PrivateEcJwk & Pick<PublicSigningJwk, 'alg' | 'use'>;

/**
 * A new private ES256 JWK whose `kid` is its RFC 7638 thumbprint (stable, and says nothing about
 * the private part). Treat the result as a secret: store it with owner-only permissions.
 */
export async function generateSigningKey(): Promise<SigningJwk> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || !jwk.x || !jwk.y || !jwk.d) throw new Error('unexpected key export');
  const kid = await calculateJwkThumbprint({ kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y }, 'sha256');
  return { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y, d: jwk.d, kid, alg: 'ES256', use: 'sig' };
}
