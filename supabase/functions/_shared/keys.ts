// Signing keys: the first configured private JWK signs; the public halves of all are published.
import { importJWK } from 'jose';

/** A public JWK as the JWKS endpoint serves it. */
export interface PublicSigningJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
  kid: string;
  alg: 'ES256';
  use: 'sig';
}

/** The members of a private ES256 JWK that matter here (MINTID_SIGNING_KEYS entries, validated by env.ts). */
export interface PrivateEcJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
  d: string;
  kid: string;
}

export interface SigningKeys {
  /** The key that signs new tokens. */
  signer: { kid: string; key: CryptoKey };
  /** Every configured key's public half, the signer first. */
  jwks: { keys: PublicSigningJwk[] };
}

/** Imports the private keys (checking each is a usable P-256 key) and derives the public JWKS. */
export async function importSigningKeys(privateJwks: PrivateEcJwk[]): Promise<SigningKeys> {
  const imported = await Promise.all(privateJwks.map(async (jwk, index) => {
    try {
      const key = await importJWK({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y, d: jwk.d }, 'ES256');
      await importJWK({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }, 'ES256');
      return key as CryptoKey;
    } catch {
      // The cause may quote key material; it is deliberately dropped.
      throw new Error(`MINTID_SIGNING_KEYS[${index}] (kid ${JSON.stringify(jwk.kid)}) is not a usable P-256 private key`);
    }
  }));
  const first = privateJwks[0];
  if (!first) throw new Error('MINTID_SIGNING_KEYS must hold at least one key');
  return {
    signer: { kid: first.kid, key: imported[0]! },
    jwks: {
      keys: privateJwks.map((jwk) => ({ kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y, kid: jwk.kid, alg: 'ES256', use: 'sig' })),
    },
  };
}
