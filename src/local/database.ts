import path from 'node:path';
import { EMBEDDED_PASSWORD, startEmbeddedPostgres } from './embedded.js';
import type { LocalEnv } from './config.js';
import type { PlatformOptions } from './platform.js';

export interface LocalDatabase {
  /** A privileged URL for the platform bootstrap and migrations. */
  adminUrl: string;
  /** Whether this process started an embedded server (and so owns its lifetime). */
  embedded: boolean;
  /** The login passwords the platform step gives this server: the local demo ones when embedded. */
  platform: PlatformOptions;
  stop(): Promise<void>;
}

/**
 * The database of the local stack: DATABASE_URL if set, else the embedded server whose data lives
 * under the state directory (`.mintid/db`), so a restart loses nothing.
 */
export async function openLocalDatabase(env: LocalEnv, onLog?: (line: string) => void): Promise<LocalDatabase> {
  if (env.DATABASE_URL) return { adminUrl: env.DATABASE_URL, embedded: false, platform: {}, stop: async () => {} };
  const server = await startEmbeddedPostgres({
    dataDir: path.join(env.stateDir, 'db'),
    port: env.MINTID_DB_PORT,
    durable: true,
    ...(onLog ? { onLog } : {}),
  });
  return {
    adminUrl: server.adminUrl, embedded: true, stop: () => server.stop(),
    platform: { ownerPassword: EMBEDDED_PASSWORD, authenticatorPassword: EMBEDDED_PASSWORD, authAdminPassword: EMBEDDED_PASSWORD },
  };
}
