// `mintid env --as <owner|admin|member>` against the real local API with the demo data of
// supabase/seed.sql: which demo user's token becomes MINTID_TOKEN, and the README's flow
// (`eval "$(npx mintid env --as owner)"`, then `mintid members add`) working end to end.
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_BRAND_ID, DEMO_USERS } from '../../src/local/keys.js';
import { startTestApi, TEST_JWT_SECRET, type TestApi } from '../support/api.js';
import { mintidRunner } from '../support/cli.js';

const seedSql = fileURLToPath(new URL('../../supabase/seed.sql', import.meta.url));
let t: TestApi;
let stateDir: string;
beforeAll(async () => {
  t = await startTestApi({ prepareDatabase: async (db) => db.admin.begin(async (tx) => tx.unsafe(await readFile(seedSql, 'utf8'))) });
  stateDir = await mkdtemp(path.join(tmpdir(), 'mintid-cli-env-'));
});
afterAll(async () => {
  await t.close();
  await rm(stateDir, { recursive: true, force: true });
});

/** A second terminal: nothing but the stack's port and JWT secret (as for `npm start`), then what `env` exported. */
const mintid = mintidRunner(() => ({
  DATABASE_URL: undefined, MINTID_URL: undefined, MINTID_KEY: undefined, MINTID_TOKEN: undefined,
  MINTID_BRAND_ID: undefined, MINTID_SERVICE_KEY: undefined, MINTID_STATE_DIR: stateDir,
  MINTID_PORT: new URL(t.url).port, MINTID_JWT_SECRET: TEST_JWT_SECRET,
}));

/** What `eval "$(npx mintid env …)"` would set. */
const exportsOf = (stdout: string) =>
  Object.fromEntries([...stdout.matchAll(/^export (\w+)='([^']*)'$/gm)].map((m) => [m[1]!, m[2]!]));
const subOf = (jwt: string) => (JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as { sub?: string }).sub;

async function newUserEmail(): Promise<string> {
  const email = `env-${randomUUID().slice(0, 8)}@example.test`;
  await t.db.admin`insert into auth.users (id, email, role, aud) values (${randomUUID()}, ${email}, 'authenticated', 'authenticated')`;
  return email;
}

describe('mintid env --as', () => {
  it.each(['owner', 'admin', 'member'] as const)('--as %s exports that demo user\'s token as MINTID_TOKEN, with the demo brand', async (role) => {
    const run = await mintid(['env', '--as', role]);
    expect(run.code, run.stderr).toBe(0);
    const exported = exportsOf(run.stdout);
    expect(subOf(exported.MINTID_TOKEN!)).toBe(DEMO_USERS[role].id);
    expect(exported.MINTID_BRAND_ID).toBe(DEMO_BRAND_ID);
    expect(run.stdout).toContain(`# MINTID_TOKEN: the demo ${role}, ${DEMO_USERS[role].email}`);
  });

  it('exports the demo admin\'s token without --as, as before', async () => {
    const run = await mintid(['env']);
    expect(run.code, run.stderr).toBe(0);
    expect(subOf(exportsOf(run.stdout).MINTID_TOKEN!)).toBe(DEMO_USERS.admin.id);
  });

  it('lets the owner add a member, as the README shows (env --as owner, then members add)', async () => {
    const exported = exportsOf((await mintid(['env', '--as', 'owner'])).stdout);
    const email = await newUserEmail();
    const add = await mintid(['members', 'add', '--email', email, '--role', 'member'], { env: exported });
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toMatch(/^Added [0-9a-f-]{36} as member\n$/);
    const [row] = await t.db.admin`select m.role from mintid.brand_members m join auth.users u on u.id = m.user_id
      where m.brand_id = ${DEMO_BRAND_ID} and u.email = ${email}`;
    expect(row?.role).toBe('member');
  });

  it('leaves members add refused (exit 4, not_brand_owner) with the default admin token', async () => {
    const exported = exportsOf((await mintid(['env'])).stdout);
    const add = await mintid(['members', 'add', '--email', await newUserEmail(), '--role', 'member'], { env: exported });
    expect(add.code).toBe(4);
    expect(add.stderr).toContain('(not_brand_owner)');
  });

  it('gives the member a token that may not list credentials (exit 4)', async () => {
    const exported = exportsOf((await mintid(['env', '--as', 'member'])).stdout);
    const run = await mintid(['credentials', 'list'], { env: exported });
    expect(run.code).toBe(4);
    expect(run.stderr).toContain('Your role in this brand is member');
  });

  it.each([['root'], ['Owner'], ['service_role']])('refuses --as %s with exit 2, naming the choices, and prints no export', async (value) => {
    const run = await mintid(['env', '--as', value]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--as must be one of owner, admin, member');
    expect(run.stdout).toBe('');
  });

  it('refuses an empty --as with exit 2, naming the flag and the default', async () => {
    const run = await mintid(['env', '--as', '']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--as was given an empty value');
    expect(run.stderr).toContain('default (admin)');
    expect(run.stdout).toBe('');
  });

  it('describes --as in its help', async () => {
    const run = await mintid(['env', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/--as <role> +whose access token becomes MINTID_TOKEN: the demo owner, admin, member \(default admin\)/);
    expect(run.stdout).toContain('eval "$(npx mintid env --as owner)"');
  });
});
