// A cap on argon2 verifications in flight in one instance (SPEC §14): each one holds ~19–64 MiB
// and one or more cores for milliseconds to tens of milliseconds, so an unbounded number of them
// (a flood of wrong secrets) would starve every other request. Two gates, both first come, first
// served:
// - per rate-limit key (a credential, or a source address for unknown client_ids): one
//   verification at a time, so a flood against one client_id occupies one verification at most,
//   and each request that queued behind its own key re-reads the failure count when its turn
//   comes (the ones before it have recorded their failures by then: it is answered 429 without
//   argon2);
// - per instance: a budget of `max` units of argon2 work at once, where a verification weighs
//   what its stored hash costs (argon2Units: one unit is one verification at the default
//   m=19456,t=2,p=1; a hash at the top of the window weighs 5). A count of verifications would let
//   three hashes of five times the default cost, each running four lanes in parallel, occupy
//   every core; in units they run one at a time. A verification heavier than the whole budget
//   takes all of it (it runs alone).
// A request waits at most `waitMs` for both together; one that gets no slot is answered 503 with
// Retry-After by the caller. The budget is per process: the token and introspection functions of
// one process share one VerifySlots (functions.ts, src/local/api.ts).

export interface VerifySlotsOptions {
  /** Units of argon2 work allowed at once in this instance. Default: defaultVerifyConcurrency(). */
  max?: number;
  /** How long a request may wait for a slot. Default 1000 ms. */
  waitMs?: number;
}

/**
 * 2 × the CPUs (navigator.hardwareConcurrency in Deno and Node ≥ 21), at least 2. Where argon2
 * runs on a shared thread pool (Node: libuv's, `threadPool` threads, which also sign tokens and
 * compute the verify cache's HMACs), one thread is left free for those: at most threadPool − 1.
 * (Every verification, however heavy, weighs at least one unit and takes one thread of that pool,
 * so a budget of threadPool − 1 units never takes the last thread.)
 */
export function defaultVerifyConcurrency(cpus?: number, threadPool?: number): number {
  const reported = cpus ?? (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  const byCpus = Math.max(2, 2 * (Number.isInteger(reported) && reported! > 0 ? reported! : 1));
  return threadPool !== undefined && threadPool >= 2 ? Math.min(byCpus, threadPool - 1) : byCpus;
}

/** The default argon2id cost (m × t in KiB passes) that weighs one unit: m=19456, t=2. */
const UNIT_WORK = 19456 * 2;
const PHC_PARAMS = /^\$argon2id\$v=\d+\$m=(\d{1,7}),t=(\d{1,2}),p=(\d{1,2})\$/;

/**
 * What verifying this argon2id PHC string weighs in the instance's budget: the larger of its work
 * (m × t relative to the default m=19456,t=2, rounded: the core-time it takes) and its lanes p (the
 * cores it may occupy at once: the binding runs lanes on threads of their own). At least 1.
 * `$argon2id$v=19$m=19456,t=2,p=1$…` → 1, `m=65536,t=3,p=4` → 5, `m=19456,t=2,p=4` → 4,
 * `m=65536,t=3,p=1` → 5. A string it cannot read weighs 1 (the verifier refuses it at once).
 */
export function argon2Units(phc: string): number {
  const params = PHC_PARAMS.exec(phc);
  if (!params) return 1;
  const [m, t, p] = [Number(params[1]), Number(params[2]), Number(params[3])];
  return Math.max(1, Math.round((m * t) / UNIT_WORK), p);
}

/** A gate of `max` units with a FIFO of waiters: a waiter is served only once everyone before it is. */
class Gate {
  inFlight = 0;
  readonly waiting: { units: number; grant: () => void; timer: ReturnType<typeof setTimeout> }[] = [];

  constructor(readonly max: number) {}

  /** Whether a request for `units` would have to queue now. */
  mustWait(units: number): boolean {
    return this.waiting.length > 0 || this.inFlight + units > this.max;
  }

  /** Resolves true holding `units` (at most `max`), or false after `waitMs` without them. */
  acquire(units: number, waitMs: number): Promise<boolean> {
    if (!this.mustWait(units)) {
      this.inFlight += units;
      return Promise.resolve(true);
    }
    if (waitMs <= 0) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const entry = {
        units,
        grant: () => resolve(true),
        timer: setTimeout(() => {
          const at = this.waiting.indexOf(entry);
          if (at >= 0) this.waiting.splice(at, 1);
          resolve(false);
          this.#serve(); // the ones behind a heavy waiter that gave up may fit now
        }, waitMs),
      };
      this.waiting.push(entry);
    });
  }

  release(units: number): void {
    this.inFlight -= units;
    this.#serve();
  }

  /** Grants waiters from the head of the queue for as long as the next one fits. */
  #serve(): void {
    for (let next = this.waiting[0]; next && this.inFlight + next.units <= this.max; next = this.waiting[0]) {
      this.waiting.shift();
      clearTimeout(next.timer);
      this.inFlight += next.units;
      next.grant();
    }
  }

  get idle(): boolean {
    return this.inFlight === 0 && this.waiting.length === 0;
  }
}

