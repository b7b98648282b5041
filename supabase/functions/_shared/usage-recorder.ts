// last_used_at without a write per request: successful exchanges add their credential id to a set,
// and the set is flushed in one record_api_credential_use call every few seconds (well inside the
// 60 s the contract allows) and on close(). A failed flush is logged — ids and counts only — and
// its ids are kept for the next one.
import { consoleLogger, type Logger } from './ports.ts';
import type { CredentialStore } from './store.ts';

export interface UsageRecorder {
  /** Notes one successful exchange. Never waits, never throws. */
  record(credentialId: string): void;
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
  let pending = new Set<string>();
  let running: Promise<void> = Promise.resolve();
  let closed = false;

  const writeOnce = async (): Promise<void> => {
    if (pending.size === 0) return;
    const ids = [...pending];
    pending = new Set();
    for (let i = 0; i < ids.length; i += BATCH) {
      const batch = ids.slice(i, i + BATCH);
      try {
        await options.store.recordUses(batch);
      } catch (error) {
        for (const id of batch) pending.add(id);
        const reason = error instanceof Error ? error.name : 'unknown error';
        log(`mintid token: recording last_used_at for ${batch.length} credential(s) failed (${reason}); will retry`);
      }
    }
  };

  const flush = (): Promise<void> => {
    running = running.then(writeOnce, writeOnce);
    return running;
  };

  const timer = setInterval(() => void flush(), intervalMs);
  // Do not keep a Node or Deno process alive just for this timer.
  (timer as { unref?: () => void }).unref?.();
  (globalThis as { Deno?: { unrefTimer?: (id: number) => void } }).Deno?.unrefTimer?.(timer as unknown as number);

  return {
    record(credentialId) {
      if (!closed) pending.add(credentialId);
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
