// Issue 10 items 3 and 8 / SPEC §15: no input answers 5xx — deep JSON, NUL bytes, infinite and
// five-digit-year timestamps, values of the wrong type, any size or encoding — and no error
// echoes the submitted value. A fuzz pass over every exposed RPC (discovered from the database)
// and the token endpoint. Real HTTP through the local stack's wiring.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';
import { createArgs } from '../support/fixtures.js';
import { nestedArrays, nestedObject } from './helpers.js';

let t: TestApi;
beforeAll(async () => {
  t = await startTestApi();
});
afterAll(() => t.close());

const LONG = `ECHO${'z'.repeat(100_000)}`;
const post = (fn: string, body: string, token: string | undefined = t.tokens.admin, apikey = t.keys.anonKey) =>
  fetch(`${t.url}/rest/v1/rpc/${fn}`, {
    method: 'POST', body,
    headers: { apikey, 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
  });
const rpc = (fn: string, args: Record<string, unknown>, token?: string) => post(fn, JSON.stringify(args), token);

describe('deep JSON', () => {
  it('answers 5 000 nested arrays with 400 PGRST102, for the anon key too', async () => {
    for (const token of [undefined, t.tokens.admin]) {
      const res = await post('list_api_credential_records', `{"_brand_id": ${nestedArrays(5000)}}`, token);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ code: 'PGRST102' });
    }
  });

  it('answers 100 000 nested objects with 400', async () => {
    const res = await post('list_api_credential_records', nestedObject(100_000));
    expect(res.status).toBe(400);
  });

  it('refuses 65 levels and takes 64', async () => {
    const refused = await post('create_api_credential_record', JSON.stringify({ ...createArgs(t.brandId), _metadata: 0 }).replace('0}', `${nestedObject(64)}}`));
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ code: 'PGRST102', details: 'The body nests deeper than 64 levels.' });
    const taken = await post('create_api_credential_record', JSON.stringify({ ...createArgs(t.brandId), _metadata: 0 }).replace('0}', `${nestedObject(63)}}`));
    expect(taken.status).toBe(200);
  });

  it('does not count brackets inside strings as nesting', async () => {
    const res = await rpc('create_api_credential_record', createArgs(t.brandId, { _metadata: { note: '['.repeat(500) } }));
    expect(res.status).toBe(200);
  });
});

describe('_expires_at beyond what ISO 8601 and JavaScript represent', () => {
  it.each([
    ['infinity', 'expires_at_not_finite'],
    ['-infinity', 'expires_at_not_finite'],
    ['10000-01-01T00:00:00Z', 'expires_at_out_of_range'],
    ['294276-12-31T00:00:00Z', 'expires_at_out_of_range'],
    ['9999-12-31T12:00:00Z', 'expires_at_out_of_range'],
  ])('refuses %s with 400 (%s) at creation', async (value, reason) => {
    const res = await rpc('create_api_credential_record', createArgs(t.brandId, { _expires_at: value }));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: '22023', details: reason });
  });

  it('refuses infinity in the table, for the SQL console too', async () => {
    const [row] = await t.db.admin<{ id: string }[]>`select id from mintid.api_credentials limit 1`;
    await expect(t.db.operator`update mintid.api_credentials set expires_at = 'infinity' where id = ${row!.id}`)
      .rejects.toMatchObject({ code: '22023' });
  });

  it('accepts the far future that still renders as ISO 8601, and lists only ISO 8601 timestamps', async () => {
    const res = await rpc('create_api_credential_record', createArgs(t.brandId, { _expires_at: '9998-12-31T00:00:00Z' }));
    expect(res.status).toBe(200);
    const list = await rpc('list_api_credential_records', { _brand_id: t.brandId, _limit: 200 });
    const { items } = await list.json() as { items: Record<string, string | null>[] };
    const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?[+-]\d{2}:\d{2}$/;
    for (const item of items) {
      for (const field of ['created_at', 'expires_at', 'secret_rotated_at', 'revoked_at', 'last_used_at']) {
        if (item[field] !== null && item[field] !== undefined) expect(item[field]).toMatch(iso);
      }
    }
    expect(items.some((i) => i.expires_at?.startsWith('9998-12-31'))).toBe(true);
  });
});

