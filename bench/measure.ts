// Closed-loop load: `concurrency` workers each run one operation after another for a fixed time.
// A short warm-up runs first and is not recorded. Latencies are per operation, wall clock.
import { performance } from 'node:perf_hooks';

/** What one operation does; resolving `false` means "nothing left to do" (a used-up pool). */
export type Operation = () => Promise<boolean | void>;

export interface Cell {
  /** Operations completed in the measured window. */
  count: number;
  perSecond: number;
  p50: number;
  p99: number;
  /** True when the operation ran out of work before the time was up. */
  exhausted: boolean;
}

export interface RunOptions {
  concurrency: number;
  seconds: number;
  warmupSeconds: number;
}

let interrupted = false;

/** Stops every running and future measurement (Ctrl-C): the next check throws, and set-up code cleans up. */
export function interrupt(): void {
  interrupted = true;
}

function checkInterrupted(): void {
  if (interrupted) throw new Error('interrupted');
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** Runs the workers until the deadline; the first failure stops every worker and is rethrown. */
async function phase(op: Operation, concurrency: number, seconds: number, times?: number[]): Promise<{ elapsed: number; exhausted: boolean }> {
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let failure: unknown;
  let exhausted = false;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (failure === undefined && !exhausted && !interrupted && performance.now() < deadline) {
      const t0 = performance.now();
      try {
        if ((await op()) === false) {
          exhausted = true;
          return;
        }
      } catch (error) {
        failure ??= error;
        return;
      }
      times?.push(performance.now() - t0);
    }
  }));
  if (failure !== undefined) throw failure;
  checkInterrupted();
  return { elapsed: performance.now() - started, exhausted };
}

/** Warm-up, then the measured window: throughput over the window's wall time, p50 and p99 in ms. */
export async function runFor(op: Operation, options: RunOptions): Promise<Cell> {
  if (options.warmupSeconds > 0) await phase(op, options.concurrency, options.warmupSeconds);
  const times: number[] = [];
  const { elapsed, exhausted } = await phase(op, options.concurrency, options.seconds, times);
  times.sort((a, b) => a - b);
  return {
    count: times.length,
    perSecond: (times.length * 1000) / elapsed,
    p50: percentile(times, 0.5),
    p99: percentile(times, 0.99),
    exhausted,
  };
}

/** Runs `fn` over the items with at most `concurrency` in flight (set-up work, not measured). */
export async function inParallel<T, R>(items: T[], concurrency: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      checkInterrupted();
      const index = next;
      next += 1;
      results[index] = await fn(items[index]!, index);
    }
  }));
  return results;
}
