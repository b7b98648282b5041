import { readFile } from 'node:fs/promises';
import path from 'node:path';
import postgres from 'postgres';
import { startApi, type Api } from './api.js';
import { DEMO_PASSWORDS, ensureDemoPasswords } from './auth/demo-users.js';
import { assertJwtSecretFor, type LocalEnv } from './config.js';
import { ensureConsoleBuilt, consoleDistDir } from './console-build.js';
import { openLocalDatabase } from './database.js';
import { assertPortFree, claimStateDir, recordStack } from './instance.js';
import { DEMO_BRAND_ID, DEMO_USERS, type LocalKeys } from './keys.js';
import { migrate } from './migrate.js';
import { localAuthAdminPassword, localAuthenticatorPassword, localSigningKeys } from './state.js';
import { databaseUrl, redactPassword } from './urls.js';
import { waitForDatabase } from './wait.js';
import { packageRoot } from '../package-root.js';

const seedUrl = path.join(packageRoot, 'supabase/seed.sql');

export interface Stack {
  url: string;
  keys: LocalKeys;
  /** Whether demo data was added by this start. */
  seeded: boolean;
  signingKeyCreated: boolean;
  /** Where local state (data, signing keys) lives. */
  stateDir: string;
  databaseUrl: string;
  /** Whether the keys derive from the documented demo JWT secret (then the banner may print them all). */
  demoJwtSecret: boolean;
  /** Why /auth/v1 cannot sign anyone in (it answers 503 local_signin_unavailable); null when it works. */
  signInUnavailable: string | null;
  stop(): Promise<void>;
}

/** Adds supabase/seed.sql's demo brand and users when the database lacks them. */
async function seedIfMissing(adminUrl: string): Promise<boolean> {
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql`select exists (select 1 from mintid.brands where id = ${DEMO_BRAND_ID}) as present`;
    if (row!.present) return false;
    const seed = await readFile(seedUrl, 'utf8');
    await sql.begin((tx) => tx.unsafe(seed));
    return true;
  } finally {
    await sql.end();
  }
}

/**
 * The local Supabase-style stack of SPEC §8: a PostgreSQL (DATABASE_URL, or embedded with data in
 * .mintid/), the platform objects, the migrations, demo data on first start, and one HTTP server
 * with `/rest/v1/rpc/*` and `/functions/v1/{token,jwks}`.
 */
export async function startStack(env: LocalEnv, log: (line: string) => void = () => {}, signal?: AbortSignal): Promise<Stack> {
  assertJwtSecretFor(env);
  // The console (SPEC §11) is built while the database starts, when dist/console/ is missing or stale.
  const consoleBuild = ensureConsoleBuilt(log).then(() => null, (error: Error) => error);
  // One stack per state directory; a port in use is named before anything starts.
  const release = await claimStateDir(env.stateDir);
  let database: Awaited<ReturnType<typeof openLocalDatabase>>;
  try {
    await assertPortFree(env.MINTID_PORT, 'MINTID_PORT');
    // Like PostgREST: a database that is not reachable yet is waited for, with a line per attempt.
    if (env.DATABASE_URL) await waitForDatabase(env.DATABASE_URL, { log, signal });
    database = await openLocalDatabase(env, { running: 'adopt' });
  } catch (error) {
    await consoleBuild;
    await release();
    throw error;
  }
  let api: Api | undefined;
  // Stop in dependency order: the API (token function's pending uses first), then the database.
  const stop = async () => {
    for (const step of [() => api?.close(), () => database.stop(), release]) {
      await Promise.resolve(step()).catch((error: unknown) => log(`stop: ${(error as Error).message}`));
    }
  };
  try {
    const authenticatorPassword = database.platform.authenticatorPassword ?? await localAuthenticatorPassword(env.stateDir);
    const authAdminPassword = database.platform.authAdminPassword ?? await localAuthAdminPassword(env.stateDir);
    const migrated = await migrate({ databaseUrl: database.adminUrl, ...database.platform, authenticatorPassword, authAdminPassword, log });
    const seeded = await seedIfMissing(database.adminUrl);
    const signing = process.env.MINTID_SIGNING_KEYS
      ? { value: process.env.MINTID_SIGNING_KEYS, created: false }
      : await localSigningKeys(env.stateDir);
    const url = `http://127.0.0.1:${env.MINTID_PORT}`;
    api = await startApi({
      authenticatorUrl: databaseUrl(database.adminUrl, undefined, { user: 'authenticator', password: authenticatorPassword }),
      jwtSecret: env.MINTID_JWT_SECRET,
      signingKeys: signing.value,
      publicUrl: url,
      env: process.env,
      log,
      authDatabaseUrl: databaseUrl(database.adminUrl, undefined, { user: 'supabase_auth_admin', password: authAdminPassword }),
      console: {
        distDir: consoleDistDir(),
        signUp: true,
        demoAccounts: (Object.keys(DEMO_USERS) as (keyof typeof DEMO_USERS)[])
          .map((role) => ({ email: DEMO_USERS[role].email, password: DEMO_PASSWORDS[role], role })),
      },
    });
    // Local sign-in needs the platform step's supabase_auth_admin login and functions (a superuser
    // step); without them /auth/v1 answers 503 local_signin_unavailable, and check() logs why, once.
    const unavailable = api.auth ? await api.auth.check() : null;
    if (api.auth && !unavailable) {
      await ensureDemoPasswords(api.auth.store)
        .catch((error: unknown) => log(`demo passwords not set (${(error as { code?: string }).code ?? (error as Error).name})`));
    }
    const buildError = await consoleBuild;
    if (buildError) log(`console not available: ${buildError.message}`);
    await api.gateway.listen(env.MINTID_PORT, '127.0.0.1');
    // `mintid env` and the API commands in a second terminal find this stack by its state directory.
    await recordStack(env.stateDir, { url, dbPort: database.embedded ? Number(new URL(database.adminUrl).port) || null : null });
    log(`migrations owned by ${migrated.ownerRole}`);
    return {
      url, keys: api.keys, seeded, signInUnavailable: unavailable?.why ?? null, signingKeyCreated: signing.created, stateDir: env.stateDir, stop, demoJwtSecret: env.demoJwtSecret,
      // The embedded server's owner login (its per-install password, for this user's terminal) is
      // printable; a DATABASE_URL's password is not.
      databaseUrl: database.embedded
        ? databaseUrl(database.adminUrl, undefined, { user: 'postgres', password: database.platform.ownerPassword })
        : redactPassword(database.adminUrl),
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
