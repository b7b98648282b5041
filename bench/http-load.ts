// HTTP load with autocannon: N keep-alive connections, each sending its next request when the
// previous one answered (closed loop), for a fixed time or a fixed number of requests. Anything
// but the expected status counts as a failure and is reported, never silently averaged in.
import autocannon, { type RawRequest } from 'autocannon';
import type { Cell } from './measure.js';

export interface HttpLoad {
  url: string;
  connections: number;
  /** Measured seconds (ignored when `amount` is set). */
  seconds: number;
  warmupSeconds: number;
  /** Stop after this many requests instead of after `seconds`. */
  amount?: number;
  /** The request to send; called before every request so bodies and headers can change. */
  next(): RawRequest | undefined;
  /** The status every answer must have (default 200). */
  expectStatus?: number;
}

let running: { stop(): void } | undefined;

/** Stops the load that is running now (Ctrl-C). */
export function stopHttpLoad(): void {
  running?.stop();
}

async function once(load: HttpLoad, seconds: number, amount?: number) {
  const instance = autocannon({
    url: load.url,
    connections: load.connections,
    duration: seconds,
    ...(amount !== undefined ? { amount } : {}),
    timeout: 30,
    requests: [{
      setupRequest: (request) => {
        const next = load.next();
        return next ? { ...request, ...next } : undefined;
      },
    }],
  });
  running = instance;
  try {
    return await instance;
  } finally {
    running = undefined;
  }
}

/** Warm-up (not recorded), then the measured run: req/s over its wall time, p50/p99 in ms. */
export async function runHttp(load: HttpLoad): Promise<Cell & { failures: number }> {
  if (load.warmupSeconds > 0 && load.amount === undefined) await once(load, load.warmupSeconds);
  const result = await once(load, load.seconds, load.amount);
  const expected = load.expectStatus ?? 200;
  const ok = result.statusCodeStats[String(expected)]?.count ?? 0;
  const answered = Object.values(result.statusCodeStats).reduce((sum, s) => sum + s.count, 0);
  const failures = answered - ok + result.errors + result.timeouts;
  return {
    count: ok,
    perSecond: ok / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    exhausted: false,
    failures,
  };
}
