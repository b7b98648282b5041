import postgres from 'postgres';
import { redactPassword } from './urls.js';

/** Connection failures that a database coming up (or back) heals; anything else is a real error. */
const TRANSIENT = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND', 'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', '57P03', '57P01', '53300',
]);

export interface WaitOptions {
  log: (line: string) => void;
  /** First pause between attempts; doubles up to maxDelayMs. Default 1 s. */
  initialDelayMs?: number;
  /** Default 32 s, as PostgREST's backoff. */
  maxDelayMs?: number;
  /** Stops waiting (e.g. on SIGINT): the wait rejects at once. */
  signal?: AbortSignal;
}

/**
 * Waits until the database at `url` accepts a connection, retrying with exponential backoff and
 * one clear line per attempt (the URL with its password redacted) — as PostgREST does at start,
 * instead of exiting. A refusal that waiting cannot heal (a wrong password, a missing database)
 * is thrown at once.
 */
export async function waitForDatabase(url: string, options: WaitOptions): Promise<void> {
  let delay = options.initialDelayMs ?? 1000;
  const max = options.maxDelayMs ?? 32_000;
  for (let attempt = 1; ; attempt += 1) {
    const sql = postgres(url, { max: 1, connect_timeout: 5, onnotice: () => {} });
    try {
      await sql`select 1`;
      if (attempt > 1) options.log(`The database at ${redactPassword(url)} is reachable now.`);
      return;
    } catch (error) {
      const code = String((error as { code?: unknown }).code ?? '');
      if (!TRANSIENT.has(code)) throw error;
      if (options.signal?.aborted) throw new Error('Stopped while waiting for the database.');
      options.log(`The database at ${redactPassword(url)} is not reachable (${code}); retrying in ${Math.round(delay / 1000)} s…`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, delay);
        function done() {
          clearTimeout(timer);
          options.signal?.removeEventListener('abort', done);
          resolve();
        }
        options.signal?.addEventListener('abort', done, { once: true });
      });
      if (options.signal?.aborted) throw new Error('Stopped while waiting for the database.');
      delay = Math.min(delay * 2, max);
    } finally {
      await sql.end({ timeout: 1 }).catch(() => {});
    }
  }
}
