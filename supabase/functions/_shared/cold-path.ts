// The token endpoint's cold path under the limits of SPEC §14: everything that runs before, around
// and after argon2 for one request. The secret matcher (client-secret.ts) calls `verify` for each
// argon2 verification it needs; the first call passes the failure limit (429 before argon2) and
// takes the verification slots (503 after 1 s), a request that had to queue reads the count again,
// and `finish` records a failure (one write) before the slots are let go, so the next request in
// line sees it. Warm requests (answered from the verify cache) never call `verify`.
import type { Logger, VerifySecret } from './ports.ts';
import { clientAddress, failureKeys, tooManyFailures, verifierBusy, type TokenLimits } from './rate-limits.ts';

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
  describe: (error: unknown) => string;
}

export function createColdPath(deps: ColdPathDeps, credentialId: string | null, req: Request): ColdPath {
  const { limits } = deps;
  const keys = failureKeys(credentialId, clientAddress(req));
  const perMinute = limits.failuresPerMinute ?? 10;
  let release: (() => void) | null = null;
  let began = false;
  let ran = false;

  const gate = async (): Promise<Response | null> => {
    if (!limits.failures) return null;
    let state: { blocked: boolean; retryAfterSeconds: number };
    try {
      state = await limits.failures.check(keys, perMinute);
    } catch (error) {
      return deps.storeDown('checking failed authentications', error);
    }
    return state.blocked ? tooManyFailures(state.retryAfterSeconds, limits.failureDelayMs) : null;
  };

  const begin = async (): Promise<Response | null> => {
    if (began) return null;
    const refused = await gate();
    if (refused) return refused;
    if (limits.slots) {
      // One verification per key at a time; a request that queued reads the count again first.
      const slot = await limits.slots.acquire(keys[0]!);
      if (!slot) return verifierBusy();
      release = slot.release;
      if (slot.waited) {
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
            .catch((error: unknown) => deps.log(`mintid token: recording a failed authentication failed (${deps.describe(error)})`));
        }
      } finally {
        release?.();
        release = null;
      }
    },
  };
}
