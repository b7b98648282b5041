// The human output of the audit trails and lists, through the real binary against the real gateway:
// actors by e-mail where the brand's member list knows them, what a role change changed, and a
// last line that says whether it is one page and how to get the next. --json stays as recorded.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, userToken, type TestApi } from '../support/api.js';
import { mintidRunner } from '../support/cli.js';

let t: TestApi;
beforeAll(async () => {
  t = await startTestApi();
});
afterAll(() => t.close());

const mintid = mintidRunner(() => ({ DATABASE_URL: undefined, MINTID_URL: t.url, MINTID_KEY: t.keys.anonKey, MINTID_BRAND_ID: undefined }));

interface User { id: string; email: string; token: string }
async function newUser(): Promise<User> {
  const id = randomUUID();
  const email = `trail-${id.slice(0, 8)}@example.test`;
  await t.db.admin`insert into auth.users (id, email, role, aud) values (${id}, ${email}, 'authenticated', 'authenticated')`;
  return { id, email, token: await userToken(id) };
}

/** A brand of its own, owned by a new user, so each test sees only its own trail. */
async function ownBrand(): Promise<{ owner: User; brandId: string; as: (u: User) => Record<string, string> }> {
  const owner = await newUser();
  const created = await mintid(['brands', 'create', '--name', 'Trail', '--json'], { env: { MINTID_TOKEN: owner.token } });
  expect(created.code, created.stderr).toBe(0);
  const { brand_id: brandId } = JSON.parse(created.stdout) as { brand_id: string };
  return { owner, brandId, as: (u) => ({ MINTID_TOKEN: u.token, MINTID_BRAND_ID: brandId }) };
}

async function createCredential(env: Record<string, string | undefined>): Promise<string> {
  const run = await mintid(['credentials', 'create', '--name', 'ERP', '--scopes', 'a:b', '--json'], { env });
  expect(run.code, run.stderr).toBe(0);
  return (JSON.parse(run.stdout) as { credential_id: string }).credential_id;
}

describe('credentials events', () => {
  it('shows the actor by the e-mail the member list knows', async () => {
    const { owner, as } = await ownBrand();
    const id = await createCredential(as(owner));
    const run = await mintid(['credentials', 'events', '--credential', id], { env: as(owner) });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`created  ${id}  by ${owner.email}\\n`));
    expect(run.stdout).not.toContain(owner.id);
  });

  it('keeps the user id in --json, as recorded', async () => {
    const { owner, as } = await ownBrand();
    const id = await createCredential(as(owner));
    const run = await mintid(['credentials', 'events', '--credential', id, '--json'], { env: as(owner) });
    const { items } = JSON.parse(run.stdout) as { items: { actor: string }[] };
    expect(items.map((e) => e.actor)).toEqual([owner.id]);
    expect(run.stdout).not.toContain(owner.email);
  });

  it('shows the id of an actor who is no longer a member', async () => {
    const { owner, brandId, as } = await ownBrand();
    const admin = await newUser();
    expect((await mintid(['members', 'add', '--email', admin.email, '--role', 'admin'], { env: as(owner) })).code).toBe(0);
    const id = await createCredential(as(admin));
    expect((await mintid(['members', 'remove', '--user', admin.id], { env: as(owner) })).code).toBe(0);
    const run = await mintid(['credentials', 'events', '--credential', id, '--brand', brandId], { env: { MINTID_TOKEN: owner.token } });
    expect(run.stdout).toContain(`by ${admin.id}`);
    expect(run.stdout).not.toContain(admin.email);
  });

  it('shows a trusted caller as recorded (service_role)', async () => {
    const { brandId } = await ownBrand();
    const env = { MINTID_KEY: t.keys.serviceRoleKey, MINTID_TOKEN: undefined, MINTID_BRAND_ID: brandId };
    const id = await createCredential(env);
    const run = await mintid(['credentials', 'events', '--credential', id], { env });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`${id}  by service_role\n`);
  });

  it('says "on this page" and how to get more, then reaches the last page with --cursor', async () => {
    const { owner, as } = await ownBrand();
    const id = await createCredential(as(owner));
    await mintid(['credentials', 'rotate', '--credential', id, '--reason', 'r'], { env: as(owner) });
    const first = await mintid(['credentials', 'events', '--limit', '1'], { env: as(owner) });
    const cursor = /^1 event on this page; more: --cursor (\S+) \(or --all for every page\)$/m.exec(first.stdout)?.[1];
    expect(cursor, first.stdout).toBeDefined();
    const last = await mintid(['credentials', 'events', '--limit', '1', '--cursor', cursor!], { env: as(owner) });
    expect(last.stdout).toMatch(new RegExp(`  created  ${id}  by ${owner.email}\\n1 event on this page, the last\\n$`));
    const all = await mintid(['credentials', 'events', '--limit', '1', '--all'], { env: as(owner) });
    expect(all.stdout.trimEnd().split('\n').at(-1)).toBe('2 events');
  });
});