describe('argument type errors (issue 10 item 8; a documented deviation: cast before the call)', () => {
  it('answers a member sending a non-uuid _brand_id with 400 22P02 that does not repeat the value', async () => {
    const res = await rpc('list_api_credential_records', { _brand_id: 'not-a-uuid-SECRETVALUE' }, t.tokens.member);
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text).not.toContain('SECRETVALUE');
    expect(JSON.parse(text)).toEqual({
      code: '22P02', message: 'invalid input syntax for type uuid', details: null, hint: expect.stringContaining('not repeated'),
    });
  });

  it.each([
    ['an integer', { _limit: 'SECRETVALUE' }],
    ['an out-of-range integer', { _limit: '99999999999999999999' }],
    ['a timestamp', { _cursor: null, _brand_id: '00000000-0000-4000-8000-000000000000', _status: 'active', _limit: 'x' }],
  ])('keeps %s value out of the answer', async (_, args) => {
    const res = await rpc('list_api_credential_records', { _brand_id: t.brandId, ...args }, t.tokens.admin);
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text).not.toContain('SECRETVALUE');
    expect(text).not.toContain('99999999999999999999');
  });

  it.each([
    ['a timestamp', { _expires_at: 'SECRETVALUE-2026' }],
    ['an array', { _scopes: 'SECRETVALUE' }],
    ['a jsonb', { _metadata: '{SECRETVALUE' }],
  ])('keeps %s value out of the answer', async (_, args) => {
    const res = await rpc('create_api_credential_record', createArgs(t.brandId, args));
    expect(res.status).toBe(400);
    expect(await res.text()).not.toContain('SECRETVALUE');
  });
});

describe('NUL bytes', () => {
  it.each(['_name', '_client_id', '_client_secret_hash'])('in %s answer 400 without the value', async (param) => {
    const res = await rpc('create_api_credential_record', createArgs(t.brandId, { [param]: 'SECRET\u0000VALUE' }));
    expect(res.status).toBe(400);
    expect(await res.text()).not.toContain('SECRET');
  });

  it('in _metadata and _scopes answer 400', async () => {
    expect((await rpc('create_api_credential_record', createArgs(t.brandId, { _metadata: { a: 'x\u0000' } }))).status).toBe(400);
    expect((await rpc('create_api_credential_record', createArgs(t.brandId, { _scopes: ['a:b\u0000'] }))).status).toBe(400);
  });
});

/** Values no RPC should answer with a 5xx, whatever the parameter's type. */
const NASTY: unknown[] = [
  null, '', ' ', '\u0000', 'a\u0000b', LONG, 0, -1, 1.5, 1e308, -1e308, 2 ** 63, true, false, [], {}, [null], [[['x']]],
  ['\u0000'], [LONG], { a: '\u0000' }, { [LONG.slice(0, 1000)]: 1 }, 'infinity', '-infinity', 'NaN', 'not-a-uuid',
  '00000000-0000-0000-0000-000000000000', '2026-13-45T99:99:99Z', '10000-01-01', '\ud800', '\udfff\ud800', '😀'.repeat(1000),
  '{"a":1}', '{a,b}', "'; drop table mintid.api_credentials; --", '$argon2id$v=19$m=1,t=1,p=1$AA$AA',
];

