// The token endpoint's cold path under the limits of SPEC §14: everything that runs before, around
// and after argon2 for one request. The secret matcher (client-secret.ts) calls `verify` for each
// argon2 verification it needs; the first call passes the failure limit (429 before argon2) and
// takes the verification slots (503 after 1 s) weighted by what the credential's hashes cost, a
// request that had to queue behind its own key reads the count again, and `finish` records a
// failure (one write) before the slots are let go, so the next request of that key sees it. Warm
// requests (answered from the verify cache) never call `verify` and never wait for a slot.
import { createSecretMatcher, DUMMY_SECRET_HASH, type SecretMatch, type SecretMatcherDeps } from './client-secret.ts';
import type { Logger, VerifySecret } from './ports.ts';
import { clientAddress, failureKeys, tooManyFailures, verifierBusy, type TokenLimits } from './rate-limits.ts';
import { describeError, type Credential } from './store.ts';
import type { UsageRecorder } from './usage-recorder.ts';
import { argon2Units } from './verify-slots.ts';

/** Thrown by `verify` to stop the matcher: the request is answered with this response instead. */
export class ColdPathRefusal extends Error {
  override readonly name = 'ColdPathRefusal';
  constructor(readonly response: Response) {
    super('refused before argon2');
  }
}

export interface ColdPath {
  /** Ensures the limits passed and the slots are held; a Response when they refuse. */
  begin(): Promise<Response | null>;
  /** The guarded verifier for the secret matcher (throws ColdPathRefusal when refused). */
  verify: VerifySecret;
  /** Whether argon2 ran for this request. */
  readonly ran: boolean;
  /** Records a failed authentication (if argon2 ran and `failed`) and lets go of the slots. */
  finish(failed: boolean): Promise<void>;
}

export interface ColdPathDeps {
  limits: TokenLimits;
  verifySecret: VerifySecret;
  log: Logger;
  /** 503 (or 500) for a failure store that cannot be reached. */
  storeDown: (what: string, error: unknown) => Response;
  /** For the local blocks (limits.blocks) a prefetched "blocked" answer is noted in. Default: Date.now. */
  now?: () => number;
}

/** The failure count already read with the lookup (store.lookupWithFailures), for the first check. */
export type PrefetchedFailures = { blocked: boolean; retryAfterSeconds: number };

/**
 * The units of the instance's verification budget a request for this credential takes: the
 * heaviest hash it may verify (current or previous secret; an unknown client's dummy hash).
 */
export function credentialUnits(credential: Pick<Credential, 'secretHash' | 'previousSecret'> | null): number {
  if (!credential) return argon2Units(DUMMY_SECRET_HASH);
  return Math.max(argon2Units(credential.secretHash), credential.previousSecret ? argon2Units(credential.previousSecret.hash) : 1);
}

export function createColdPath(
  deps: ColdPathDeps, credential: Pick<Credential, 'credentialId' | 'secretHash' | 'previousSecret'> | null, req: Request,
  prefetched?: PrefetchedFailures,
): ColdPath {
  const { limits } = deps;
  let first = prefetched;
  const keys = failureKeys(credential?.credentialId ?? null, clientAddress(req));
  const units = credentialUnits(credential);
  const perMinute = limits.failuresPerMinute ?? 10;
  let release: (() => void) | null = null;
  let began = false;
  let ran = false;

  const gate = async (): Promise<Response | null> => {
    if (!limits.failures) return null;
    let state: { blocked: boolean; retryAfterSeconds: number };
    if (first) {
      // Read in the lookup's round trip, for exactly these keys; a block is noted as check() would.
      state = first;
      first = undefined;
      if (state.blocked) limits.blocks?.block(keys, state.retryAfterSeconds, (deps.now ?? Date.now)());
    } else {
      try {
        state = await limits.failures.check(keys, perMinute);
      } catch (error) {
        return deps.storeDown('checking failed authentications', error);
      }
    }
    return state.blocked ? tooManyFailures(state.retryAfterSeconds, limits.failureDelayMs) : null;
  };

  const begin = async (): Promise<Response | null> => {
    if (began) return null;
    const refused = await gate();
    if (refused) return refused;
    if (limits.slots) {
      // One verification per key at a time; a request that queued behind its key reads the count
      // again first (the ones before it recorded their failures). One that queued only for the
      // budget does not: no verification of its key ran meanwhile in this instance.
      const slot = await limits.slots.acquire(keys[0]!, units);
      if (!slot) return verifierBusy();
      release = slot.release;
      if (slot.waitedForKey) {
        const again = await gate();
        if (again) {
          slot.release();
          release = null;
          return again;
        }
      }
    }
    began = true;
    return null;
  };

  return {
    begin,
    async verify(phc, secret) {
      const refused = await begin();
      if (refused) throw new ColdPathRefusal(refused);
      ran = true;
      return deps.verifySecret(phc, secret);
    },
    get ran() {
      return ran;
    },
    async finish(failed) {
      try {
        if (ran && failed) {
          await limits.failures?.record(keys)
            .catch((error: unknown) => deps.log(`mintid token: recording a failed authentication failed (${describeError(error)})`));
        }
      } finally {
        release?.();
        release = null;
      }
    },
  };
}

/** What authenticateClientSecret needs besides the request: the cold path's deps and the matcher's. */
export interface ClientSecretCheck {
  cold: ColdPathDeps;
  matcher: Omit<SecretMatcherDeps, 'verifySecret'>;
  usage?: Pick<UsageRecorder, 'record'>;
  /** Whether the credential may authenticate now (status and expiry). */
  isActive: (credential: Credential) => boolean;
  /** The refusal of a wrong or dead client (invalid_client, with the Basic challenge when Basic was used). */
  refuse: () => Response;
  /** What to answer when verification itself failed (after a log line naming `service`). */
  verifyFailed: () => Response;
  /** Names the service in that log line ("mintid token", "mintid introspect"). */
  service: string;
}

/**
 * Checks a client's secret the one way both endpoints do (SPEC §14): an unknown client pays the
 * dummy verification under the same limits; the current secret, or the previous one inside its
 * grace, through the cold path's limits and slots; the right secret of a dead credential (or of a
 * retired previous secret) is refused like a wrong one but counted as a rejected use (SPEC §13).
 * Resolves to the live credential, which secret matched and whether argon2 ran, or to the answer.
 */
export async function authenticateClientSecret(
  check: ClientSecretCheck, credential: Credential | null, secret: string, req: Request, prefetched?: PrefetchedFailures,
): Promise<{ credential: Credential; match: 'current' | 'previous'; argon2Ran: boolean } | Response> {
  const cold = createColdPath(check.cold, credential, req, prefetched);
  let match: SecretMatch = null;
  let failed = true;
  try {
    if (!credential) {
      const refused = await cold.begin(); // the dummy verification of an unknown client is limited too
      if (refused) return refused;
    }
    try {
      match = await createSecretMatcher({ ...check.matcher, verifySecret: cold.verify })(credential, secret);
    } catch (error) {
      if (error instanceof ColdPathRefusal) return error.response;
      check.cold.log(`${check.service}: verifying the secret of credential ${credential?.credentialId} failed (${describeError(error)})`);
      return check.verifyFailed();
    }
    if (!credential || !match) return check.refuse();
    if (match === 'previous_closed' || !check.isActive(credential)) {
      check.usage?.record(credential.credentialId, 'rejected');
      return check.refuse();
    }
    failed = false;
    return { credential, match, argon2Ran: cold.ran };
  } finally {
    await cold.finish(failed);
  }
}
