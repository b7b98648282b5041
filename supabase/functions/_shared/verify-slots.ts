// A cap on argon2 verifications in flight in one instance (SPEC §14): each one holds ~19–64 MiB
// and a core for tens of milliseconds, so an unbounded number of them (a flood of wrong secrets)
// would starve every other request. Two gates, both first come, first served:
// - per rate-limit key (a credential, or a source address for unknown client_ids): one
//   verification at a time, so a flood against one client_id occupies one core at most, and each
//   queued request re-reads the failure count when its turn comes (the ones before it have
//   recorded their failures by then: it is answered 429 without argon2);
// - per instance: `max` verifications at once.
// A request waits at most `waitMs` for both together; one that gets no slot is answered 503 with
// Retry-After by the caller.

export interface VerifySlotsOptions {
  /** Verifications allowed at once in this instance. Default: defaultVerifyConcurrency(). */
  max?: number;
  /** How long a request may wait for a slot. Default 1000 ms. */
  waitMs?: number;
}

/**
 * 2 × the CPUs (navigator.hardwareConcurrency in Deno and Node ≥ 21), at least 2. Where argon2
 * runs on a shared thread pool (Node: libuv's, `threadPool` threads, which also sign tokens and
 * compute the verify cache's HMACs), one thread is left free for those: at most threadPool − 1.
 */
export function defaultVerifyConcurrency(cpus?: number, threadPool?: number): number {
  const reported = cpus ?? (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  const byCpus = Math.max(2, 2 * (Number.isInteger(reported) && reported! > 0 ? reported! : 1));
  return threadPool !== undefined && threadPool >= 2 ? Math.min(byCpus, threadPool - 1) : byCpus;
}

/** A counting gate with a FIFO of waiters. */
class Gate {
  inFlight = 0;
  readonly waiting: { grant: () => void; timer: ReturnType<typeof setTimeout> }[] = [];

  constructor(readonly max: number) {}

  /** Resolves true with a slot, or false after `waitMs` without one. */
  acquire(waitMs: number): Promise<boolean> {
    if (this.inFlight < this.max) {
      this.inFlight += 1;
      return Promise.resolve(true);
    }
    if (waitMs <= 0) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const entry = {
        grant: () => resolve(true),
        timer: setTimeout(() => {
          const at = this.waiting.indexOf(entry);
          if (at >= 0) this.waiting.splice(at, 1);
          resolve(false);
        }, waitMs),
      };
      this.waiting.push(entry);
    });
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) {
      clearTimeout(next.timer);
      next.grant(); // the slot passes straight to the next waiter
    } else {
      this.inFlight -= 1;
    }
  }

  get idle(): boolean {
    return this.inFlight === 0 && this.waiting.length === 0;
  }
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

  get inFlight(): number {
    return this.#global.inFlight;
  }

  /**
   * Takes this key's slot and an instance slot, waiting at most `waitMs` for both; null when they
   * did not free up. `waited` tells whether the request had to queue. Call `release` exactly once.
   */
  async acquire(key: string): Promise<{ waited: boolean; release: () => void } | null> {
    const started = Date.now();
    let gate = this.#perKey.get(key);
    if (!gate) {
      gate = new Gate(1);
      this.#perKey.set(key, gate);
    }
    const keyGate = gate;
    const queuedForKey = keyGate.inFlight > 0;
    if (!(await keyGate.acquire(this.waitMs))) {
      this.#drop(key, keyGate);
      return null;
    }
    const queuedGlobally = this.#global.inFlight >= this.max;
    if (!(await this.#global.acquire(this.waitMs - (Date.now() - started)))) {
      keyGate.release();
      this.#drop(key, keyGate);
      return null;
    }
    let released = false;
    return {
      waited: queuedForKey || queuedGlobally,
      release: () => {
        if (released) return;
        released = true;
        this.#global.release();
        keyGate.release();
        this.#drop(key, keyGate);
      },
    };
  }

  /** Runs `fn` holding the slots of `acquire`, or resolves `{ ok: false }` without running it. */
  async run<T>(key: string, fn: (waited: boolean) => Promise<T>): Promise<{ ok: true; value: T } | { ok: false }> {
    const slot = await this.acquire(key);
    if (!slot) return { ok: false };
    try {
      return { ok: true, value: await fn(slot.waited) };
    } finally {
      slot.release();
    }
  }

  /** Keys are forgotten as soon as nobody holds or waits for them: the map stays small. */
  #drop(key: string, gate: Gate): void {
    if (gate.idle && this.#perKey.get(key) === gate) this.#perKey.delete(key);
  }
}
