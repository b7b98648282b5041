// Local sign-in on the real local stack (startStack, as `npm start` runs it) with a DATABASE_URL of
// a superuser: the platform step creates supabase_auth_admin with a per-install password, the demo
// users sign in with their documented local passwords, and a database seeded before local sign-in
// existed gets them on the next start. Roles are cluster-wide, so this file has a server of its own.
import '../../src/node-websocket.js';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient } from '@supabase/supabase-js';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORDS } from '../../src/local/auth/demo-users.js';
import { parseLocalEnv } from '../../src/local/config.js';
import { startEmbeddedPostgres, type EmbeddedServer } from '../../src/local/embedded.js';
import { DEMO_BRAND_ID, DEMO_USERS, type DemoUser } from '../../src/local/keys.js';
import { startStack, type Stack } from '../../src/local/stack.js';
import { databaseUrl, freePort } from '../support/urls.js';

let server: EmbeddedServer;
let stateDir: string;
let stack: Stack | undefined;
let env: ReturnType<typeof parseLocalEnv>;

const client = () => createClient(stack!.url, stack!.keys.anonKey, { auth: { persistSession: false, autoRefreshToken: false } });
const signIn = (user: DemoUser, password = DEMO_PASSWORDS[user]) =>
  client().auth.signInWithPassword({ email: DEMO_USERS[user].email, password });

beforeAll(async () => {
  stateDir = await mkdtemp(path.join(tmpdir(), 'mintid-auth-stack-'));
  server = await startEmbeddedPostgres({ dataDir: path.join(stateDir, 'server'), port: await freePort(), durable: false });
  const admin = postgres(server.adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe('create database mintid_auth_app');
  await admin.end();
  env = parseLocalEnv({
    DATABASE_URL: databaseUrl(server.adminUrl, 'mintid_auth_app'), MINTID_PORT: String(await freePort()), MINTID_STATE_DIR: stateDir,
    MINTID_JWT_SECRET: 'auth-stack-test-jwt-secret-0123456789abcdef',
  });
  stack = await startStack(env);
});
afterAll(async () => {
  await stack?.stop();
  await server?.stop();
  await rm(stateDir, { recursive: true, force: true });
});

describe('demo users on the local stack', () => {
  it('each demo user signs in with the documented local password', async () => {
    for (const user of ['owner', 'admin', 'member'] as const) {
      const { data, error } = await signIn(user);
      expect(error, user).toBeNull();
      expect(data.user!.id).toBe(DEMO_USERS[user].id);
    }
  });

  it('the demo admin\'s session manages the demo brand\'s credentials through the gateway', async () => {
    const supabase = client();
    await supabase.auth.signInWithPassword({ email: DEMO_USERS.admin.email, password: DEMO_PASSWORDS.admin });
    const { data, error } = await supabase.rpc('list_api_credential_records', { _brand_id: DEMO_BRAND_ID });
    expect(error).toBeNull();
    expect(data).toMatchObject({ ok: true });
  });

  it('a wrong password is refused', async () => {
    const { error } = await signIn('admin', 'owner-demo-password');
    expect(error?.code).toBe('invalid_credentials');
  });

  it('the auth login\'s password is per install, kept in the state directory with mode 0600', async () => {
    const info = await stat(path.join(stateDir, 'auth-admin-password'));
    expect(info.mode & 0o777).toBe(0o600);
  });

  it('a restart gives back a missing demo password and keeps a changed one', async () => {
    const admin = postgres(databaseUrl(server.adminUrl, 'mintid_auth_app'), { max: 1, onnotice: () => {} });
    try {
      await admin`update auth.users set encrypted_password = null where id = ${DEMO_USERS.member.id}`;
      await admin`update auth.users set encrypted_password = extensions.crypt('changed-password', extensions.gen_salt('bf', 4))
                  where id = ${DEMO_USERS.owner.id}`;
    } finally {
      await admin.end();
    }
    await stack!.stop();
    stack = undefined;
    stack = await startStack(env);
    expect((await signIn('member')).error).toBeNull();
    expect((await signIn('owner')).error?.code).toBe('invalid_credentials');
    expect((await signIn('owner', 'changed-password')).error).toBeNull();
  });
});
