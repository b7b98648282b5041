// RPC calls: binding, overloads, response shapes and headers, request-parsing errors (POSTGREST.md §1–2).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { post, startGatewayFixture, type GatewayFixture } from './helpers.js';

let f: GatewayFixture;
beforeAll(async () => {
  f = await startGatewayFixture();
});
afterAll(() => f.close());

const json = async (res: Response) => JSON.parse(await res.text()) as unknown;

describe('calls and response shapes', () => {
  it('returns a scalar for POST with named arguments', async () => {
    const res = await f.rest('/rpc/add', post({ a: 2, b: 3 }));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('content-range')).toBe('0-0/*');
    expect(res.headers.get('content-profile')).toBe('test_api');
    expect(res.headers.get('content-length')).toBe('1');
    expect(await json(res)).toBe(5);
  });

  it('binds GET query parameters as text cast by PostgreSQL', async () => {
    const res = await f.rest('/rpc/add?a=40&b=2');
    expect(res.status).toBe(200);
    expect(await json(res)).toBe(42);
  });

  it('applies parameter defaults for arguments not sent', async () => {
    expect(await json(await f.rest('/rpc/with_defaults', post({ a: 1 })))).toBe('1/10/x');
    expect(await json(await f.rest('/rpc/with_defaults', post({ a: 1, c: 'y' })))).toBe('1/10/y');
    expect(await json(await f.rest('/rpc/hello'))).toBe('Hello, world');
  });

  it('calls a function without parameters with an empty POST body', async () => {
    const res = await f.rest('/rpc/no_args', { method: 'POST' });
    expect(await json(res)).toBe(42);
  });

  it('renders SQL NULL as null and json values as themselves', async () => {
    expect(await (await f.rest('/rpc/null_value', post({}))).text()).toBe('null');
    expect(await json(await f.rest('/rpc/json_value', post({})))).toEqual({ a: 1, b: [true, null] });
  });

  it('returns arrays for SETOF scalar and SETOF composite, [] when empty', async () => {
    const numbers = await f.rest('/rpc/numbers', post({ n: 3 }));
    expect(await json(numbers)).toEqual([1, 2, 3]);
    expect(numbers.headers.get('content-range')).toBe('0-2/*');
    expect(await json(await f.rest('/rpc/items?n=2'))).toEqual([{ id: 1, label: 'item 1' }, { id: 2, label: 'item 2' }]);
    const empty = await f.rest('/rpc/numbers?n=0');
    expect(await json(empty)).toEqual([]);
    expect(empty.headers.get('content-range')).toBe('*/*');
  });

  it('returns one object for a composite or OUT-parameter function', async () => {
    expect(await json(await f.rest('/rpc/pair_of', post({ x: 1, y: 'one' })))).toEqual({ x: 1, y: 'one' });
    expect(await json(await f.rest('/rpc/out_params?a=3'))).toEqual({ doubled: 6, squared: 9 });
  });

  it('accepts JSON arrays for array parameters and {a,b} literals by GET', async () => {
    expect(await json(await f.rest('/rpc/array_sum', post({ xs: [1, 2, 3] })))).toBe(6);
    expect(await json(await f.rest('/rpc/array_sum?xs={4,5}'))).toBe(9);
  });

  it('answers 204 without body, Content-Type or Content-Length for a void function', async () => {
    const res = await f.rest('/rpc/do_nothing', post({}));
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
    expect(res.headers.get('content-type')).toBeNull();
    expect(res.headers.get('content-length')).toBeNull();
  });

  it('answers HEAD like GET without a body', async () => {
    const res = await f.rest('/rpc/numbers?n=2', { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('content-range')).toBe('0-1/*');
    expect(await res.text()).toBe('');
  });

  it('uses the first element of a uniform array body', async () => {
    expect(await json(await f.rest('/rpc/add', post([{ a: 1, b: 1 }, { a: 5, b: 5 }])))).toBe(2);
  });

  it('passes the whole body to a single unnamed json parameter', async () => {
    expect(await json(await f.rest('/rpc/raw_json', post({ anything: [1, 2] })))).toEqual({ anything: [1, 2] });
  });

  it('resolves overloads by parameter names', async () => {
    expect(await json(await f.rest('/rpc/overloaded', post({ a: 1 })))).toBe('int 1');
    expect(await json(await f.rest('/rpc/overloaded', post({ b: 'x' })))).toBe('text x');
  });

  it('restricts the body keys to ?columns', async () => {
    expect(await json(await f.rest('/rpc/with_defaults?columns=a', post({ a: 1, c: 'ignored' })))).toBe('1/10/x');
  });
});

