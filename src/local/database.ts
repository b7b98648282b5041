import path from 'node:path';
import { EMBEDDED_PASSWORD, EMBEDDED_SUPERUSER, startEmbeddedPostgres } from './embedded.js';
import type { LocalEnv } from './config.js';
import { assertPortFree, runningPostmaster, waitForExit } from './instance.js';
import type { PlatformOptions } from './platform.js';

export interface LocalDatabase {
  /** A privileged URL for the platform bootstrap and migrations. */
  adminUrl: string;
  /** Whether this is the embedded server (started here, or already running on the state directory). */
  embedded: boolean;
  /** The login passwords the platform step gives this server: the local demo ones when embedded. */
  platform: PlatformOptions;
  stop(): Promise<void>;
}

export interface OpenOptions {
  onLog?: (line: string) => void;
  /**
   * What to do with an embedded server already running on the state directory: 'share' connects
   * and leaves it running (`mintid migrate` next to `npm start`); 'adopt' connects and stops it
   * on stop() (a server left behind by a stack that was killed).
   */
  running?: 'share' | 'adopt';
}

/**
 * The database of the local stack: DATABASE_URL if set, else the embedded server whose data lives
 * under the state directory (`.mintid/db`), so a restart loses nothing.
 */
export async function openLocalDatabase(env: LocalEnv, options: OpenOptions = {}): Promise<LocalDatabase> {
  if (env.DATABASE_URL) return { adminUrl: env.DATABASE_URL, embedded: false, platform: {}, stop: async () => {} };
  const dataDir = path.join(env.stateDir, 'db');
  const platform = { ownerPassword: EMBEDDED_PASSWORD, authenticatorPassword: EMBEDDED_PASSWORD, authAdminPassword: EMBEDDED_PASSWORD };
  const running = runningPostmaster(dataDir);
  if (running) {
    const adminUrl = `postgres://${EMBEDDED_SUPERUSER}:${EMBEDDED_PASSWORD}@127.0.0.1:${running.port}/postgres`;
    const stop = options.running === 'adopt'
      ? async () => {
        process.kill(running.pid, 'SIGINT');
        await waitForExit(running.pid, 8_000);
      }
      : async () => {};
    return { adminUrl, embedded: true, platform, stop };
  }
  await assertPortFree(env.MINTID_DB_PORT, 'MINTID_DB_PORT');
  const server = await startEmbeddedPostgres({
    dataDir,
    port: env.MINTID_DB_PORT,
    durable: true,
    ...(options.onLog ? { onLog: options.onLog } : {}),
  });
  return { adminUrl: server.adminUrl, embedded: true, stop: () => server.stop(), platform };
}
