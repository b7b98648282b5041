// End to end: the real @supabase/supabase-js client against the gateway over real HTTP.
import { createClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayFixture, type GatewayFixture } from './helpers.js';

let f: GatewayFixture;
let url: string;
let anon: ReturnType<typeof client>;
let user: ReturnType<typeof client>;

// Node 20 has no global WebSocket, which supabase-js's realtime client demands at construction;
// these tests never subscribe, so a transport that refuses to connect is enough.
class NoWebSocket {
  constructor() {
    throw new Error('realtime is not used in these tests');
  }
}

const client = (key: string, headers: Record<string, string> = {}) => createClient(url, key, {
  db: { schema: 'test_api' },
  realtime: { transport: NoWebSocket as never },
  auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
  global: { headers },
});

beforeAll(async () => {
  f = await startGatewayFixture();
  ({ url } = await f.gateway.listen(0));
  anon = client(f.anonKey);
  user = client(f.anonKey, { Authorization: `Bearer ${f.userToken}` });
});
afterAll(() => f.close());

describe('supabase.rpc against the gateway', () => {
  it('returns a scalar as data with status 200', async () => {
    const { data, error, status } = await anon.rpc('add', { a: 1, b: 2 });
    expect(error).toBeNull();
    expect(status).toBe(200);
    expect(data).toBe(3);
  });

  it('returns set rows as an array', async () => {
    const { data } = await anon.rpc('items', { n: 2 });
    expect(data).toEqual([{ id: 1, label: 'item 1' }, { id: 2, label: 'item 2' }]);
  });

  it('calls by GET with { get: true }', async () => {
    const { data, error } = await anon.rpc('hello', { name: 'GET' }, { get: true });
    expect(error).toBeNull();
    expect(data).toBe('Hello, GET');
  });

  it('counts with { head: true, count: "exact" } and returns no data', async () => {
    const { data, count, error, status } = await anon.rpc('numbers', { n: 5 }, { head: true, count: 'exact' });
    expect(error).toBeNull();
    expect(status).toBe(200);
    expect(data).toBeNull();
    expect(count).toBe(5);
  });

  it('returns data null with status 204 for a void function', async () => {
    const { data, error, status } = await anon.rpc('do_nothing');
    expect(error).toBeNull();
    expect(data).toBeNull();
    expect(status).toBe(204);
  });

  it('returns one object with .single()', async () => {
    const { data } = await anon.rpc('items', { n: 1 }).single();
    expect(data).toEqual({ id: 1, label: 'item 1' });
  });

  it('runs with the user token as authenticated', async () => {
    const { data } = await user.rpc('whoami');
    expect(data).toEqual({ uid: f.userId, role: 'authenticated' });
  });
});

describe('supabase.rpc errors', () => {
  it('surfaces a raised error as { code, details, hint, message }', async () => {
    const { data, error, status } = await anon.rpc('raise_pt402');
    expect(data).toBeNull();
    expect(status).toBe(402);
    expect(error).toMatchObject({ code: 'PT402', message: 'Payment Required', details: 'Quota exceeded', hint: 'Upgrade your plan' });
  });

  it('surfaces PGRST202 for an unknown function', async () => {
    const { error, status } = await anon.rpc('no_such_function', { x: 1 });
    expect(status).toBe(404);
    expect(error?.code).toBe('PGRST202');
    expect(error?.message).toBe('Could not find the function test_api.no_such_function(x) in the schema cache');
  });

  it('answers anon without EXECUTE with 401 42501', async () => {
    const { error, status } = await anon.rpc('members_only');
    expect(status).toBe(401);
    expect(error?.code).toBe('42501');
    expect((await user.rpc('members_only')).data).toBe('welcome');
  });

  it('answers an expired user token with 401 PGRST303', async () => {
    const { sign } = await import('./helpers.js');
    const expired = client(f.anonKey, { Authorization: `Bearer ${await sign({ role: 'authenticated', exp: 1 })}` });
    const { error, status } = await expired.rpc('add', { a: 1, b: 1 });
    expect(status).toBe(401);
    expect(error?.code).toBe('PGRST303');
    expect(error?.message).toBe('JWT expired');
  });

  it('answers an unknown apikey with the gateway\'s message', async () => {
    const { error, status } = await client('not-a-project-key').rpc('add', { a: 1, b: 1 });
    expect(status).toBe(401);
    expect(error?.message).toBe('Invalid API key');
  });

  it('answers a write under { get: true } with 405', async () => {
    const { error, status } = await anon.rpc('volatile_writer', { label: 'x' }, { get: true });
    expect(status).toBe(405);
    expect(error?.code).toBe('25006');
  });
});
