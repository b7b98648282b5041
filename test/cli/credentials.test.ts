// The `mintid credentials` commands, driven through the real binary against the real gateway.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyClientSecret } from '../../src/secrets/hash.js';
import { isWellFormedClientSecret } from '../../src/secrets/generate.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { apiEnv, mintidRunner } from '../support/cli.js';

let t: TestApi;
beforeAll(async () => {
  t = await startTestApi();
});
afterAll(() => t.close());

/** Runs `mintid credentials …` as a separate process, as the admin unless env says otherwise. */
const mintid = mintidRunner(() => apiEnv(t, t.tokens.admin), ['credentials']);

const storedHash = async (id: string) =>
  (await t.db.admin`select client_secret_hash from mintid.api_credentials where id = ${id}`)[0]!.client_secret_hash as string;

async function createJson(extra: string[] = []): Promise<{ credential_id: string; client_id: string; client_secret: string }> {
  const run = await mintid(['create', '--name', 'ERP sync', '--scopes', 'products:read,orders:write', '--json', ...extra]);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout);
}

describe('mintid credentials create', () => {
  it('generates the secret locally, sends only its hash, and prints the secret once', async () => {
    const run = await mintid(['create', '--name', 'ERP sync', '--scopes', 'products:read, orders:write', '--metadata', '{"team":"erp"}']);
    expect(run.code).toBe(0);
    const secret = /client_secret: (\S+)/.exec(run.stdout)![1]!;
    const id = /Created credential (\S+)/.exec(run.stdout)![1]!;
    expect(isWellFormedClientSecret(secret)).toBe(true);
    expect(run.stdout.split(secret)).toHaveLength(2);
    const hash = await storedHash(id);
    expect(hash.startsWith('$argon2id$v=19$m=19456,t=2,p=1$')).toBe(true);
    expect(await verifyClientSecret(hash, secret)).toBe(true);
    const [row] = await t.db.admin`select scopes, metadata, name from mintid.api_credentials where id = ${id}`;
    expect(row).toEqual({ scopes: ['products:read', 'orders:write'], metadata: { team: 'erp' }, name: 'ERP sync' });
  });

  it('prints JSON with --json and honours --client-id and --expires-at', async () => {
    const expires = new Date(Date.now() + 86_400_000).toISOString();
    const out = await createJson(['--client-id', 'erp-sync.cli-test', '--expires-at', expires]);
    expect(out.client_id).toBe('erp-sync.cli-test');
    expect(isWellFormedClientSecret(out.client_secret)).toBe(true);
    const [row] = await t.db.admin`select expires_at from mintid.api_credentials where id = ${out.credential_id}`;
    expect((row!.expires_at as Date).toISOString()).toBe(expires);
  });
});

describe('--json output', () => {
  it('uses the RPCs\' snake_case names everywhere, and leaves metadata as given', async () => {
    const created = await createJson(['--metadata', '{"teamName":"erp"}']);
    expect(Object.keys(created).sort()).toEqual(['client_id', 'client_secret', 'credential_id']);
    const list = JSON.parse((await mintid(['list', '--limit', '1', '--json'])).stdout);
    expect(Object.keys(list).sort()).toEqual(['items', 'next_cursor']);
    const item = list.items[0];
    expect(item).toMatchObject({ id: created.credential_id, client_id: created.client_id, metadata: { teamName: 'erp' } });
    for (const key of Object.keys(item)) expect(key).toMatch(/^[a-z_]+$/);
    const rotated = JSON.parse((await mintid(['rotate', '--credential', created.credential_id, '--reason', 'r', '--json'])).stdout);
    expect(Object.keys(rotated).sort()).toEqual(['client_secret', 'credential_id', 'previous_secret_expires_at', 'rotated_at']);
    const revoked = JSON.parse((await mintid(['revoke', '--credential', created.credential_id, '--reason', 'r', '--json'])).stdout);
    expect(Object.keys(revoked).sort()).toEqual(['credential_id', 'reason_code', 'revoked_at']);
    const events = JSON.parse((await mintid(['events', '--credential', created.credential_id, '--json'])).stdout);
    for (const key of Object.keys(events.items[0])) expect(key).toMatch(/^[a-z_]+$/);
    expect(events.items[0]).toMatchObject({ credential_id: created.credential_id, action: 'revoked' });
  });
});

