// Issue 10 items 7 and 9 / SPEC §8 round 2: no known password or demo key left behind — the demo
// JWT secret refused with a DATABASE_URL unless given explicitly, the banner without a non-demo
// service key, random per-install passwords for the embedded server (an old install moved off
// `postgres`), the migration owner NOLOGIN on a server of your own, and `npm start` waiting for a
// database that is not up yet. Each case runs its own throw-away PostgreSQL (roles are cluster-wide).
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, describe, expect, inject, it } from 'vitest';
import '../../src/node-websocket.js';
import { banner } from '../../src/cli/start.js';
import { LOCAL_DEFAULTS, parseLocalEnv } from '../../src/local/config.js';
import { openLocalDatabase } from '../../src/local/database.js';
import { EMBEDDED_SUPERUSER, LEGACY_EMBEDDED_PASSWORD, startEmbeddedPostgres } from '../../src/local/embedded.js';
import { DEMO_BRAND_ID, DEMO_USERS, localKeys } from '../../src/local/keys.js';
import { DEMO_PASSWORDS } from '../../src/local/auth/demo-users.js';
import { migrate } from '../../src/local/migrate.js';
import { startStack, type Stack } from '../../src/local/stack.js';
import { databaseUrl, freePort } from '../support/urls.js';

const SLOW = { timeout: 120_000 };
const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

/** A fresh directory directly under the system temp dir (as root, the server's user must reach its parent). */
const dir = async (name: string) => {
  const created = await mkdtemp(path.join(tmpdir(), `mintid-abuse-${name}-`));
  dirs.push(created);
  return created;
};

