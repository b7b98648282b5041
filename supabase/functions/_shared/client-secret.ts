// Which of a credential's secrets a presented client secret is: the current one, the previous one
// inside its rotation grace (SPEC §13), the previous one after its grace ended, or none. Shared by
// the token and introspection endpoints so both accept exactly the same secrets.
//
// The verify cache may answer instead of argon2, but never stretches a window: an entry is bound
// to the exact stored hash string, it is consulted for the previous secret only while the
// database AND the handler's clock say the grace is open, and an entry for the previous secret
// expires no later than the grace itself.
import type { Clock, VerifySecret } from './ports.ts';
import type { Credential } from './store.ts';
import type { VerifyCache } from './verify-cache.ts';

/** What a secret turned out to be. `previous_closed`: the previous secret, presented after its grace. */
export type SecretMatch = 'current' | 'previous' | 'previous_closed' | null;

/** What an unknown client_id is verified against, so it costs what a known one does. Its secret was discarded. */
export const DUMMY_SECRET_HASH = '$argon2id$v=19$m=19456,t=2,p=1$G3VWAeL+6yRajDGD722/8A$ANwj1Nb6OBzDX7ABI1puhgQ2XSdEg6fGzyiLOHY5Q4U';

export interface SecretMatcherDeps {
  verifySecret: VerifySecret;
  cache: VerifyCache;
  clock: Clock;
}

/** True while the previous secret may authenticate: the database said so at lookup, and the clock agrees. */
export function previousSecretOpen(credential: Credential, now: number): boolean {
  const previous = credential.previousSecret;
  return previous !== null && previous.open && previous.expiresAt !== null && Date.parse(previous.expiresAt) > now;
}

/**
 * Returns a matcher. An unknown client (null) pays one dummy verification and matches nothing.
 * Rejects only when a stored hash is unusable (the verifier's own rule).
 */
export function createSecretMatcher(deps: SecretMatcherDeps) {
  const { verifySecret, cache, clock } = deps;

  return async function matchSecret(credential: Credential | null, secret: string): Promise<SecretMatch> {
    if (!credential) {
      await verifySecret(DUMMY_SECRET_HASH, secret).catch(() => false);
      return null;
    }
    const active = credential.status === 'active';
    if (active && await cache.matches(credential.credentialId, credential.secretHash, secret)) return 'current';
    if (await verifySecret(credential.secretHash, secret)) {
      if (active) await cache.remember(credential.credentialId, credential.secretHash, secret);
      return 'current';
    }
    const previous = credential.previousSecret;
    if (!previous) return null;
    const open = active && previousSecretOpen(credential, clock.now());
    if (open && await cache.matches(credential.credentialId, previous.hash, secret)) return 'previous';
    if (!(await verifySecret(previous.hash, secret))) return null;
    if (!open) return 'previous_closed';
    await cache.remember(credential.credentialId, previous.hash, secret, Date.parse(previous.expiresAt!));
    return 'previous';
  };
}

export type SecretMatcher = ReturnType<typeof createSecretMatcher>;
