import { readFile } from 'node:fs/promises';
import postgres from 'postgres';
import { createJwksFunction, createTokenFunction, type TokenFunction } from '../../supabase/functions/_shared/functions.ts';
import { createGateway, type Gateway } from '../gateway/index.js';
import { verifyClientSecret } from '../secrets/hash.js';
import type { LocalEnv } from './config.js';
import { LOCAL_LOGIN_PASSWORD, openLocalDatabase } from './database.js';
import { DEMO_BRAND_ID, localKeys, type LocalKeys } from './keys.js';
import { migrate } from './migrate.js';
import { localAuthenticatorPassword, localSigningKeys } from './state.js';

const seedUrl = new URL('../../supabase/seed.sql', import.meta.url);

export interface Stack {
  url: string;
  keys: LocalKeys;
  /** Whether demo data was added by this start. */
  seeded: boolean;
  signingKeyCreated: boolean;
  databaseUrl: string;
  stop(): Promise<void>;
}

function withLogin(url: string, user: string, password: string): string {
  const parsed = new URL(url);
  parsed.username = encodeURIComponent(user);
  parsed.password = encodeURIComponent(password);
  return parsed.toString();
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
export async function startStack(env: LocalEnv, log: (line: string) => void = () => {}): Promise<Stack> {
  const database = await openLocalDatabase(env);
  let gateway: Gateway | undefined;
  let token: TokenFunction | undefined;
  // Stop in dependency order: flush the token function's pending uses through the gateway, then
  // the gateway, then the database.
  const stop = async () => {
    for (const step of [() => token?.close(), () => gateway?.close(), () => database.stop()]) {
      await Promise.resolve(step()).catch((error: unknown) => log(`stop: ${(error as Error).message}`));
    }
  };
  try {
    const authenticatorPassword = database.embedded ? LOCAL_LOGIN_PASSWORD : await localAuthenticatorPassword(env.stateDir);
    const migrated = await migrate({
      databaseUrl: database.adminUrl,
      authenticatorPassword,
      ...(database.embedded ? { ownerPassword: LOCAL_LOGIN_PASSWORD } : {}),
      log,
    });
    const seeded = await seedIfMissing(database.adminUrl);
    const keys = await localKeys(env.MINTID_JWT_SECRET);
    const signing = process.env.MINTID_SIGNING_KEYS
      ? { value: process.env.MINTID_SIGNING_KEYS, created: false }
      : await localSigningKeys(env.stateDir);
    const url = `http://127.0.0.1:${env.MINTID_PORT}`;

    // The token function reaches PostgREST with the service key, in-process (no loopback hop).
    const inProcessFetch: typeof fetch = (input, init) => gateway!.fetch(new Request(input, init));
    const functionEnv = {
      ...process.env, SUPABASE_URL: url, SUPABASE_SERVICE_ROLE_KEY: keys.serviceRoleKey, MINTID_SIGNING_KEYS: signing.value,
    };
    token = await createTokenFunction({ env: functionEnv, verifySecret: verifyClientSecret, fetch: inProcessFetch });
    const jwks = await createJwksFunction({ env: functionEnv });

    gateway = await createGateway({
      databaseUrl: withLogin(database.adminUrl, 'authenticator', authenticatorPassword),
      jwtSecret: env.MINTID_JWT_SECRET,
      apiKeys: [keys.anonKey, keys.serviceRoleKey],
      functions: { token: { handler: token.handler, verifyJwt: false }, jwks: { handler: jwks.handler, verifyJwt: false } },
    });
    await gateway.listen(env.MINTID_PORT, '127.0.0.1');
    log(`migrations owned by ${migrated.ownerRole}`);
    return {
      url, keys, seeded, signingKeyCreated: signing.created, stop,
      databaseUrl: database.embedded ? withLogin(database.adminUrl, 'postgres', LOCAL_LOGIN_PASSWORD) : database.adminUrl,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
