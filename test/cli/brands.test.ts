// `mintid brands …` and `mintid members …` through the real binary against the real gateway.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, userToken, type TestApi } from '../support/api.js';
import { apiEnv, mintidRunner } from '../support/cli.js';

let t: TestApi;
beforeAll(async () => {
  t = await startTestApi();
});
afterAll(() => t.close());

/** Runs `mintid …` as the brand's owner unless env says otherwise. */
const mintid = mintidRunner(() => apiEnv(t, t.tokens.owner));
async function newUser(): Promise<{ id: string; email: string; token: string }> {
  const id = randomUUID();
  const email = `cli-${id.slice(0, 8)}@example.test`;
  await t.db.admin`insert into auth.users (id, email, role, aud) values (${id}, ${email}, 'authenticated', 'authenticated')`;
  return { id, email, token: await userToken(id) };
}

describe('mintid brands', () => {
  it('creates a brand for the signed-in user and lists it with the role', async () => {
    const user = await newUser();
    const created = await mintid(['brands', 'create', '--name', 'CLI brand', '--json'], { env: { MINTID_TOKEN: user.token } });
    expect(created.code, created.stderr).toBe(0);
    const { brand_id } = JSON.parse(created.stdout) as { brand_id: string };
    const listed = await mintid(['brands', 'list'], { env: { MINTID_TOKEN: user.token } });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(`${brand_id}  owner   CLI brand`);
    expect(listed.stdout).toMatch(/\n1 brand\n$/);
    const members = await mintid(['members', 'list', '--brand', brand_id], { env: { MINTID_TOKEN: user.token } });
    expect(members.stdout).toBe(`${user.id}  owner   ${user.email}\n1 member\n`);
    const events = await mintid(['brands', 'events', '--brand', brand_id, '--json'], { env: { MINTID_TOKEN: user.token } });
    expect(JSON.parse(events.stdout).items.map((e: { action: string }) => e.action)).toEqual(['brand_created']);
  });

  it('exits 4 naming the role when a member reads the audit trail', async () => {
    const run = await mintid(['brands', 'events'], { env: { MINTID_TOKEN: t.tokens.member } });
    expect(run.code).toBe(4);
    expect(run.stderr).toContain('(not_brand_admin)');
    expect(run.stderr).toContain('hint: Your role in this brand is member; reading the audit trail needs owner or admin.');
  });

  it('exits 5 for the service key listing "my" brands (user_required)', async () => {
    const run = await mintid(['brands', 'list'], { env: { MINTID_KEY: t.keys.serviceRoleKey, MINTID_TOKEN: undefined } });
    expect([run.code, run.stderr.includes('(user_required)')]).toEqual([5, true]);
  });

  it('exits 2 for create without --name', async () => {
    const run = await mintid(['brands', 'create']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/missing required option --name/);
  });
});

describe('mintid members', () => {
  it('adds, lists, changes the role of and removes a member', async () => {
    const user = await newUser();
    const add = await mintid(['members', 'add', '--email', user.email, '--role', 'member']);
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toBe(`Added ${user.id} as member\n`);
    const listed = (await mintid(['members', 'list'])).stdout;
    expect(listed).toMatch(new RegExp(`${user.id}  member  ${user.email}`));
    const count = (JSON.parse((await mintid(['members', 'list', '--json'])).stdout) as { items: unknown[] }).items.length;
    expect(count).toBeGreaterThan(1);
    expect(listed).toMatch(new RegExp(`\\n${count} members\\n$`));
    expect((await mintid(['members', 'set-role', '--user', user.id, '--role', 'admin'])).code).toBe(0);
    expect((await mintid(['members', 'list', '--json'])).stdout).toContain(`"user_id":"${user.id}","email":"${user.email}","role":"admin"`);
    const remove = await mintid(['members', 'remove', '--user', user.id]);
    expect([remove.code, remove.stdout]).toEqual([0, `Removed ${user.id}\n`]);
  });

  it('exits 4 with not_brand_owner when an admin adds a member', async () => {
    const run = await mintid(['members', 'add', '--email', 'x@example.test', '--role', 'member'], { env: { MINTID_TOKEN: t.tokens.admin } });
    expect(run.code).toBe(4);
    expect(run.stderr).toContain('hint: Your role in this brand is admin; managing members needs owner.');
  });

  it('exits 5 for an unknown e-mail (user_not_found)', async () => {
    const run = await mintid(['members', 'add', '--email', 'nobody@example.test', '--role', 'member']);
    expect([run.code, run.stderr.includes('(user_not_found)')]).toEqual([5, true]);
  });

  it('exits 6 for the last owner (last_owner)', async () => {
    const run = await mintid(['members', 'set-role', '--user', t.brands.users.owner, '--role', 'admin']);
    expect([run.code, run.stderr.includes('(last_owner)')]).toEqual([6, true]);
  });

  it('exits 2 for a role outside owner, admin, member, before calling the API', async () => {
    const run = await mintid(['members', 'set-role', '--user', t.brands.users.member, '--role', 'root'], { env: { MINTID_URL: 'http://127.0.0.1:1' } });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--role must be one of owner, admin, member/);
  });

  it('exits 2 for a user id that is not a UUID', async () => {
    const run = await mintid(['members', 'remove', '--user', 'bob']);
    expect(run.code).toBe(2);
  });
});
