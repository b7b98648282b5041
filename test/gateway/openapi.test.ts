// GET /rest/v1/: the OpenAPI description PostgREST serves at its root (Swagger 2.0), from the
// schema cache, following the role's EXECUTE privileges, with function comments as descriptions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayFixture, type GatewayFixture } from './helpers.js';

let f: GatewayFixture;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a JSON document read by shape in each test
type Doc = { swagger: string; info: Record<string, string>; host: string; basePath: string; paths: Record<string, Record<string, any>>; parameters: Record<string, any> };

const doc = async (headers: Record<string, string> = {}) => {
  const res = await f.rest('/', { headers });
  expect(res.status).toBe(200);
  return (await res.json()) as Doc;
};

beforeAll(async () => {
  f = await startGatewayFixture();
  await f.db.admin.unsafe(`
    comment on function test_api.hello(text) is e'Greets someone.\n\nSays hello to name; world by default.';
    comment on function test_api.add(int, int) is 'Adds two integers.';
    comment on schema test_api is e'Test API\n\nThe fixture schema.';
    notify pgrst, 'reload schema'`);
  // The reload is asynchronous: wait until the comment shows.
  for (let i = 0; i < 100; i += 1) {
    if ((await doc()).paths['/rpc/add']?.post?.summary) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
});
afterAll(() => f.close());

describe('GET /rest/v1/', () => {
  it('answers Swagger 2.0 as application/openapi+json, with the root path', async () => {
    const res = await f.rest('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/openapi+json; charset=utf-8');
    const body = (await res.json()) as Doc;
    expect(body.swagger).toBe('2.0');
    expect(body.basePath).toBe('/rest/v1/');
    expect(body.host).toBe('localhost');
    expect(body.paths['/']!.get).toMatchObject({ tags: ['Introspection'], summary: 'OpenAPI description (this document)' });
  });

  it('takes title and description from the schema comment', async () => {
    expect((await doc()).info).toMatchObject({ title: 'Test API', description: 'The fixture schema.' });
  });

  it('describes a STABLE function with GET query parameters and POST body args, comment split into summary and description', async () => {
    const hello = (await doc()).paths['/rpc/hello']!;
    expect(hello.get).toMatchObject({
      tags: ['(rpc) hello'], summary: 'Greets someone.', description: 'Says hello to name; world by default.',
      parameters: [{ format: 'text', in: 'query', name: 'name', required: false, type: 'string' }],
      responses: { 200: { description: 'OK' } },
    });
    expect(hello.post.parameters).toEqual([
      {
        in: 'body', name: 'args', required: true,
        schema: {
          description: 'Greets someone.\n\nSays hello to name; world by default.', type: 'object',
          properties: { name: { format: 'text', type: 'string' } },
        },
      },
      { $ref: '#/parameters/preferParams' },
    ]);
  });

  it('lists parameters without a default as required, with PostgREST\'s type mapping', async () => {
    const { paths } = await doc();
    expect(paths['/rpc/add']!.post.parameters[0].schema).toMatchObject({
      required: ['a', 'b'], properties: { a: { format: 'integer', type: 'integer' }, b: { format: 'integer', type: 'integer' } },
    });
    expect(paths['/rpc/array_sum']!.post.parameters[0].schema.properties.xs).toEqual({ format: 'integer[]', type: 'array', items: { type: 'integer' } });
    expect(paths['/rpc/named_json']!.post.parameters[0].schema.properties.data).toEqual({ format: 'json' });
    expect(paths['/rpc/with_defaults']!.post.parameters[0].schema.required).toEqual(['a']);
  });

  it('offers only POST for a VOLATILE function', async () => {
    const path = (await doc()).paths['/rpc/do_nothing']!;
    expect(Object.keys(path)).toEqual(['post']);
  });

  it('defines the shared parameters it references', async () => {
    expect((await doc()).parameters.preferParams).toMatchObject({ name: 'Prefer', in: 'header' });
  });

  it('follows EXECUTE privileges: anon does not see a function only authenticated may call', async () => {
    expect((await doc()).paths['/rpc/members_only']).toBeUndefined();
    const signedIn = await doc({ Authorization: `Bearer ${f.userToken}` });
    expect(signedIn.paths['/rpc/members_only']!.get).toBeDefined();
  });

  it('describes the schema named by Accept-Profile and echoes it', async () => {
    const res = await f.rest('/', { headers: { 'Accept-Profile': 'public' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-profile')).toBe('public');
    const body = (await res.json()) as Doc;
    expect(body.paths['/rpc/hello']).toBeUndefined();
  });

  it('answers HEAD with the headers and no body', async () => {
    const res = await f.rest('/', { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/openapi+json; charset=utf-8');
    expect(await res.text()).toBe('');
  });

  it('refuses an Accept-Profile that is not exposed with 406 PGRST106', async () => {
    const res = await f.rest('/', { headers: { 'Accept-Profile': 'mintid' } });
    expect(res.status).toBe(406);
    expect(((await res.json()) as { code: string }).code).toBe('PGRST106');
  });

  it('refuses a bad JWT with 401, as every other path', async () => {
    const res = await f.rest('/', { headers: { Authorization: 'Bearer garbage' } });
    expect(res.status).toBe(401);
  });

  it('refuses a request without apikey with 401', async () => {
    const res = await f.gateway.fetch(new Request('http://localhost/rest/v1/'));
    expect(res.status).toBe(401);
  });

  it('still answers 404 PGRST125 for POST on the root', async () => {
    const res = await f.rest('/', { method: 'POST', body: '{}', headers: { 'Content-Type': 'application/json' } });
    expect(res.status).toBe(404);
  });
});
