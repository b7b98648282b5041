// The edge-function mount point `/functions/v1/<name>` and its per-function verifyJwt flag.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sign, startGatewayFixture, type GatewayFixture } from './helpers.js';

let f: GatewayFixture;
const seen: { url: string; authorization: string | null; body: string }[] = [];
const echo = async (req: Request) => {
  seen.push({ url: req.url, authorization: req.headers.get('authorization'), body: await req.text() });
  return new Response(JSON.stringify({ ok: true }), { status: 200, headers: { 'Content-Type': 'application/json' } });
};

beforeAll(async () => {
  f = await startGatewayFixture({
    functions: {
      open: { handler: echo, verifyJwt: false },
      guarded: { handler: echo, verifyJwt: true },
      broken: { handler: async () => { throw new Error('secret-ish detail'); }, verifyJwt: false },
    },
  });
});
afterAll(() => f.close());

const call = (path: string, init: RequestInit = {}) => f.gateway.fetch(new Request(`http://localhost/functions/v1/${path}`, init));
const last = () => seen[seen.length - 1]!;

describe('functions with verifyJwt: false', () => {
  it('calls the handler without apikey or JWT and returns its response', async () => {
    const res = await call('open', { method: 'POST', body: 'grant_type=client_credentials', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
    expect(last().body).toBe('grant_type=client_credentials');
  });

  it('routes sub-paths to the same function', async () => {
    expect((await call('open/extra/path')).status).toBe(200);
    expect(new URL(last().url).pathname).toBe('/functions/v1/open/extra/path');
  });

  it('does not verify a token that is present', async () => {
    expect((await call('open', { headers: { Authorization: 'Bearer garbage' } })).status).toBe(200);
  });
});

describe('functions with verifyJwt: true', () => {
  it('refuses a call without apikey with 401', async () => {
    const res = await call('guarded');
    expect(res.status).toBe(401);
    expect((await res.json()).message).toBe('No API key found in request');
  });

  it('refuses an invalid JWT with 401 PGRST301', async () => {
    const res = await call('guarded', { headers: { apikey: f.anonKey, Authorization: 'Bearer a.b.c' } });
    expect(res.status).toBe(401);
    expect((await res.json()).code).toBe('PGRST301');
  });

  it('refuses an expired JWT with 401 PGRST303', async () => {
    const token = await sign({ role: 'authenticated', exp: Math.floor(Date.now() / 1000) - 3600 });
    const res = await call('guarded', { headers: { apikey: f.anonKey, Authorization: `Bearer ${token}` } });
    expect(res.status).toBe(401);
    expect((await res.json()).code).toBe('PGRST303');
  });

  it('passes a valid user JWT through to the handler', async () => {
    const res = await call('guarded', { method: 'POST', body: 'x', headers: { apikey: f.anonKey, Authorization: `Bearer ${f.userToken}` } });
    expect(res.status).toBe(200);
    expect(last().authorization).toBe(`Bearer ${f.userToken}`);
    expect(last().body).toBe('x');
  });

  it('uses the apikey as the Bearer token when no Authorization is sent', async () => {
    expect((await call('guarded', { headers: { apikey: f.anonKey } })).status).toBe(200);
    expect(last().authorization).toBe(`Bearer ${f.anonKey}`);
  });
});

describe('registry', () => {
  it('answers 404 JSON for an unknown function', async () => {
    const res = await call('nope');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ code: 'NOT_FOUND', message: 'Requested function was not found' });
  });

  it('answers a generic 500 without the error text when a handler throws', async () => {
    const res = await call('broken');
    expect(res.status).toBe(500);
    expect(await res.text()).not.toContain('secret-ish');
  });

  it('answers 404 for paths outside /rest/v1 and /functions/v1', async () => {
    expect((await f.gateway.fetch(new Request('http://localhost/auth/v1/token'))).status).toBe(404);
  });

  it('refuses invalid options at start-up without echoing values', async () => {
    const { createGateway } = await import('../../src/gateway/index.js');
    await expect(createGateway({ databaseUrl: f.db.urls.authenticator, jwtSecret: 'short-secret-value', apiKeys: [] }))
      .rejects.toThrow(/jwtSecret: .*; apiKeys: /);
    await expect(createGateway({ databaseUrl: f.db.urls.authenticator, jwtSecret: 'short-secret-value', apiKeys: [] }))
      .rejects.not.toThrow(/short-secret-value/);
  });
});