describe('mintid credentials list, rotate, revoke, events', () => {
  it('lists every credential of the brand across pages with --all', async () => {
    const created = [await createJson(), await createJson(), await createJson()];
    const run = await mintid(['list', '--limit', '1', '--all', '--json']);
    expect(run.code).toBe(0);
    const { items, next_cursor } = JSON.parse(run.stdout);
    const ids = items.map((i: { id: string }) => i.id);
    for (const c of created) expect(ids).toContain(c.credential_id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(next_cursor).toBeNull();
    expect(run.stdout).not.toContain('$argon2');
  });

  it('stops after one page without --all and says how to get the next one', async () => {
    await createJson();
    await createJson();
    const run = await mintid(['list', '--limit', '1']);
    expect(run.code).toBe(0);
    const cursor = /^1 credential on this page; more: --cursor (\S+) \(or --all for every page\)$/m.exec(run.stdout)?.[1];
    expect(cursor, run.stdout).toBeDefined();
    const next = await mintid(['list', '--limit', '1', '--cursor', cursor!]);
    expect(next.code, next.stderr).toBe(0);
    expect(next.stdout.split('\n')[0]).not.toBe(run.stdout.split('\n')[0]);
  });

  it('rotates to a new locally generated secret that verifies, printed once', async () => {
    const c = await createJson();
    const run = await mintid(['rotate', '--credential', c.credential_id, '--reason', 'quarterly', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.client_secret).not.toBe(c.client_secret);
    const hash = await storedHash(c.credential_id);
    expect(await verifyClientSecret(hash, out.client_secret)).toBe(true);
    expect(await verifyClientSecret(hash, c.client_secret)).toBe(false);
  });

  it('revokes, then refuses to revoke again with exit code 6 and the reason', async () => {
    const c = await createJson();
    expect((await mintid(['revoke', '--credential', c.credential_id, '--reason', 'retired'])).code).toBe(0);
    const again = await mintid(['revoke', '--credential', c.credential_id, '--reason', 'again', '--json']);
    expect(again.code).toBe(6);
    expect(JSON.parse(again.stderr).error).toMatchObject({ code: 'conflict', reason: 'credential_revoked' });
  });

  it('shows the events of a credential, newest first', async () => {
    const c = await createJson();
    await mintid(['rotate', '--credential', c.credential_id, '--reason', 'quarterly']);
    await mintid(['revoke', '--credential', c.credential_id, '--reason', 'retired']);
    const run = await mintid(['events', '--credential', c.credential_id, '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).items.map((e: { action: string }) => e.action)).toEqual(['revoked', 'rotated', 'created']);
  });
});

describe.concurrent('mintid credentials exit codes', () => {
  it('exits 3 (not authenticated) with only the anon key', async () => {
    const run = await mintid(['list', '--json'], { env: { MINTID_TOKEN: '' } });
    expect(run.code).toBe(3);
    expect(JSON.parse(run.stderr).error.code).toBe('not_authenticated');
  });

  it('exits 3 with an expired user token', async () => {
    const { userToken } = await import('../support/api.js');
    const expired = await userToken(t.brands.users.admin, { exp: Math.floor(Date.now() / 1000) - 3600 });
    expect((await mintid(['list'], { env: { MINTID_TOKEN: expired } })).code).toBe(3);
  });

  it.each([
    ['no token (the anon key alone)', { MINTID_TOKEN: '' }, 'permission denied for function'],
    ['a token that is not a JWT', { MINTID_TOKEN: 'garbage' }, 'JWT'],
  ])('says which token is needed and where to find it for %s, keeping the server\'s text as detail', async (_name, env, detail) => {
    const run = await mintid(['list'], { env });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain("Not authenticated: this needs a signed-in user's access token in MINTID_TOKEN (or --token)");
    expect(run.stderr).toContain('`npm start` prints (or `npx mintid env`)');
    expect(run.stderr).toMatch(new RegExp(`server said: .*${detail}`));
    const json = await mintid(['list', '--json'], { env });
    expect(JSON.parse(json.stderr).error).toMatchObject({ code: 'not_authenticated', message: expect.stringContaining('MINTID_TOKEN'), detail: expect.stringContaining(detail) });
  });


  it('exits 4 (forbidden) for a member', async () => {
    const run = await mintid(['list', '--json'], { env: { MINTID_TOKEN: t.tokens.member } });
    expect(run.code).toBe(4);
    expect(JSON.parse(run.stderr).error).toMatchObject({ code: 'forbidden', reason: 'not_brand_admin' });
  });

  it('exits 4 for the admin of another brand', async () => {
    expect((await mintid(['list'], { env: { MINTID_TOKEN: t.tokens.otherAdmin } })).code).toBe(4);
  });

  it('exits 2 (usage) for a scope the client refuses before sending', async () => {
    const run = await mintid(['create', '--name', 'x', '--scopes', 'Products', '--json']);
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stderr).error).toMatchObject({ code: 'usage', message: '--scopes: "Products" is not a scope (resource:action in lower case, e.g. products:read)' });
  });

  it('exits 2 for --limit 0 instead of silently using the default', async () => {
    const run = await mintid(['list', '--limit', '0', '--json']);
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stderr).error).toMatchObject({ code: 'usage', message: '--limit must be at least 1' });
  });

  it('exits 5 with the server\'s reason for an expiry in the past', async () => {
    const run = await mintid(['create', '--name', 'x', '--scopes', 'a:b', '--expires-at', '2020-01-01T00:00:00Z', '--json']);
    expect(run.code).toBe(5);
    expect(JSON.parse(run.stderr).error.reason).toBe('expires_at_not_future');
  });

  it('names the flag, not the RPC parameter, in the server\'s 400 message', async () => {
    const run = await mintid(['create', '--name', 'x', '--scopes', 'a:b', '--expires-at', '2020-01-01T00:00:00Z']);
    expect(run.code).toBe(5);
    expect(run.stderr).toContain('Invalid input: --expires-at must be in the future (expires_at_not_future)');
    expect(run.stderr).not.toContain('_expires_at');
  });

  it('exits 5 for a credential that is not in the brand', async () => {
    const run = await mintid(['revoke', '--credential', '00000000-0000-4000-8000-000000000000', '--reason', 'x', '--json']);
    expect(run.code).toBe(5);
    expect(JSON.parse(run.stderr).error.reason).toBe('credential_not_found');
  });

  it('exits 6 (conflict) for a client id that is taken', async () => {
    const c = await createJson();
    const run = await mintid(['create', '--name', 'dup', '--scopes', 'a:b', '--client-id', c.client_id, '--json']);
    expect(run.code).toBe(6);
    expect(JSON.parse(run.stderr).error.reason).toBe('client_id_taken');
  });

  it('exits 7 (transport) when nothing listens at the URL', async () => {
    const run = await mintid(['list', '--json'], { env: { MINTID_URL: 'http://127.0.0.1:9' } });
    expect(run.code).toBe(7);
    expect(JSON.parse(run.stderr).error.code).toBe('transport');
  });

  it.each([
    ['no key', ['list'], { MINTID_KEY: '' }],
    ['no brand', ['list'], { MINTID_BRAND_ID: '' }],
    ['an unknown subcommand', ['delete'], {}],
    ['an unknown option', ['list', '--bogus'], {}],
    ['create without --name', ['create', '--scopes', 'a:b'], {}],
    ['rotate without --reason', ['rotate', '--credential', '00000000-0000-4000-8000-000000000000'], {}],
    ['metadata that is not JSON', ['create', '--name', 'x', '--scopes', 'a:b', '--metadata', '{nope'], {}],
    ['a limit that is not a number', ['list', '--limit', 'ten'], {}],
  ])('exits 2 (usage) for %s', async (_name, args, env) => {
    expect((await mintid(args as string[], { env: env as Record<string, string> })).code).toBe(2);
  });

  it('never writes a secret to stderr', async () => {
    const c = await createJson();
    const run = await mintid(['rotate', '--credential', c.credential_id, '--reason', 'x', '--json']);
    const { client_secret } = JSON.parse(run.stdout);
    expect(run.stderr).not.toContain(client_secret);
    expect(run.stderr).not.toContain(c.client_secret);
  });
});