describe('credentials list', () => {
  it('says "2 credentials on this page" and "more: --cursor" when more are left', async () => {
    const { owner, as } = await ownBrand();
    for (let i = 0; i < 3; i += 1) await createCredential(as(owner));
    const run = await mintid(['credentials', 'list', '--limit', '2'], { env: as(owner) });
    expect(run.stdout).toMatch(/\n2 credentials on this page; more: --cursor \S+ \(or --all for every page\)\n$/);
    expect(run.stdout).not.toContain('credential(s)');
    expect(run.stdout).not.toContain('next cursor:');
  });

  it('gives the count alone when nothing is left out', async () => {
    const { owner, as } = await ownBrand();
    await createCredential(as(owner));
    const run = await mintid(['credentials', 'list'], { env: as(owner) });
    expect(run.stdout).toMatch(/\n1 credential\n$/);
    expect(run.stdout).not.toContain('more:');
  });

  it('keeps --json as the RPC answers: items and next_cursor', async () => {
    const { owner, as } = await ownBrand();
    for (let i = 0; i < 2; i += 1) await createCredential(as(owner));
    const { items, next_cursor } = JSON.parse((await mintid(['credentials', 'list', '--limit', '1', '--json'], { env: as(owner) })).stdout);
    expect([items.length, typeof next_cursor]).toEqual([1, 'string']);
  });
});

describe('brands events', () => {
  it('shows what a role change changed, and who changed it by e-mail', async () => {
    const { owner, brandId, as } = await ownBrand();
    const member = await newUser();
    await mintid(['members', 'add', '--email', member.email, '--role', 'member'], { env: as(owner) });
    expect((await mintid(['members', 'set-role', '--user', member.id, '--role', 'admin'], { env: as(owner) })).code).toBe(0);
    const run = await mintid(['brands', 'events', '--brand', brandId], { env: { MINTID_TOKEN: owner.token } });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`member:member_role_changed +${member.id}  by ${owner.email}  role member → admin\\n`));
    expect(run.stdout).toMatch(new RegExp(`member:member_added +${member.id}  by ${owner.email}  as member\\n`));
    expect(run.stdout.trimEnd().split('\n').at(-1)).toBe('3 events');
  });

  it('keeps --json unchanged: the actor id and the details as recorded', async () => {
    const { owner, brandId, as } = await ownBrand();
    const member = await newUser();
    await mintid(['members', 'add', '--email', member.email, '--role', 'member'], { env: as(owner) });
    await mintid(['members', 'set-role', '--user', member.id, '--role', 'admin'], { env: as(owner) });
    const { items } = JSON.parse((await mintid(['brands', 'events', '--brand', brandId, '--json'], { env: { MINTID_TOKEN: owner.token } })).stdout);
    expect(items[0]).toMatchObject({ action: 'member_role_changed', actor: owner.id, details: { role: 'admin', previous_role: 'member' } });
  });

  it('says how to get the next page (it has no --all)', async () => {
    const { owner, brandId, as } = await ownBrand();
    await createCredential(as(owner));
    const run = await mintid(['brands', 'events', '--brand', brandId, '--limit', '1'], { env: { MINTID_TOKEN: owner.token } });
    expect(run.stdout).toMatch(/\n1 event on this page; more: --cursor \S+\n$/);
    expect(run.stdout).not.toContain('--all');
  });

  it('still refuses a member (exit 4) before any output', async () => {
    const { owner, brandId, as } = await ownBrand();
    const member = await newUser();
    await mintid(['members', 'add', '--email', member.email, '--role', 'member'], { env: as(owner) });
    const run = await mintid(['brands', 'events', '--brand', brandId], { env: { MINTID_TOKEN: member.token } });
    expect([run.code, run.stdout]).toEqual([4, '']);
  });
});
