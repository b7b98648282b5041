import { existsSync } from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import { EMBEDDED_SUPERUSER, LEGACY_EMBEDDED_PASSWORD, startEmbeddedPostgres } from './embedded.js';
import type { LocalEnv } from './config.js';
import { assertPortFree, runningPostmaster, waitForExit } from './instance.js';
import type { PlatformOptions } from './platform.js';
import { localEmbeddedPasswords } from './state.js';

export interface LocalDatabase {
  /** A privileged URL for the platform bootstrap and migrations. */
  adminUrl: string;
  /** Whether this is the embedded server (started here, or already running on the state directory). */
  embedded: boolean;
  /** The login passwords the platform step gives this server: the per-install ones when embedded. */
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
 * under the state directory (`.mintid/db`), so a restart loses nothing. Its logins get random
 * per-install passwords (`.mintid/embedded-passwords.json`, 0600); an install from before them
 * is moved off the old demo password `postgres` on its first start.
 */
export async function openLocalDatabase(env: LocalEnv, options: OpenOptions = {}): Promise<LocalDatabase> {
  if (env.DATABASE_URL) return { adminUrl: env.DATABASE_URL, embedded: false, platform: {}, stop: async () => {} };
  const dataDir = path.join(env.stateDir, 'db');
  const existing = existsSync(path.join(dataDir, 'PG_VERSION'));
  const passwords = await localEmbeddedPasswords(env.stateDir);
  // An install from before the per-install passwords: its server still has the demo one.
  const legacy = existing && passwords.created;
  const platform = {
    ownerPassword: passwords.value.owner, authenticatorPassword: passwords.value.authenticator, authAdminPassword: passwords.value.authAdmin,
  };
  const superuserUrl = (port: number, password: string) =>
    `postgres://${EMBEDDED_SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  const running = runningPostmaster(dataDir);
  if (running) {
    const adminUrl = legacy
      ? await moveOffLegacyPassword(superuserUrl(running.port, LEGACY_EMBEDDED_PASSWORD), passwords.value.superuser)
      : superuserUrl(running.port, passwords.value.superuser);
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
    password: legacy ? LEGACY_EMBEDDED_PASSWORD : passwords.value.superuser,
    ...(options.onLog ? { onLog: options.onLog } : {}),
  });
  const adminUrl = legacy ? await moveOffLegacyPassword(server.adminUrl, passwords.value.superuser) : server.adminUrl;
  return { adminUrl, embedded: true, stop: () => server.stop(), platform };
}

/**
 * Gives the superuser its new per-install password (the platform step then does the other
 * logins) and returns the URL with it. The password travels through a setting, so no statement
 * text (or server log line) holds it.
 */
async function moveOffLegacyPassword(legacyUrl: string, password: string): Promise<string> {
  const sql = postgres(legacyUrl, { max: 1, onnotice: () => {} });
  try {
    await sql.begin(async (tx) => {
      await tx`select set_config('mintid.superuser_password', ${password}, true)`;
      await tx.unsafe(`do $$ begin
        execute format('alter role %I with password %L', '${EMBEDDED_SUPERUSER}', current_setting('mintid.superuser_password'));
      end $$`);
    });
  } finally {
    await sql.end();
  }
  const url = new URL(legacyUrl);
  url.password = encodeURIComponent(password);
  return url.toString();
}
