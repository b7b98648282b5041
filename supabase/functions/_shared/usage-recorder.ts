// last_used_at without a write per request: successful exchanges note their credential id and the
// time, and what was noted is flushed in one record_api_credential_use call every few seconds (well
// inside the 60 s the contract allows) and on close(), each use at its own time (the latest per
// credential and kind), not the flush's: a use just before a revocation is never recorded after it. Uses of a previous secret during its grace and
// rejected uses (a correct secret of an inactive credential, SPEC §13) ride along in the same
// call. A failed flush is logged — ids and counts only — and its uses are kept for the next one.
import { consoleLogger, type Logger } from './ports.ts';
import type { CredentialStore } from './store.ts';

/** What kind of use: the current secret, the previous one inside its grace, or a rejected one. */
export type UseKind = 'current' | 'previous' | 'rejected';

export interface UsageRecorder {
  /** Notes one use (default: a successful exchange with the current secret). Never waits, never throws. */
  record(credentialId: string, kind?: UseKind): void;
  /** Writes what was noted so far. Never rejects. */
  flush(): Promise<void>;
  /** Stops the timer and flushes one last time. */
  close(): Promise<void>;
}

export interface UsageRecorderOptions {
  store: Pick<CredentialStore, 'recordUses'>;
  /** Default 10 s; must be below 60 s. */
  intervalMs?: number;
  log?: Logger;
}

const BATCH = 1000;

export function createUsageRecorder(options: UsageRecorderOptions): UsageRecorder {
  const intervalMs = options.intervalMs ?? 10_000;
  if (!(intervalMs > 0 && intervalMs < 60_000)) throw new RangeError('the usage flush interval must be between 0 and 60 seconds');
  const log = options.log ?? consoleLogger;
  // Per kind: credential id → the time (ms) of its latest such use since the last flush.
  let current = new Map<string, number>();
  let previous = new Map<string, number>();
  let rejected = new Map<string, { count: number; at: number }>();
  let running: Promise<void> = Promise.resolve();
  let closed = false;

  const writeOnce = async (): Promise<void> => {
    if (current.size === 0 && previous.size === 0 && rejected.size === 0) return;
    const uses = [
      ...[...current].map(([id, at]) => ({ id, kind: 'current' as const, count: 1, at })),
      ...[...previous].map(([id, at]) => ({ id, kind: 'previous' as const, count: 1, at })),
      ...[...rejected].map(([id, r]) => ({ id, kind: 'rejected' as const, count: r.count, at: r.at })),
    ];
    current = new Map();
    previous = new Map();
    rejected = new Map();
    for (let i = 0; i < uses.length; i += BATCH) {
      const batch = uses.slice(i, i + BATCH);
      const ids = batch.filter((u) => u.kind === 'current').map((u) => u.id);
      const prev = batch.filter((u) => u.kind === 'previous').map((u) => u.id);
      const rej = Object.fromEntries(batch.filter((u) => u.kind === 'rejected').map((u) => [u.id, u.count]));
      const times = (kind: UseKind) =>
        Object.fromEntries(batch.filter((u) => u.kind === kind).map((u) => [u.id, new Date(u.at).toISOString()]));
      const usedAt = { current: times('current'), previous: times('previous'), rejected: times('rejected') };
      try {
        if (prev.length === 0 && Object.keys(rej).length === 0) await options.store.recordUses(ids, { usedAt });
        else await options.store.recordUses(ids, { previous: prev, rejected: rej, usedAt });
      } catch (error) {
        for (const use of batch) note(use.id, use.kind, use.count, use.at);
        const reason = error instanceof Error ? error.name : 'unknown error';
        log(`mintid token: recording last_used_at for ${batch.length} credential(s) failed (${reason}); will retry`);
      }
    }
  };

  /** Notes a use at `at` (ms; now by default); a credential keeps the time of its latest use per kind. */
  function note(credentialId: string, kind: UseKind, count = 1, at = Date.now()): void {
    if (kind === 'current') current.set(credentialId, Math.max(current.get(credentialId) ?? at, at));
    else if (kind === 'previous') previous.set(credentialId, Math.max(previous.get(credentialId) ?? at, at));
    else {
      const before = rejected.get(credentialId);
      rejected.set(credentialId, { count: Math.min((before?.count ?? 0) + count, 1_000_000), at: Math.max(before?.at ?? at, at) });
    }
  }

  const flush = (): Promise<void> => {
    running = running.then(writeOnce, writeOnce);
    return running;
  };

  const timer = setInterval(() => void flush(), intervalMs);
  // Do not keep a Node or Deno process alive just for this timer.
  (timer as { unref?: () => void }).unref?.();
  (globalThis as { Deno?: { unrefTimer?: (id: number) => void } }).Deno?.unrefTimer?.(timer as unknown as number);

  return {
    record(credentialId, kind = 'current') {
      if (!closed) note(credentialId, kind);
    },
    flush,
    async close() {
      if (closed) return running;
      closed = true;
      clearInterval(timer);
      await flush();
    },
  };
}
