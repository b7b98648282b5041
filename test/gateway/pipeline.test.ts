// The pipelined call (src/gateway/transaction.ts): BEGIN, settings, call and COMMIT sent together.
// A call that fails after writing leaves nothing; the connection it used serves the next call;
// prepared statements survive paging and argument order.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, post, startGatewayFixture, type GatewayFixture } from './helpers.js';

let f: GatewayFixture;
beforeAll(async () => {
  f = await startGatewayFixture({ poolSize: 1 });
  await f.db.admin.unsafe(`
    create function test_api.write_then_fail(label text) returns int language plpgsql volatile as $$
    begin
      insert into test_api.log (label) values (write_then_fail.label);
      raise exception using errcode = 'PT409', message = 'refused after writing';
    end $$;
    grant execute on function test_api.write_then_fail(text) to anon;
    notify pgrst, 'reload schema';`);
  // The reload is asynchronous: wait until the schema cache knows the new function (its OpenAPI
  // description lists it) rather than for a fixed time.
  await eventually(async () => {
    const res = await f.rest('/');
    return res.ok && Boolean(((await res.json()) as { paths: Record<string, unknown> }).paths['/rpc/write_then_fail']);
  });
});
afterAll(() => f.close());

const count = async (label: string) => Number(await (await f.rest(`/rpc/log_count?label=${encodeURIComponent(label)}`)).text());

describe('the pipelined transaction', () => {
  it('rolls back what a failing call wrote (the pipelined COMMIT becomes a rollback)', async () => {
    const res = await f.rest('/rpc/write_then_fail', post({ label: 'pipeline-fail' }));
    expect(res.status).toBe(409);
    expect(JSON.parse(await res.text())).toMatchObject({ code: 'PT409', message: 'refused after writing' });
    expect(await count('pipeline-fail')).toBe(0);
  });

  it('leaves the one pooled connection usable: the next call commits (no transaction left open)', async () => {
    await f.rest('/rpc/write_then_fail', post({ label: 'pipeline-fail-2' }));
    const res = await f.rest('/rpc/volatile_writer', post({ label: 'pipeline-after' }));
    expect(res.status).toBe(200);
    expect(await count('pipeline-after')).toBe(1);
  });

  it('rolls back a write when a later setting fails (unknown role → 401, nothing written)', async () => {
    const { sign } = await import('./helpers.js');
    const token = await sign({ role: 'no_such_role_at_all', exp: Math.floor(Date.now() / 1000) + 60 });
    const res = await f.rest('/rpc/volatile_writer', post({ label: 'pipeline-no-role' }, { Authorization: `Bearer ${token}` }));
    expect(res.status).toBe(401);
    expect(await count('pipeline-no-role')).toBe(0);
  });

  it('pages a set-returning function with any offset and keys in any order on one prepared statement per shape', async () => {
    const pages = await Promise.all([0, 3, 7].map(async (offset) => JSON.parse(await (await f.rest(`/rpc/numbers?n=10&limit=2&offset=${offset}`)).text())));
    expect(pages).toEqual([[1, 2], [4, 5], [8, 9]]);
    const [ab, ba] = await Promise.all([f.rest('/rpc/add', post({ a: 1, b: 2 })), f.rest('/rpc/add', post({ b: 2, a: 1 }))]);
    expect([await ab.text(), await ba.text()]).toEqual(['3', '3']);
  });
});