/** Whether `user` can log in with `password` on the server at `adminUrl`. */
async function canLogin(adminUrl: string, user: string, password: string): Promise<boolean> {
  const sql = postgres(databaseUrl(adminUrl, 'postgres', { user, password }), { max: 1, connect_timeout: 5, onnotice: () => {} });
  try {
    await sql`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

describe('the demo JWT secret with a DATABASE_URL', () => {
  it('is refused unless MINTID_JWT_SECRET is given, and the error says how to make one', async () => {
    const env = parseLocalEnv({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/postgres', MINTID_STATE_DIR: await dir('refuse') });
    const error = await startStack(env).then(() => null, (e: Error) => e);
    expect(error?.message).toContain('MINTID_JWT_SECRET must be set');
    expect(error?.message).toContain('openssl rand -base64 48');
    expect(error?.message).toContain('randomBytes(48)');
  });

  it('is accepted when set explicitly, and the embedded database needs no secret at all', () => {
    expect(parseLocalEnv({ DATABASE_URL: 'postgres://x@127.0.0.1/x', MINTID_JWT_SECRET: LOCAL_DEFAULTS.jwtSecret })).toMatchObject({
      demoJwtSecret: true, jwtSecretExplicit: true,
    });
    expect(parseLocalEnv({})).toMatchObject({ demoJwtSecret: true, jwtSecretExplicit: false });
  });
});

describe('the banner', () => {
  const DEMO = { brandId: DEMO_BRAND_ID, users: DEMO_USERS, passwords: DEMO_PASSWORDS };
  const stackWith = async (secret: string, demo: boolean) => ({
    url: 'http://127.0.0.1:1', keys: await localKeys(secret), seeded: false, signingKeyCreated: false, stateDir: '/tmp/x',
    databaseUrl: 'postgres://postgres:***@127.0.0.1/postgres', demoJwtSecret: demo, signInUnavailable: null as string | null, stop: async () => {},
  }) satisfies Stack;

  it('never prints the service key derived from a non-demo secret', async () => {
    const stack = await stackWith('a-real-secret-of-someone-0123456789abcdef-xyz', false);
    const text = banner(stack, DEMO);
    expect(text).not.toContain(stack.keys.serviceRoleKey);
    expect(text).toContain('npx mintid env');
    expect(text).toContain(stack.keys.anonKey);
  });

  it('says local sign-in is unavailable and why instead of listing demo passwords that would not work', async () => {
    const stack = { ...await stackWith(LOCAL_DEFAULTS.jwtSecret, true), signInUnavailable: 'the database refused the supabase_auth_admin login (wrong password).' };
    const text = banner(stack, DEMO);
    expect(text).toContain('Local sign-in is unavailable: the database refused the supabase_auth_admin login');
    expect(text).toMatch(/Auth +\S+\/auth\/v1 \(UNAVAILABLE: answers 503/);
    expect(text).not.toContain(DEMO_PASSWORDS.admin);
  });

  it('prints the demo service key (public knowledge anyway)', async () => {
    const stack = await stackWith(LOCAL_DEFAULTS.jwtSecret, true);
    expect(banner(stack, DEMO)).toContain(stack.keys.serviceRoleKey);
  });
});

describe('the embedded server\'s logins', () => {
  it('get random per-install passwords kept owner-only under the state directory, never postgres', async () => {
    const stateDir = await dir('fresh');
    const env = parseLocalEnv({ MINTID_STATE_DIR: stateDir, MINTID_DB_PORT: String(await freePort()) });
    const database = await openLocalDatabase(env);
    try {
      await migrate({ databaseUrl: database.adminUrl, ...database.platform });
      const file = path.join(stateDir, 'embedded-passwords.json');
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      const passwords = JSON.parse(await readFile(file, 'utf8')) as Record<string, string>;
      for (const [user, key] of [[EMBEDDED_SUPERUSER, 'superuser'], ['postgres', 'owner'], ['authenticator', 'authenticator']] as const) {
        expect(passwords[key]!.length).toBeGreaterThanOrEqual(32);
        expect(await canLogin(database.adminUrl, user, LEGACY_EMBEDDED_PASSWORD)).toBe(false);
        expect(await canLogin(database.adminUrl, user, passwords[key]!)).toBe(true);
      }
    } finally {
      await database.stop();
    }
  }, SLOW.timeout);

  it('are moved off the old demo password postgres on the first start of an older install', async () => {
    const stateDir = await dir('legacy');
    const port = await freePort();
    const old = await startEmbeddedPostgres({ dataDir: path.join(stateDir, 'db'), port, durable: false, password: LEGACY_EMBEDDED_PASSWORD });
    await migrate({ databaseUrl: old.adminUrl, ownerPassword: LEGACY_EMBEDDED_PASSWORD, authenticatorPassword: LEGACY_EMBEDDED_PASSWORD });
    expect(await canLogin(old.adminUrl, EMBEDDED_SUPERUSER, LEGACY_EMBEDDED_PASSWORD)).toBe(true);
    await old.stop();

    const database = await openLocalDatabase(parseLocalEnv({ MINTID_STATE_DIR: stateDir, MINTID_DB_PORT: String(port) }));
    try {
      await migrate({ databaseUrl: database.adminUrl, ...database.platform });
      for (const user of [EMBEDDED_SUPERUSER, 'postgres', 'authenticator']) {
        expect(await canLogin(database.adminUrl, user, LEGACY_EMBEDDED_PASSWORD)).toBe(false);
      }
      expect(await canLogin(database.adminUrl, 'authenticator', database.platform.authenticatorPassword!)).toBe(true);
    } finally {
      await database.stop();
    }
    // And the next start uses the new password from the file.
    const again = await openLocalDatabase(parseLocalEnv({ MINTID_STATE_DIR: stateDir, MINTID_DB_PORT: String(port) }));
    await again.stop();
  }, SLOW.timeout);
});

describe('a server of your own (DATABASE_URL) whose postgres is the superuser', () => {
  it('gets a NOLOGIN migration owner without password, even where an older run left it a login', async () => {
    const server = await startEmbeddedPostgres({ dataDir: path.join(await dir('own'), 'db'), port: await freePort(), durable: false });
    try {
      const admin = postgres(server.adminUrl, { max: 1, onnotice: () => {} });
      const password = randomBytes(12).toString('hex');
      await admin.unsafe(`create role postgres superuser login password '${password}'`);
      await admin.unsafe(`create role mintid_owner login createrole createdb password 'postgres'`);
      const asPostgres = databaseUrl(server.adminUrl, 'postgres', { user: 'postgres', password });
      const { ownerRole } = await migrate({ databaseUrl: asPostgres, authenticatorPassword: randomBytes(12).toString('hex') });
      expect(ownerRole).toBe('mintid_owner');
      const [owner] = await admin`select rolcanlogin, rolcreaterole, rolpassword is null as no_password from pg_authid where rolname = 'mintid_owner'`;
      await admin.end();
      expect(owner).toEqual({ rolcanlogin: false, rolcreaterole: false, no_password: true });
      expect(await canLogin(server.adminUrl, 'mintid_owner', 'postgres')).toBe(false);
    } finally {
      await server.stop();
    }
  }, SLOW.timeout);

  it('this test run gave the authenticator a random password, not a known one', () => {
    const { authenticatorPassword } = inject('database');
    expect(authenticatorPassword).not.toBe('postgres');
    expect(authenticatorPassword.length).toBeGreaterThanOrEqual(32);
  });
});

describe('npm start while the database is unreachable', () => {
  it('waits and retries with a clear message, and comes up once the database does', async () => {
    const stateDir = await dir('wait');
    const port = await freePort();
    const password = randomBytes(12).toString('hex');
    const url = `postgres://${EMBEDDED_SUPERUSER}:${password}@127.0.0.1:${port}/postgres`;
    const lines: string[] = [];
    const abort = new AbortController();
    const starting = startStack(parseLocalEnv({
      DATABASE_URL: url, MINTID_JWT_SECRET: 'wait-test-secret-0123456789abcdef-0123456789', MINTID_STATE_DIR: stateDir,
      MINTID_PORT: String(await freePort()),
    }), (line) => lines.push(line), abort.signal);
    let stack: Stack | undefined;
    let server: Awaited<ReturnType<typeof startEmbeddedPostgres>> | undefined;
    try {
      const deadline = Date.now() + 10_000;
      while (!lines.some((l) => l.includes('not reachable')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      const waiting = lines.find((l) => l.includes('not reachable'));
      expect(waiting).toMatch(/^The database at postgres:\/\/supabase_admin:\*\*\*@127\.0\.0\.1:\d+\/postgres is not reachable \(ECONNREFUSED\); retrying in \d+ s…$/);
      expect(lines.join('\n')).not.toContain(password);
      server = await startEmbeddedPostgres({ dataDir: path.join(await dir('wait-server'), 'db'), port, durable: false, password });
      stack = await starting;
      expect(lines.some((l) => l.includes('is reachable now'))).toBe(true);
      const res = await fetch(`${stack.url}/rest/v1/rpc/list_api_credential_records`, {
        method: 'POST', headers: { apikey: stack.keys.anonKey, 'Content-Type': 'application/json' }, body: '{}',
      });
      expect(res.status).toBe(401);
    } finally {
      abort.abort();
      await (stack ?? await starting.catch(() => undefined))?.stop();
      await server?.stop();
    }
  }, SLOW.timeout);

  it('gives up at once on a refusal that waiting cannot heal (wrong password)', async () => {
    const server = await startEmbeddedPostgres({ dataDir: path.join(await dir('refusal'), 'db'), port: await freePort(), durable: false });
    try {
      const wrong = databaseUrl(server.adminUrl, 'postgres', { user: EMBEDDED_SUPERUSER, password: 'wrong' });
      const error = await startStack(parseLocalEnv({
        DATABASE_URL: wrong, MINTID_JWT_SECRET: 'wait-test-secret-0123456789abcdef-0123456789', MINTID_STATE_DIR: await dir('refusal-state'),
      })).then(() => null, (e: { code?: string }) => e);
      expect(error?.code).toBe('28P01');
    } finally {
      await server.stop();
    }
  }, SLOW.timeout);
});
