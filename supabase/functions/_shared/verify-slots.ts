// A cap on argon2 verifications in flight in one instance (SPEC §14): each one holds ~19–64 MiB
// and a core for tens of milliseconds, so an unbounded number of them (a flood of wrong secrets)
// would starve every other request. A request waits for a slot at most `waitMs`; one that gets
// none is answered 503 with Retry-After by the caller. First come, first served.

export interface VerifySlotsOptions {
  /** Verifications allowed at once. Default: 2 × the CPUs the runtime reports (at least 2). */
  max?: number;
  /** How long a request may wait for a slot. Default 1000 ms. */
  waitMs?: number;
}

/** 2 × the CPUs the runtime reports (navigator.hardwareConcurrency in Deno and Node ≥ 21), at least 2. */
export function defaultVerifyConcurrency(cpus?: number): number {
  const reported = cpus ?? (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  return Math.max(2, 2 * (Number.isInteger(reported) && reported! > 0 ? reported! : 1));
}

export class VerifySlots {
  readonly max: number;
  readonly waitMs: number;
  #inFlight = 0;
  readonly #waiting: { grant: () => void; timer: ReturnType<typeof setTimeout> }[] = [];

  constructor(options: VerifySlotsOptions = {}) {
    this.max = options.max ?? defaultVerifyConcurrency();
    this.waitMs = options.waitMs ?? 1000;
    if (!(Number.isInteger(this.max) && this.max >= 1) || !(this.waitMs >= 0)) {
      throw new RangeError('VerifySlots needs max >= 1 and waitMs >= 0');
    }
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /**
   * Runs `fn` holding a slot, or resolves `{ ok: false }` without running it when no slot freed
   * up within `waitMs`.
   */
  async run<T>(fn: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false }> {
    if (!(await this.#acquire())) return { ok: false };
    try {
      return { ok: true, value: await fn() };
    } finally {
      this.#release();
    }
  }

  #acquire(): Promise<boolean> {
    if (this.#inFlight < this.max) {
      this.#inFlight += 1;
      return Promise.resolve(true);
    }
    return new Promise<boolean>((resolve) => {
      const entry = {
        grant: () => resolve(true),
        timer: setTimeout(() => {
          const at = this.#waiting.indexOf(entry);
          if (at >= 0) this.#waiting.splice(at, 1);
          resolve(false);
        }, this.waitMs),
      };
      this.#waiting.push(entry);
    });
  }

  #release(): void {
    const next = this.#waiting.shift();
    if (next) {
      clearTimeout(next.timer);
      next.grant(); // the slot passes straight to the next waiter
    } else {
      this.#inFlight -= 1;
    }
  }
}
