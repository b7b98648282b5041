// End to end: the brand secrets typed client over real supabase-js and real HTTP, against the
// local stack's API on a fresh database. Every method, every caller class that matters, every
// error class, and that no value appears in any request's answer but read_brand_secret's.
import '../../src/node-websocket.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConflictError, ForbiddenError, InvalidInputError, MintIdError, NotAuthenticatedError, createSecretsClient, type SecretsClient,
} from '../../src/index.js';
import { startTestApi, supabaseClient, type TestApi } from '../support/api.js';

let t: TestApi;
let admin: SecretsClient;
let owner: SecretsClient;
let member: SecretsClient;
let otherAdmin: SecretsClient;
let service: SecretsClient;
let anon: SecretsClient;
/** Every response body the admin's and service's supabase-js received. */
const bodies: string[] = [];

const recording: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  bodies.push(await response.clone().text());
  return response;
};

beforeAll(async () => {
  t = await startTestApi();
  admin = createSecretsClient(t.supabaseAs(t.tokens.admin, { fetch: recording }));
  owner = createSecretsClient(t.supabaseAs(t.tokens.owner));
  member = createSecretsClient(t.supabaseAs(t.tokens.member));
  otherAdmin = createSecretsClient(t.supabaseAs(t.tokens.otherAdmin));
  service = createSecretsClient(supabaseClient(t.url, t.keys.serviceRoleKey, undefined, recording));
  anon = createSecretsClient(t.supabaseAs(undefined));
});
afterAll(() => t?.close());

async function failure(promise: Promise<unknown>): Promise<MintIdError> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  expect(caught, 'expected the call to fail').toBeInstanceOf(MintIdError);
  return caught as MintIdError;
}

let n = 0;
const name = (prefix = 'e2e') => `${prefix} ${++n}`;

describe('the brand secrets client', () => {
  it('creates, lists, renames, replaces and deletes; the service role reads the value by id throughout', async () => {
    const { secretId } = await admin.createBrandSecret({ brandId: t.brandId, name: name('Partner'), value: 'v1', description: 'partner API' });
    expect((await service.readBrandSecret({ brandId: t.brandId, secretId })).value).toBe('v1');

    const renamed = name('Partner renamed');
    const updated = await admin.updateBrandSecret({ brandId: t.brandId, secretId, name: renamed });
    expect(updated).toEqual({ secretId, updatedAt: expect.any(String) });
    await owner.updateBrandSecret({ brandId: t.brandId, secretId, value: 'v2' });
    expect(await service.readBrandSecret({ brandId: t.brandId, secretId })).toEqual({ secretId, name: renamed, value: 'v2' });

    const page = await admin.listBrandSecrets({ brandId: t.brandId });
    const item = page.items.find((i) => i.id === secretId);
    expect(item).toEqual({
      id: secretId, name: renamed, description: 'partner API', createdAt: expect.any(String), updatedAt: expect.any(String),
      lastAccessedAt: expect.any(String),
    });

    expect(await admin.deleteBrandSecret({ brandId: t.brandId, secretId })).toEqual({ secretId, deletedAt: expect.any(String) });
    const gone = await failure(service.readBrandSecret({ brandId: t.brandId, secretId }));
    expect(gone).toBeInstanceOf(InvalidInputError);
    expect(gone.reason).toBe('secret_not_found');
  });

  it('pages with nextCursor', async () => {
    for (let i = 0; i < 3; i += 1) await service.createBrandSecret({ brandId: t.otherBrandId, name: `paged ${i}`, value: 'v' });
    const first = await otherAdmin.listBrandSecrets({ brandId: t.otherBrandId, limit: 2 });
    expect(first.items).toHaveLength(2);
    const second = await otherAdmin.listBrandSecrets({ brandId: t.otherBrandId, limit: 2, cursor: first.nextCursor! });
    expect(second.items.map((i) => i.name)).toEqual(['paged 0']);
    expect(second.nextCursor).toBeNull();
  });

  it('never receives a value in any answer but read_brand_secret\'s', async () => {
    bodies.length = 0;
    const value = `e2e-canary-${Date.now()}`;
    const { secretId } = await admin.createBrandSecret({ brandId: t.brandId, name: name('Canary'), value });
    await admin.updateBrandSecret({ brandId: t.brandId, secretId, value: `${value}-2`, description: 'x' });
    await admin.listBrandSecrets({ brandId: t.brandId });
    await failure(admin.createBrandSecret({ brandId: t.brandId, name: (await admin.listBrandSecrets({ brandId: t.brandId })).items[0]!.name, value }));
    await admin.deleteBrandSecret({ brandId: t.brandId, secretId });
    expect(bodies.length).toBeGreaterThanOrEqual(5);
    expect(bodies.join('\n')).not.toContain(value);
  });
});

