// The local stack with a DATABASE_URL of a non-superuser (SPEC §8, §10): the platform objects are
// there (a superuser put them there once, as on a Supabase database) but this login cannot set the
// supabase_auth_admin password, so local sign-in cannot work. The stack still starts and serves the
// API; it says once, at start, that local sign-in is unavailable and why; the banner says so
// instead of listing demo passwords; /auth/v1 answers 503 local_signin_unavailable, never 500.
// Roles are cluster-wide, so this file has a server of its own.
import '../../src/node-websocket.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient, isAuthRetryableFetchError } from '@supabase/supabase-js';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { banner } from '../../src/cli/start.js';
import { DEMO_PASSWORDS } from '../../src/local/auth/demo-users.js';
import { parseLocalEnv } from '../../src/local/config.js';
import { startEmbeddedPostgres, type EmbeddedServer } from '../../src/local/embedded.js';
import { DEMO_BRAND_ID, DEMO_USERS } from '../../src/local/keys.js';
import { ensurePlatform } from '../../src/local/platform.js';
import { startStack, type Stack } from '../../src/local/stack.js';
import { databaseUrl, freePort } from '../support/urls.js';

const OWNER_PASSWORD = 'app-owner-test-password';
const JWT_SECRET = 'non-superuser-stack-test-jwt-secret-0123456789';
let server: EmbeddedServer;
let stateDir: string;
let stack: Stack | undefined;
const lines: string[] = [];

beforeAll(async () => {
  stateDir = await mkdtemp(path.join(tmpdir(), 'mintid-non-superuser-'));
  server = await startEmbeddedPostgres({ dataDir: path.join(stateDir, 'server'), port: await freePort(), durable: false });
  const admin = postgres(server.adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create role app_owner login createrole password '${OWNER_PASSWORD}'`);
  await admin.unsafe('create database app owner app_owner');
  await admin.end();
  // A superuser prepares the platform once (no supabase_auth_admin password: that needs the stack's
  // own, which only a superuser step sets), and gives app_owner what Supabase's `postgres` login has.
  const app = postgres(databaseUrl(server.adminUrl, 'app'), { max: 1, onnotice: () => {} });
  await ensurePlatform(app, {});
  await app.unsafe(`grant authenticator, anon, authenticated, service_role to app_owner with admin option;
    grant usage on schema auth, extensions, vault to app_owner;
    grant select, insert, update, references on auth.users to app_owner;
    grant execute on all functions in schema auth, vault, extensions to app_owner`);
  await app.end();
  const url = new URL(databaseUrl(server.adminUrl, 'app'));
  url.username = 'app_owner';
  url.password = OWNER_PASSWORD;
  stack = await startStack(parseLocalEnv({
    DATABASE_URL: url.toString(), MINTID_PORT: String(await freePort()), MINTID_STATE_DIR: stateDir, MINTID_JWT_SECRET: JWT_SECRET,
  }), (line) => lines.push(line));
}, 180_000);
afterAll(async () => {
  await stack?.stop();
  await server?.stop();
  await rm(stateDir, { recursive: true, force: true });
});

const unavailableLines = () => lines.filter((line) => line.startsWith('local sign-in unavailable:'));
const signInRaw = () => fetch(`${stack!.url}/auth/v1/token?grant_type=password`, {
  method: 'POST',
  headers: { apikey: stack!.keys.anonKey, 'content-type': 'application/json' },
  body: JSON.stringify({ email: DEMO_USERS.admin.email, password: DEMO_PASSWORDS.admin }),
});

describe('local stack on a non-superuser DATABASE_URL', () => {
  it('starts, and says once why local sign-in is unavailable', () => {
    expect(unavailableLines()).toHaveLength(1);
    expect(unavailableLines()[0]).toMatch(/supabase_auth_admin login \(wrong password\)\. Local sign-in needs the platform step to run as a superuser/);
    expect(stack!.signInUnavailable).toMatch(/^the database refused the supabase_auth_admin login/);
    expect(lines).toContain('migrations owned by app_owner');
  });

  it('/auth/v1 answers 503 local_signin_unavailable (initial shape without the API version header), not 500', async () => {
    const response = await signInRaw();
    expect(response.status).toBe(503);
    const body = await response.json() as { code: number; error_code: string; msg: string };
    expect(body).toMatchObject({ code: 503, error_code: 'local_signin_unavailable' });
    expect(body.msg).toBe(`Local sign-in is unavailable: ${stack!.signInUnavailable}`);
  });

  it('supabase-js gets a retryable 503; the log still has the one line', async () => {
    const supabase = createClient(stack!.url, stack!.keys.anonKey, { auth: { persistSession: false, autoRefreshToken: false } });
    const { data, error } = await supabase.auth.signInWithPassword({ email: DEMO_USERS.admin.email, password: DEMO_PASSWORDS.admin });
    expect(data.session).toBeNull();
    expect(isAuthRetryableFetchError(error)).toBe(true);
    expect(error?.status).toBe(503);
    await signInRaw();
    expect(unavailableLines()).toHaveLength(1);
  });

  it('the banner marks Auth unavailable, gives the cause, and lists no demo passwords', () => {
    const text = banner(stack!, { brandId: DEMO_BRAND_ID, users: DEMO_USERS, passwords: DEMO_PASSWORDS });
    expect(text).toMatch(/Auth +http:\/\/127\.0\.0\.1:\d+\/auth\/v1 \(UNAVAILABLE: answers 503, see below\)/);
    expect(text).toContain(`Local sign-in is unavailable: ${stack!.signInUnavailable}`);
    for (const password of Object.values(DEMO_PASSWORDS)) expect(text).not.toContain(password);
  });

  it('no log line or answer holds the DATABASE_URL, its password or the JWT secret', async () => {
    const answer = await (await signInRaw()).text();
    for (const text of [...lines, answer, stack!.signInUnavailable!]) {
      expect(text).not.toContain(OWNER_PASSWORD);
      expect(text).not.toContain(JWT_SECRET);
      expect(text).not.toMatch(/postgres(ql)?:\/\/[^\s]*:[^\s*]+@/);
    }
  });

  it('the rest of the API works: the demo admin\'s token lists the demo brand\'s credentials', async () => {
    const supabase = createClient(stack!.url, stack!.keys.anonKey, {
      auth: { persistSession: false, autoRefreshToken: false },
      global: { headers: { Authorization: `Bearer ${stack!.keys.userTokens.admin}` } },
    });
    const { data, error } = await supabase.rpc('list_api_credential_records', { _brand_id: DEMO_BRAND_ID });
    expect(error).toBeNull();
    expect(data).toMatchObject({ ok: true });
  });
});
