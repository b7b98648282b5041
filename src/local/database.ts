import { existsSync } from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import { EMBEDDED_SUPERUSER, LEGACY_EMBEDDED_PASSWORD, startEmbeddedPostgres } from './embedded.js';
import type { LocalEnv } from './config.js';
import type { PlatformOptions } from './platform.js';
import { localEmbeddedPasswords } from './state.js';

export interface LocalDatabase {
  /** A privileged URL for the platform bootstrap and migrations. */
  adminUrl: string;
  /** Whether this process started an embedded server (and so owns its lifetime). */
  embedded: boolean;
  /** The login passwords the platform step gives this server: the per-install ones when embedded. */
  platform: PlatformOptions;
  stop(): Promise<void>;
}

/**
 * The database of the local stack: DATABASE_URL if set, else the embedded server whose data lives
 * under the state directory (`.mintid/db`), so a restart loses nothing. Its logins get random
 * per-install passwords (`.mintid/embedded-passwords.json`, 0600); an install from before them
 * is moved off the old demo password `postgres` on its first start.
 */
export async function openLocalDatabase(env: LocalEnv, onLog?: (line: string) => void): Promise<LocalDatabase> {
  if (env.DATABASE_URL) return { adminUrl: env.DATABASE_URL, embedded: false, platform: {}, stop: async () => {} };
  const dataDir = path.join(env.stateDir, 'db');
  const existing = existsSync(path.join(dataDir, 'PG_VERSION'));
  const passwords = await localEmbeddedPasswords(env.stateDir);
  const legacy = existing && passwords.created;
  const server = await startEmbeddedPostgres({
    dataDir,
    port: env.MINTID_DB_PORT,
    durable: true,
    password: legacy ? LEGACY_EMBEDDED_PASSWORD : passwords.value.superuser,
    ...(onLog ? { onLog } : {}),
  });
  let adminUrl = server.adminUrl;
  if (legacy) {
    const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
    try {
      // Through a setting, so the statement text (and any log line) holds no password.
      await sql.begin(async (tx) => {
        await tx`select set_config('mintid.superuser_password', ${passwords.value.superuser}, true)`;
        await tx.unsafe(`do $$ begin
          execute format('alter role %I with password %L', '${EMBEDDED_SUPERUSER}', current_setting('mintid.superuser_password'));
        end $$`);
      });
    } finally {
      await sql.end();
    }
    const url = new URL(adminUrl);
    url.password = encodeURIComponent(passwords.value.superuser);
    adminUrl = url.toString();
  }
  return {
    adminUrl, embedded: true, stop: () => server.stop(),
    platform: { ownerPassword: passwords.value.owner, authenticatorPassword: passwords.value.authenticator },
  };
}
