// last_used_at without a write per request: successful exchanges add their credential id to a set,
// and the set is flushed in one record_api_credential_use call every few seconds (well inside the
// 60 s the contract allows) and on close(). Uses of a previous secret during its grace and
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
  let current = new Set<string>();
  let previous = new Set<string>();
  let rejected = new Map<string, number>();
  let running: Promise<void> = Promise.resolve();
  let closed = false;

  const writeOnce = async (): Promise<void> => {
    if (current.size === 0 && previous.size === 0 && rejected.size === 0) return;
    const uses = [
      ...[...current].map((id) => ({ id, kind: 'current' as const, count: 1 })),
      ...[...previous].map((id) => ({ id, kind: 'previous' as const, count: 1 })),
      ...[...rejected].map(([id, count]) => ({ id, kind: 'rejected' as const, count })),
    ];
    current = new Set();
    previous = new Set();
    rejected = new Map();
    for (let i = 0; i < uses.length; i += BATCH) {
      const batch = uses.slice(i, i + BATCH);
      const ids = batch.filter((u) => u.kind === 'current').map((u) => u.id);
      const prev = batch.filter((u) => u.kind === 'previous').map((u) => u.id);
      const rej = Object.fromEntries(batch.filter((u) => u.kind === 'rejected').map((u) => [u.id, u.count]));
      try {
        if (prev.length === 0 && Object.keys(rej).length === 0) await options.store.recordUses(ids);
        else await options.store.recordUses(ids, { previous: prev, rejected: rej });
      } catch (error) {
        for (const use of batch) note(use.id, use.kind, use.count);
        const reason = error instanceof Error ? error.name : 'unknown error';
        log(`mintid token: recording last_used_at for ${batch.length} credential(s) failed (${reason}); will retry`);
      }
    }
  };

  function note(credentialId: string, kind: UseKind, count = 1): void {
    if (kind === 'current') current.add(credentialId);
    else if (kind === 'previous') previous.add(credentialId);
    else rejected.set(credentialId, Math.min((rejected.get(credentialId) ?? 0) + count, 1_000_000));
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