describe('counts, ranges and the single-object Accept', () => {
  it('answers 206 with the total under Prefer: count=exact when the page is smaller', async () => {
    const res = await f.rest('/rpc/numbers?n=5&limit=2&offset=1', { headers: { Prefer: 'count=exact' } });
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe('1-2/5');
    expect(await json(res)).toEqual([2, 3]);
  });

  it('answers 200 with the total when everything fits, counting a scalar as one row', async () => {
    const res = await f.rest('/rpc/add?a=1&b=1', { headers: { Prefer: 'count=exact' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-range')).toBe('0-0/1');
  });

  it('caps set results at maxRows', async () => {
    const capped = await startGatewayFixture({ maxRows: 3 });
    try {
      const res = await capped.rest('/rpc/numbers?n=10', { headers: { Prefer: 'count=exact' } });
      expect(res.status).toBe(206);
      expect(res.headers.get('content-range')).toBe('0-2/10');
    } finally {
      await capped.close();
    }
  });

  it('answers 416 PGRST103 for an offset beyond the total', async () => {
    const res = await f.rest('/rpc/numbers?n=2&offset=5', { headers: { Prefer: 'count=exact' } });
    expect(res.status).toBe(416);
    expect((await json(res) as { code: string }).code).toBe('PGRST103');
  });

  it('returns the single row as an object for Accept: application/vnd.pgrst.object+json', async () => {
    const res = await f.rest('/rpc/items?n=1', { headers: { Accept: 'application/vnd.pgrst.object+json' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.pgrst.object+json; charset=utf-8');
    expect(await json(res)).toEqual({ id: 1, label: 'item 1' });
  });

  it('returns a scalar function under the single-object Accept', async () => {
    const res = await f.rest('/rpc/add?a=1&b=2', { headers: { Accept: 'application/vnd.pgrst.object+json' } });
    expect(res.status).toBe(200);
    expect(await json(res)).toBe(3);
  });

  it('answers 406 PGRST116 for several rows under the single-object Accept and rolls back', async () => {
    const res = await f.rest('/rpc/set_singular', post({ n: 2 }, { Accept: 'application/vnd.pgrst.object+json' }));
    expect(res.status).toBe(406);
    expect(await json(res)).toEqual({
      code: 'PGRST116', message: 'Cannot coerce the result to a single JSON object', details: 'The result contains 2 rows', hint: null,
    });
    expect(await json(await f.rest('/rpc/log_count?label=singular 2'))).toBe(0);
  });

  it('answers 406 PGRST116 for no rows under the single-object Accept', async () => {
    const res = await f.rest('/rpc/numbers?n=0', { headers: { Accept: 'application/vnd.pgrst.object+json' } });
    expect(res.status).toBe(406);
    expect((await json(res) as { details: string }).details).toBe('The result contains 0 rows');
  });

  it('answers 406 PGRST107 for an Accept it cannot produce', async () => {
    const res = await f.rest('/rpc/add?a=1&b=2', { headers: { Accept: 'audio/mpeg3' } });
    expect(res.status).toBe(406);
    expect(await json(res)).toEqual({ code: 'PGRST107', message: 'None of these media types are available: audio/mpeg3', details: null, hint: null });
  });

  it('applies response.status and response.headers set by the function', async () => {
    const res = await f.rest('/rpc/response_gucs', post({}));
    expect(res.status).toBe(202);
    expect(res.headers.get('x-custom')).toBe('yes');
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('answers 500 PGRST112 for a non-numeric response.status and PGRST111 for malformed response.headers', async () => {
    const status = await f.rest('/rpc/response_gucs', post({ status: 'abc' }));
    expect(status.status).toBe(500);
    expect((await json(status) as { code: string }).code).toBe('PGRST112');
    const headers = await f.rest('/rpc/bad_response_headers', post({}));
    expect(headers.status).toBe(500);
    expect((await json(headers) as { code: string }).code).toBe('PGRST111');
  });
});

describe('function lookup errors', () => {
  it('answers 404 PGRST202 with the sorted keys, details and a parameter hint', async () => {
    const res = await f.rest('/rpc/hello', post({ nam: 'Peter' }));
    expect(res.status).toBe(404);
    expect(res.headers.get('proxy-status')).toBe('PostgREST; error=PGRST202');
    expect(await json(res)).toEqual({
      code: 'PGRST202',
      message: 'Could not find the function test_api.hello(nam) in the schema cache',
      details: 'Searched for the function test_api.hello with parameter nam or with a single unnamed json/jsonb parameter, but no matches were found in the schema cache.',
      hint: 'Perhaps you meant to call the function test_api.hello(name)',
    });
  });

  it('answers PGRST202 for GET with plural parameters and no json suffix', async () => {
    const res = await f.rest('/rpc/add?b=1&a=1&c=3');
    expect(res.status).toBe(404);
    const body = await json(res) as Record<string, unknown>;
    expect(body.message).toBe('Could not find the function test_api.add(a, b, c) in the schema cache');
    expect(body.details).toBe('Searched for the function test_api.add with parameters a, b, c, but no matches were found in the schema cache.');
  });

  it('answers PGRST202 "without parameters" and suggests a similar function name', async () => {
    const res = await f.rest('/rpc/helo');
    expect(res.status).toBe(404);
    expect(await json(res)).toEqual({
      code: 'PGRST202',
      message: 'Could not find the function test_api.helo without parameters in the schema cache',
      details: 'Searched for the function test_api.helo without parameters, but no matches were found in the schema cache.',
      hint: 'Perhaps you meant to call the function test_api.hello',
    });
  });

  it('gives no hint when nothing is similar', async () => {
    const res = await f.rest('/rpc/completely_unknown_thing', post({}));
    expect((await json(res) as { hint: unknown }).hint).toBeNull();
    const args = await f.rest('/rpc/hello', post({ any_arg: 'value' }));
    expect((await json(args) as { hint: unknown }).hint).toBeNull();
  });

  it('refuses an unknown extra argument instead of ignoring it', async () => {
    const res = await f.rest('/rpc/add', post({ a: 1, b: 2, c: 3 }));
    expect(res.status).toBe(404);
  });

  it('refuses a missing required argument', async () => {
    const res = await f.rest('/rpc/add', post({ a: 1 }));
    expect(res.status).toBe(404);
    expect((await json(res) as { code: string }).code).toBe('PGRST202');
  });

  it('does not pass the body to a single *named* json parameter', async () => {
    const res = await f.rest('/rpc/named_json', post({ A: 1 }));
    expect(res.status).toBe(404);
    expect((await json(res) as { code: string }).code).toBe('PGRST202');
  });

  it('answers 300 PGRST203 for overloads it cannot choose between', async () => {
    const res = await f.rest('/rpc/ambiguous', post({ a: 1 }));
    expect(res.status).toBe(300);
    expect(await json(res)).toEqual({
      code: 'PGRST203',
      message: 'Could not choose the best candidate function between: test_api.ambiguous(a => integer), test_api.ambiguous(a => text)',
      details: null,
      hint: 'Try renaming the parameters or the function itself in the database so function overloading can be resolved',
    });
  });

  it('answers 400 22P02 when PostgreSQL cannot coerce an argument', async () => {
    const res = await f.rest('/rpc/add', post({ a: 'abc', b: 1 }));
    expect(res.status).toBe(400);
    expect((await json(res) as { code: string }).code).toBe('22P02');
  });
});

describe('request parsing errors', () => {
  it.each(['DELETE', 'PATCH', 'PUT'])('answers 405 PGRST101 for %s on an RPC', async (method) => {
    const res = await f.rest('/rpc/add', { method });
    expect(res.status).toBe(405);
    expect(await json(res)).toEqual({ code: 'PGRST101', message: `Cannot use the ${method} method on RPC`, details: null, hint: null });
  });

  it('answers 400 PGRST102 for a body that is not JSON', async () => {
    const res = await f.rest('/rpc/add', post('{"a":'));
    expect(res.status).toBe(400);
    expect(await json(res)).toEqual({ code: 'PGRST102', message: 'Empty or invalid json', details: null, hint: null });
  });

  it('answers 400 PGRST102 for array elements with different keys', async () => {
    const res = await f.rest('/rpc/add', post([{ a: 1, b: 1 }, { a: 1 }]));
    expect(res.status).toBe(400);
    expect((await json(res) as { message: string }).message).toBe('All object keys must match');
  });

  it('answers 400 PGRST102 for an unsupported Content-Type', async () => {
    const res = await f.rest('/rpc/add', { method: 'POST', body: '<a/>', headers: { 'Content-Type': 'application/xml' } });
    expect(res.status).toBe(400);
    expect((await json(res) as { message: string }).message).toBe('Content-Type not acceptable: application/xml');
  });

  it('answers 400 PGRST100 for query parameters on a POST', async () => {
    const res = await f.rest('/rpc/hello?name=John', post({}));
    expect(res.status).toBe(400);
    expect((await json(res) as { code: string }).code).toBe('PGRST100');
  });

  it('answers 406 PGRST106 for a schema that is not exposed', async () => {
    const res = await f.rest('/rpc/add', post({ a: 1, b: 1 }, { 'Content-Profile': 'mintid' }));
    expect(res.status).toBe(406);
    expect(await json(res)).toEqual({
      code: 'PGRST106', message: 'Invalid schema: mintid', details: null, hint: 'Only the following schemas are exposed: test_api, public',
    });
  });

  it('reads Accept-Profile for GET and ignores Content-Profile there', async () => {
    const res = await f.rest('/rpc/add?a=1&b=1', { headers: { 'Accept-Profile': 'nope', 'Content-Profile': 'test_api' } });
    expect(res.status).toBe(406);
    const ok = await f.rest('/rpc/add?a=1&b=1', { headers: { 'Content-Profile': 'nope' } });
    expect(ok.status).toBe(200);
  });

  it('looks functions up in the schema chosen by the profile header', async () => {
    const res = await f.rest('/rpc/add', post({ a: 1, b: 1 }, { 'Content-Profile': 'public' }));
    expect(res.status).toBe(404);
    expect((await json(res) as { message: string }).message).toBe('Could not find the function public.add(a, b) in the schema cache');
  });

  it('answers 404 PGRST125 for a path with more segments', async () => {
    const res = await f.rest('/rpc/add/extra', post({}));
    expect(res.status).toBe(404);
    expect(await json(res)).toEqual({ code: 'PGRST125', message: 'Invalid path specified in request URL', details: null, hint: null });
  });

  it('answers 404 PGRST205 for a table path (tables are not served)', async () => {
    const res = await f.rest('/rpc');
    expect(res.status).toBe(404);
    expect((await json(res) as { code: string }).code).toBe('PGRST205');
  });

  it('answers 400 PGRST122 for an invalid preference under handling=strict', async () => {
    const res = await f.rest('/rpc/add', post({ a: 1, b: 1 }, { Prefer: 'handling=strict, params=single-object' }));
    expect(res.status).toBe(400);
    expect(await json(res)).toEqual({
      code: 'PGRST122', message: 'Invalid preferences given with handling=strict', details: 'Invalid preferences: params=single-object', hint: null,
    });
  });

  it('ignores an invalid preference without handling=strict', async () => {
    const res = await f.rest('/rpc/add', post({ a: 1, b: 1 }, { Prefer: 'params=single-object, return=minimal' }));
    expect(res.status).toBe(200);
  });
});