describe('fuzz: every exposed RPC, every parameter', () => {
  it('answers no 5xx and never echoes a long value, for each caller class', async () => {
    const routines = await t.db.admin<{ name: string; args: string[] }[]>`
      select p.proname::text as name, coalesce(p.proargnames, '{}')::text[] as args
      from pg_proc p where p.pronamespace = 'public'::regnamespace order by 1`;
    expect(routines.length).toBeGreaterThanOrEqual(7);
    const callers: (string | undefined)[] = [t.tokens.admin, t.tokens.member, t.keys.serviceRoleKey, undefined];
    const failures: string[] = [];
    let requests = 0;
    for (const { name, args } of routines) {
      for (const arg of args) {
        for (const [i, value] of NASTY.entries()) {
          const caller = callers[(i + arg.length) % callers.length];
          const res = await rpc(name, { [arg]: value }, caller);
          requests += 1;
          const text = await res.text();
          if (res.status >= 500) failures.push(`${name}(${arg} := ${JSON.stringify(value)?.slice(0, 40)}) → ${res.status} ${text.slice(0, 200)}`);
          if (text.includes('zzzzzzzzzzzzzzzz') || text.length > 8192) failures.push(`${name}(${arg}) echoed ${text.length} characters`);
        }
      }
      // Every parameter at once with the same nasty value, and a non-object body.
      for (const value of NASTY.slice(0, 12)) {
        const res = await rpc(name, Object.fromEntries(args.map((a) => [a, value])), t.keys.serviceRoleKey);
        requests += 1;
        if (res.status >= 500) failures.push(`${name}(all := ${JSON.stringify(value)?.slice(0, 40)}) → ${res.status}`);
        await res.text();
      }
      for (const body of ['[]', '[1]', '"x"', 'null', '1', '{"a":1', '\u0000', '\ud800', '{"_brand_id":"\\u0000"}', '{"_brand_id":"\\ud800"}']) {
        const res = await post(name, body);
        requests += 1;
        if (res.status >= 500) failures.push(`${name} body ${JSON.stringify(body)} → ${res.status}`);
        await res.text();
      }
    }
    expect(failures).toEqual([]);
    expect(requests).toBeGreaterThan(500);
  }, 120_000);
});

describe('fuzz: the token endpoint', () => {
  const token = (body: string | Blob, headers: Record<string, string> = {}) => fetch(`${t.url}/functions/v1/token`, {
    method: 'POST', body, headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
  });

  it('answers no 5xx to malformed forms, credentials and headers', async () => {
    const bodies: (string | Blob)[] = [
      '', '=', '&&&', 'grant_type', 'grant_type=', 'grant_type=client_credentials', 'grant_type=client_credentials&client_id=%00&client_secret=x',
      'grant_type=client_credentials&client_id=%zz&client_secret=%zz', `grant_type=client_credentials&client_id=${'a'.repeat(10_000)}&client_secret=b`,
      'grant_type=client_credentials&client_id=a&client_secret=b&scope=%00', 'grant_type=client_credentials&client_id=abc&client_secret=%ED%A0%80',
      'grant_type=client_credentials&scope=a&scope=b', new Blob([new Uint8Array([0xff, 0xfe, 0x00, 0x80])]), 'grant_type=password',
    ];
    const authorizations = ['', 'Basic', 'Basic !!!!', 'Basic AAAA', `Basic ${btoa('a:')}`, `Basic ${btoa('\u0000:\u0000')}`,
      `Basic ${btoa('%00:x')}`, `Basic ${'A'.repeat(6000)}`, 'Bearer x', 'Digest a'];
    const failures: string[] = [];
    for (const body of bodies) {
      for (const authorization of authorizations) {
        const res = await token(body, authorization ? { Authorization: authorization } : {});
        if (res.status >= 500) failures.push(`${String(body).slice(0, 40)} / ${authorization.slice(0, 20)} → ${res.status}`);
        await res.text();
      }
    }
    for (const type of ['application/json', 'text/plain', 'application/x-www-form-urlencoded; charset=utf-16', '']) {
      const res = await token('grant_type=client_credentials', { 'Content-Type': type });
      if (res.status >= 500) failures.push(`content-type ${type} → ${res.status}`);
      await res.text();
    }
    expect(failures).toEqual([]);
  }, 120_000);
});
