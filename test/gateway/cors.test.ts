// CORS and OPTIONS (POSTGREST.md §6).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORS_EXPOSED } from '../../src/gateway/cors.js';
import { post, startGatewayFixture, type GatewayFixture } from './helpers.js';

let f: GatewayFixture;
beforeAll(async () => {
  f = await startGatewayFixture();
});
afterAll(() => f.close());

const raw = (path: string, init: RequestInit) => f.gateway.fetch(new Request(`http://localhost/rest/v1${path}`, init));

describe('CORS preflight', () => {
  it('answers a preflight with 200 and the policy, before apikey and JWT', async () => {
    const res = await raw('/rpc/add', {
      method: 'OPTIONS',
      headers: { Origin: 'http://example.com', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'apikey, content-type, x-client-info' },
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-methods')).toBe('GET, POST, PATCH, PUT, DELETE, OPTIONS, HEAD');
    expect(res.headers.get('access-control-allow-headers')).toBe('Authorization, apikey, content-type, x-client-info, Accept, Accept-Language, Content-Language');
    expect(res.headers.get('access-control-max-age')).toBe('86400');
  });

  it('answers a preflight for a function that does not exist without looking', async () => {
    const res = await raw('/rpc/nothing_here', { method: 'OPTIONS', headers: { Origin: 'http://a.test', 'Access-Control-Request-Method': 'GET' } });
    expect(res.status).toBe(200);
  });

  it('lets a preflight with an unsupported method fall through without CORS headers', async () => {
    const res = await raw('/rpc/add', { method: 'OPTIONS', headers: { Origin: 'http://a.test', 'Access-Control-Request-Method': 'TRACE' } });
    expect(res.status).toBe(401);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('CORS on actual requests', () => {
  it('adds the allow and expose headers to a success', async () => {
    const res = await f.rest('/rpc/add?a=1&b=1', { headers: { Origin: 'http://example.com' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-expose-headers')).toBe(CORS_EXPOSED);
  });

  it('adds them to errors too, including the apikey refusal', async () => {
    const missing = await f.rest('/rpc/nothing_here', post({}, { Origin: 'http://example.com' }));
    expect(missing.status).toBe(404);
    expect(missing.headers.get('access-control-allow-origin')).toBe('*');
    const refused = await raw('/rpc/add', { headers: { Origin: 'http://example.com' } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('adds no CORS headers without an Origin', async () => {
    const res = await f.rest('/rpc/add?a=1&b=1');
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('OPTIONS on a function (not a preflight)', () => {
  it('answers Allow: OPTIONS,POST for a VOLATILE function', async () => {
    const res = await f.rest('/rpc/do_nothing', { method: 'OPTIONS' });
    expect(res.status).toBe(200);
    expect(res.headers.get('allow')).toBe('OPTIONS,POST');
    expect(await res.text()).toBe('');
  });

  it('answers Allow: OPTIONS,GET,HEAD,POST for a STABLE or IMMUTABLE function', async () => {
    const res = await f.rest('/rpc/hello', { method: 'OPTIONS', headers: { Origin: 'http://example.com' } });
    expect(res.headers.get('allow')).toBe('OPTIONS,GET,HEAD,POST');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('answers 404 PGRST202 when required parameters are not in the query string', async () => {
    const res = await f.rest('/rpc/add', { method: 'OPTIONS' });
    expect(res.status).toBe(404);
  });

  it('still requires an apikey', async () => {
    expect((await raw('/rpc/hello', { method: 'OPTIONS' })).status).toBe(401);
  });

  it('still verifies the JWT', async () => {
    expect((await f.rest('/rpc/hello', { method: 'OPTIONS', headers: { Authorization: 'Bearer x.y' } })).status).toBe(401);
  });
});
