// The per-request transaction (POSTGREST.md §3) and the schema cache reload on NOTIFY (§1.7).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, post, startGatewayFixture, type GatewayFixture } from './helpers.js';

let f: GatewayFixture;
beforeAll(async () => {
  f = await startGatewayFixture();
});
afterAll(() => f.close());

const json = async (res: Response) => JSON.parse(await res.text()) as Record<string, unknown>;

describe('request settings', () => {
  it('sets search_path, role, claims, method, path, headers and cookies for the function', async () => {
    const res = await f.rest('/rpc/request_info', post({}, {
      Authorization: `Bearer ${f.userToken}`, Cookie: 'session=abc; theme=dark', 'X-Custom-Header': 'Value',
    }));
    expect(res.status).toBe(200);
    const info = await json(res);
    expect(info.method).toBe('POST');
    expect(info.path).toBe('/rpc/request_info');
    expect(info.search_path).toBe('"test_api", "public", "extensions"');
    expect(info.role).toBe('authenticated');
    expect(info.claims).toMatchObject({ sub: f.userId, role: 'authenticated', aud: 'authenticated' });
    expect(info.cookies).toEqual({ session: 'abc', theme: 'dark' });
    const headers = info.headers as Record<string, string>;
    expect(headers['x-custom-header']).toBe('Value');
    expect(headers.apikey).toBe(f.anonKey);
    expect(headers.authorization).toBe(`Bearer ${f.userToken}`);
    expect(headers.cookie).toBeUndefined();
    expect(Object.keys(headers).every((k) => k === k.toLowerCase())).toBe(true);
  });

  it('fills the role claim in for the anon key and reports GET as the method', async () => {
    const info = await json(await f.rest('/rpc/request_info'));
    expect(info.method).toBe('GET');
    expect(info.claims).toEqual({ role: 'anon', iss: 'supabase' });
    expect(info.cookies).toEqual({});
  });

  it('applies the settings stored on the impersonated role (statement_timeout)', async () => {
    expect((await json(await f.rest('/rpc/request_info', post({})))).statement_timeout).toBe('3s');
    const user = await json(await f.rest('/rpc/request_info', post({}, { Authorization: `Bearer ${f.userToken}` })));
    expect(user.statement_timeout).toBe('8s');
  });

  it('keeps the settings local to the transaction', async () => {
    await f.rest('/rpc/request_info', post({}, { Authorization: `Bearer ${f.userToken}` }));
    const info = await json(await f.rest('/rpc/request_info', post({})));
    expect(info.role).toBe('anon');
  });

  it('uses the function\'s own isolation level', async () => {
    expect(await (await f.rest('/rpc/serializable_fn', post({}))).text()).toBe('"serializable"');
    expect((await json(await f.rest('/rpc/request_info', post({})))).isolation).toBe('read committed');
  });
});

describe('read-only transactions', () => {
  it('runs GET in a read-only transaction, even for a VOLATILE function', async () => {
    expect(await (await f.rest('/rpc/read_only_volatile')).text()).toBe('"on"');
  });

  it('runs POST to a VOLATILE function read-write', async () => {
    expect(await (await f.rest('/rpc/read_only_volatile', post({}))).text()).toBe('"off"');
  });

  it('runs POST to a STABLE function read-only', async () => {
    expect(await (await f.rest('/rpc/read_only_stable', post({}))).text()).toBe('"on"');
  });

  it('answers 405 25006 for a VOLATILE writer called by GET, and commits it under POST', async () => {
    const res = await f.rest('/rpc/volatile_writer?label=by-get');
    expect(res.status).toBe(405);
    expect((await json(res)).code).toBe('25006');
    expect((await f.rest('/rpc/volatile_writer', post({ label: 'by-post' }))).status).toBe(200);
    expect(await (await f.rest('/rpc/log_count?label=by-post')).text()).toBe('1');
    expect(await (await f.rest('/rpc/log_count?label=by-get')).text()).toBe('0');
  });

  it('answers 405 25006 for a STABLE function that writes, by GET and by POST', async () => {
    for (const init of [{}, post({})]) {
      const res = await f.rest('/rpc/stable_counter', init);
      expect(res.status).toBe(405);
      expect((await json(res)).message).toBe('cannot execute nextval() in a read-only transaction');
    }
  });

  it('answers 400 0A000 for an INSERT inside a STABLE function (PostgreSQL refuses it)', async () => {
    const res = await f.rest('/rpc/stable_insert', post({}));
    expect(res.status).toBe(400);
    expect((await json(res)).code).toBe('0A000');
  });

  it('rolls back a failed call', async () => {
    await f.rest('/rpc/raise_sqlstate', post({ code: 'P0001' }));
    const before = await f.rest('/rpc/log_count?label=written');
    const created = await f.rest('/rpc/volatile_writer', post({}));
    expect(created.status).toBe(200);
    expect(Number(await (await f.rest('/rpc/log_count?label=written')).text())).toBe(Number(await before.text()) + 1);
  });
});

describe('schema cache', () => {
  it('does not see a function created after start until NOTIFY pgrst, then calls it', async () => {
    await f.db.admin.unsafe(`create function test_api.late_arrival(x int) returns int language sql immutable as $$ select x * 10 $$;
      grant execute on function test_api.late_arrival(int) to anon`);
    expect((await f.rest('/rpc/late_arrival?x=1')).status).toBe(404);
    await f.db.admin.unsafe(`notify pgrst, 'reload schema'`);
    await eventually(async () => (await f.rest('/rpc/late_arrival?x=1')).status === 200);
    expect(await (await f.rest('/rpc/late_arrival?x=2')).text()).toBe('20');
  });

  it('forgets a dropped function after NOTIFY with an empty payload', async () => {
    await f.db.admin.unsafe(`create function test_api.short_lived() returns int language sql immutable as $$ select 1 $$;
      notify pgrst, 'reload schema'`);
    await eventually(async () => (await f.rest('/rpc/short_lived')).status === 200);
    await f.db.admin.unsafe(`drop function test_api.short_lived(); notify pgrst`);
    // Until the reload lands, the stale entry reaches PostgreSQL and fails there (404 42883).
    await eventually(async () => (await json(await f.rest('/rpc/short_lived'))).code === 'PGRST202');
    expect((await f.rest('/rpc/short_lived')).status).toBe(404);
  });

  it('ignores other NOTIFY payloads on the channel', async () => {
    await f.db.admin.unsafe(`create function test_api.not_yet() returns int language sql immutable as $$ select 1 $$;
      notify pgrst, 'reload config'`);
    // A later reload request proves the listener is alive; until then the function stays unknown.
    expect((await f.rest('/rpc/not_yet')).status).toBe(404);
    await f.db.admin.unsafe(`notify pgrst, 'reload schema'`);
    await eventually(async () => (await f.rest('/rpc/not_yet')).status === 200);
  });
});