/** A held slot: `units` of the instance's budget and the key's one-at-a-time gate. */
export interface VerifySlot {
  /** Whether the request queued for its key (another verification of the same key ran first). */
  waitedForKey: boolean;
  /** Whether it queued at all (for its key or for the instance's budget). */
  waited: boolean;
  /** The units it holds. */
  units: number;
  /** Lets go of both; a second call does nothing. */
  release: () => void;
}

export class VerifySlots {
  readonly max: number;
  readonly waitMs: number;
  readonly #global: Gate;
  readonly #perKey = new Map<string, Gate>();

  constructor(options: VerifySlotsOptions = {}) {
    this.max = options.max ?? defaultVerifyConcurrency();
    this.waitMs = options.waitMs ?? 1000;
    if (!(Number.isInteger(this.max) && this.max >= 1) || !(this.waitMs >= 0)) {
      throw new RangeError('VerifySlots needs max >= 1 and waitMs >= 0');
    }
    this.#global = new Gate(this.max);
  }

  /** Units held now. */
  get inFlight(): number {
    return this.#global.inFlight;
  }

  /** Requests waiting for the instance's budget now. */
  get queued(): number {
    return this.#global.waiting.length;
  }

  /**
   * Takes this key's slot and `units` of the instance's budget (at most all of it; default 1, see
   * argon2Units), waiting at most `waitMs` for both; null when they did not free up. Call `release`
   * exactly once.
   */
  async acquire(key: string, units = 1): Promise<VerifySlot | null> {
    if (!(Number.isInteger(units) && units >= 1)) throw new RangeError('a verification weighs at least one unit');
    const weight = Math.min(units, this.max);
    const started = Date.now();
    let gate = this.#perKey.get(key);
    if (!gate) {
      gate = new Gate(1);
      this.#perKey.set(key, gate);
    }
    const keyGate = gate;
    const waitedForKey = keyGate.mustWait(1);
    if (!(await keyGate.acquire(1, this.waitMs))) {
      this.#drop(key, keyGate);
      return null;
    }
    const queuedGlobally = this.#global.mustWait(weight);
    if (!(await this.#global.acquire(weight, this.waitMs - (Date.now() - started)))) {
      keyGate.release(1);
      this.#drop(key, keyGate);
      return null;
    }
    let released = false;
    return {
      waitedForKey,
      waited: waitedForKey || queuedGlobally,
      units: weight,
      release: () => {
        if (released) return;
        released = true;
        this.#global.release(weight);
        keyGate.release(1);
        this.#drop(key, keyGate);
      },
    };
  }

  /** Keys are forgotten as soon as nobody holds or waits for them: the map stays small. */
  #drop(key: string, gate: Gate): void {
    if (gate.idle && this.#perKey.get(key) === gate) this.#perKey.delete(key);
  }
}