describe('errors', () => {
  it('answers anon with NotAuthenticatedError (401) on every method', async () => {
    const id = '00000000-0000-4000-8000-000000000000';
    const calls = [
      () => anon.createBrandSecret({ brandId: t.brandId, name: 'x', value: 'v' }),
      () => anon.updateBrandSecret({ brandId: t.brandId, secretId: id, name: 'x' }),
      () => anon.deleteBrandSecret({ brandId: t.brandId, secretId: id }),
      () => anon.listBrandSecrets({ brandId: t.brandId }),
      () => anon.readBrandSecret({ brandId: t.brandId, secretId: id }),
    ];
    for (const call of calls) {
      const error = await failure(call());
      expect(error).toBeInstanceOf(NotAuthenticatedError);
      expect(error.status).toBe(401);
    }
  });

  it('answers a member with ForbiddenError (403) naming not_brand_admin', async () => {
    const error = await failure(member.createBrandSecret({ brandId: t.brandId, name: 'x', value: 'v' }));
    expect(error).toBeInstanceOf(ForbiddenError);
    expect([error.status, error.reason]).toEqual([403, 'not_brand_admin']);
  });

  it('answers an admin and an owner reading a value with ForbiddenError (403)', async () => {
    const { secretId } = await admin.createBrandSecret({ brandId: t.brandId, name: name(), value: 'not for users' });
    for (const client of [admin, owner]) {
      const error = await failure(client.readBrandSecret({ brandId: t.brandId, secretId }));
      expect(error).toBeInstanceOf(ForbiddenError);
      expect(error.status).toBe(403);
      expect(JSON.stringify(error)).not.toContain('not for users');
    }
  });

  it('answers a taken name, ignoring case, with ConflictError secret_name_taken', async () => {
    const taken = name('Taken Name');
    await admin.createBrandSecret({ brandId: t.brandId, name: taken, value: 'v' });
    const error = await failure(admin.createBrandSecret({ brandId: t.brandId, name: taken.toLowerCase(), value: 'v' }));
    expect(error).toBeInstanceOf(ConflictError);
    expect([error.status, error.reason]).toEqual([409, 'secret_name_taken']);
  });

  it('answers another brand\'s secret with InvalidInputError secret_not_found', async () => {
    const { secretId } = await otherAdmin.createBrandSecret({ brandId: t.otherBrandId, name: name(), value: 'v' });
    const error = await failure(admin.updateBrandSecret({ brandId: t.brandId, secretId, name: 'x' }));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect([error.status, error.reason]).toEqual([400, 'secret_not_found']);
  });

  const refusedBeforeSending: [string, () => Promise<unknown>][] = [
    ['a name with a slash', () => admin.createBrandSecret({ brandId: t.brandId, name: 'a/b', value: 'v' })],
    ['a name of 101 characters', () => admin.createBrandSecret({ brandId: t.brandId, name: 'n'.repeat(101), value: 'v' })],
    ['an empty value', () => admin.createBrandSecret({ brandId: t.brandId, name: 'ok', value: '' })],
    ['a value over 16384 bytes', () => admin.createBrandSecret({ brandId: t.brandId, name: 'ok', value: 'é'.repeat(8193) })],
    ['a value holding NUL (U+0000)', () => admin.createBrandSecret({ brandId: t.brandId, name: 'ok', value: 'before\u0000after' })],
    ['a description of 501 characters', () => admin.createBrandSecret({ brandId: t.brandId, name: 'ok', value: 'v', description: 'd'.repeat(501) })],
    ['an update with nothing to change', () => admin.updateBrandSecret({ brandId: t.brandId, secretId: '00000000-0000-4000-8000-000000000000' })],
    ['a secret id that is no uuid', () => admin.deleteBrandSecret({ brandId: t.brandId, secretId: 'nope' })],
    ['a limit of 0', () => admin.listBrandSecrets({ brandId: t.brandId, limit: 0 })],
  ];
  it.each(refusedBeforeSending)('refuses %s before sending (client_validation), never echoing a value', async (_label, call) => {
    const error = await failure(call());
    expect(error).toBeInstanceOf(InvalidInputError);
    expect([error.status, error.reason]).toEqual([0, 'client_validation']);
    expect(error.message).not.toContain('éé');
  });

  it('answers a raw RPC body holding \\u0000 with 400 22P05 from the gateway, before PostgreSQL sees (and logs) it', async () => {
    const response = await fetch(`${t.url}/rest/v1/rpc/create_brand_secret`, {
      method: 'POST',
      headers: { apikey: t.keys.anonKey, Authorization: `Bearer ${t.tokens.admin}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ _brand_id: t.brandId, _name: 'nul', _value: 'nul-canary\u0000' }),
    });
    expect(response.status).toBe(400);
    const body = await response.text();
    expect(JSON.parse(body)).toEqual({
      code: '22P05', message: 'unsupported Unicode escape sequence', details: '\\u0000 cannot be converted to text.', hint: null,
    });
    expect(body).not.toContain('nul-canary');
  });

  it('accepts what the database accepts at the edges: 16384 bytes, 100-character names, 500-character descriptions', async () => {
    const { secretId } = await admin.createBrandSecret({
      brandId: t.brandId, name: `  ${'N'.repeat(100)}  `, value: 'é'.repeat(8192), description: 'd'.repeat(500),
    });
    expect((await service.readBrandSecret({ brandId: t.brandId, secretId })).value).toBe('é'.repeat(8192));
  });
});
